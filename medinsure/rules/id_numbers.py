"""Resident ID numbers (GB 11643-1999): normalisation, 15 -> 18 conversion, check digit, birth date, sex.

Errors carry a stable ``code``; the importer turns codes into Chinese messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
MIN_BIRTH_YEAR = 1900
# Sequence codes the 1989 standard reserved for centenarians: their century may be 18xx.
CENTENARIAN_SEQUENCES = frozenset({"996", "997", "998", "999"})

_RE_18 = re.compile(r"^\d{17}[\dX]$")
_RE_15 = re.compile(r"^\d{15}$")

MALE = "M"
FEMALE = "F"


class IdNumberError(ValueError):
    """An ID number that cannot be accepted. ``code`` is one of:
    empty, format, check_digit, birth_date, future_birth, too_old."""

    def __init__(self, code: str, raw: str, detail: str = ""):
        self.code = code
        self.raw = raw
        self.detail = detail
        super().__init__(f"{code}: {raw!r} {detail}".strip())


@dataclass(frozen=True)
class IdNumber:
    number: str  # canonical 18 characters
    raw: str  # as received (stripped)
    birth_date: date
    sex: str  # MALE / FEMALE
    converted_from_15: bool = False
    needs_review: bool = False  # e.g. a 15-digit centenarian sequence code

    @property
    def county_code(self) -> str:
        return self.number[:6]

    def age_on(self, as_of: date) -> int:
        return age_on(self.birth_date, as_of)


def check_char(first17: str) -> str:
    """GB 11643 / ISO 7064 MOD 11-2 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need 17 digits")
    # Σ a[i]·2^(17-i) mod 11 read as one base-13 number (13 ≡ 2 mod 11), as python-stdnum does;
    # the check value is (1 - 2·S) mod 11 (10 → X). Equal to the weighted sum with WEIGHTS (tested).
    value = (1 - 2 * int(first17, 13)) % 11
    return "X" if value == 10 else str(value)


def upgrade_15(n15: str) -> str:
    """Convert a 15-digit legacy number to 18 digits (century 19, computed check digit)."""
    s17 = n15[:6] + "19" + n15[6:]
    return s17 + check_char(s17)


_FULL_WIDTH_DIGITS = {0xFF10 + i: ord("0") + i for i in range(10)}


def clean(raw: object) -> str:
    """Strip spaces (also full-width and inside), upper-case x, drop a trailing '.0' from spreadsheets."""
    if raw is None:
        return ""
    s = raw if isinstance(raw, str) else str(raw)
    if len(s) == 18 and s[:17].isascii() and s[:17].isdigit() and s[17] in "0123456789Xx":
        return s.upper()  # the common case, already clean
    s = s.strip().replace("\u3000", "").replace(" ", "").replace("\t", "")
    s = s.upper().replace("Ｘ", "X")
    # Full-width digits, as typed on some Chinese input methods.
    s = s.translate(_FULL_WIDTH_DIGITS)
    if s.endswith(".0") and s[:-2].isdigit():
        s = s[:-2]
    if s.startswith("'"):
        s = s[1:]
    return s


def _birth_date(yyyymmdd: str, raw: str, as_of: date) -> date:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError as exc:
        raise IdNumberError("birth_date", raw, yyyymmdd) from exc
    if born > as_of:
        raise IdNumberError("future_birth", raw, yyyymmdd)
    if born.year < MIN_BIRTH_YEAR:
        raise IdNumberError("too_old", raw, yyyymmdd)
    return born


def parse_id_number(raw: object, *, as_of: date) -> IdNumber:
    """Validate and normalise one ID number, raising IdNumberError with a code."""
    s = clean(raw)
    if not s:
        raise IdNumberError("empty", "")
    if _RE_15.match(s):
        born = _birth_date("19" + s[6:12], s, as_of)
        number = upgrade_15(s)
        sex = MALE if int(s[14]) % 2 else FEMALE
        return IdNumber(
            number=number,
            raw=s,
            birth_date=born,
            sex=sex,
            converted_from_15=True,
            needs_review=s[12:15] in CENTENARIAN_SEQUENCES,
        )
    if not _RE_18.match(s):
        raise IdNumberError("format", s)
    if check_char(s[:17]) != s[17]:
        raise IdNumberError("check_digit", s, f"expected {check_char(s[:17])}")
    born = _birth_date(s[6:14], s, as_of)
    sex = MALE if int(s[16]) % 2 else FEMALE
    return IdNumber(number=s, raw=s, birth_date=born, sex=sex)


def is_valid(raw: object, *, as_of: date) -> bool:
    try:
        parse_id_number(raw, as_of=as_of)
    except IdNumberError:
        return False
    return True


def age_on(born: date, as_of: date) -> int:
    return as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))


def make_id_number(county: str, born: date, sequence: int) -> str:
    """Build a valid 18-digit number (demo data, tests). ``sequence`` 0..999, odd = male."""
    s17 = f"{county[:6]}{born:%Y%m%d}{sequence % 1000:03d}"
    return s17 + check_char(s17)
