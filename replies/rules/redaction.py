"""Redaction of the published copy: the record keeps everything.

What is masked without being listed (the patterns below): resident ID numbers (18 digits with a
trailing X/x, or the old 15 digits), mobile numbers in every common writing (``13812345678``,
``138-1234-5678``, ``138 1234 5678``, ``138.1234.5678``, with ``+86``/``0086``/``86`` in front),
landlines with their area code (``023-47521234``, ``(023)4752 1234``, ``0598 8299160``, with an
extension ``-8001``/``转8001``) and e-mail addresses. What a reply letter cites is left alone: money
(``1234567.89元``, ``12,345,678``), years and dates, percentages, document numbers
(``渝医保发〔2024〕12号``), 12-digit division codes, counts (``13800人``). A number cannot be a phone
or an ID number when it is part of a longer run of digits, the decimals of an amount, or followed by
a unit (元, 万, 人, % …). When in doubt a number is masked: a masked figure costs a reader a
figure, a published phone number costs a person their privacy. A landline written without its area
code (``4752 1234``) cannot be told from a figure and is not recognised: the drafter lists it among
the terms to delete.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MASK = "■■■"

# Not glued to a digit, nor the decimals of an amount ("0.13812345678"). A comma before is fine: a
# thousands group has three digits, so "13812345678,13912345678" is a list of two numbers.
_START = r"(?<![0-9])(?<![0-9][.])"
# Not followed by a digit, decimals, a thousands group (",345") or a unit that makes it a figure.
_UNITS = "元角分万亿千百人户次件个名家项份条张笔例岁天年月日号%％‰"
_END = rf"(?![0-9])(?![.][0-9])(?!,[0-9]{{3}}(?![0-9]))(?!\s?[{_UNITS}])"
_SEP = r"[ \u00a0\u3000.\-－]"  # space (also no-break and ideographic), dot, hyphen, full-width hyphen

_BIRTH_18 = r"(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_BIRTH_15 = r"\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_COUNTRY = r"(?:(?:\+|＋|00)\s?86|[(（]\s?\+?86\s?[)）]|86)"
_AREA = r"0(?:10|2\d|[3-9]\d{2})"  # 010, 02x, 0xxx: every Chinese area code
_LOCAL = r"[2-9]\d{2,3}[ \-－]?\d{4}"  # 7 or 8 digits, never starting with 0 or 1
_EXTENSION = r"(?:\s?(?:-|－|转|分机|ext\.?|x)\s?\d{1,5})?"

PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("id_number", re.compile(rf"{_START}[1-9]\d{{5}}\s?{_BIRTH_18}\s?\d{{3}}[0-9Xx](?![0-9])")),
    ("id_number_15", re.compile(rf"{_START}[1-9]\d{{5}}{_BIRTH_15}\d{{3}}{_END}")),
    (
        "mobile",
        re.compile(rf"{_START}(?:{_COUNTRY}{_SEP}?)?1[3-9]\d{_SEP}?\d{{4}}{_SEP}?\d{{4}}{_END}"),
    ),
    (
        "landline",
        re.compile(
            rf"{_START}(?:{_COUNTRY}{_SEP}?)?"
            rf"(?:[(（]\s?{_AREA}\s?[)）]\s?|{_AREA}[ \-－]?)"
            rf"{_LOCAL}{_EXTENSION}{_END}",
            re.IGNORECASE,
        ),
    ),
    ("email", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")),
)


@dataclass(frozen=True)
class Redacted:
    text: str
    count: int


def _digits(s: str) -> str:
    """A phone number's digits without the country code: "+86 191-2286-5531" → "19122865531"."""
    d = re.sub(r"\D", "", s)
    for prefix in ("0086", "86"):
        if d.startswith(prefix) and len(d) - len(prefix) >= 10:
            return d[len(prefix) :]
    return d


def redact(text: str, *, terms: tuple[str, ...] = (), keep: tuple[str, ...] = ()) -> Redacted:
    """Mask ID numbers, mobile and landline numbers, e-mail addresses and the given ``terms``
    (addresses, negotiated prices, names asked to be kept confidential). ``keep`` lists strings never
    masked (the bureau's own published contact number, kept however the letter writes it)."""
    placeholders = {}
    for i, k in enumerate(s for s in keep if s):
        ph = f"\ue000{chr(0xE100 + i)}\ue000"  # private-use characters: no digit for a pattern to see
        placeholders[ph] = k
        text = text.replace(k, ph)
    kept_digits = {d for d in (_digits(k) for k in keep if k) if len(d) >= 7}
    count = 0
    for term in sorted((t for t in terms if t.strip()), key=len, reverse=True):
        n = text.count(term)
        if n:
            text, count = text.replace(term, MASK), count + n

    def mask(match: re.Match[str]) -> str:
        nonlocal count
        if _digits(match.group(0)) in kept_digits:
            return match.group(0)
        count += 1
        return MASK

    for _name, pattern in PATTERNS:
        text = pattern.sub(mask, text)
    for ph, k in placeholders.items():
        text = text.replace(ph, k)
    return Redacted(text, count)
