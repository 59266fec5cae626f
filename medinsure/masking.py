"""Masking of personal numbers, decided per *view of a person* (the set of fields a role gets).

A role either sees a person whole (ID number, phone, birth date) or masked; masking field by field is
not enough, because fields rebuild each other. The masked ID keeps the first 6 digits (the area code,
which the resident's division already tells) and the last 4 (three sequence digits and the check
digit), so the eight birth-date digits are the whole secret: showing the birth date beside a masked ID
is showing the ID.

So a masked view shows the **age in whole years** (``shown_birth``), never the date:

- the age as of a known day puts the birth date in a window of one year (366 days); the check digit
  (visible) lets one candidate in eleven through, so about 33 ID numbers remain — no more than the
  birth year would leave, and what anyone who knows the person (a village worker does) knows anyway;
- a full date would leave exactly one: that is the leak this module exists to stop;
- sex (shown on some pages) is digit 17, already visible in the masked number, so it narrows nothing.
  The area code is the resident's division, also already shown.

Hiding more of the number (keeping only the last 2 digits) would leave some 3,300 candidates, but the
6+4 form is the one people read aloud to tell residents apart, the national guidance for masking ID
numbers hides exactly the birth date, and the whole portal (error reports, other apps) shows it; we
keep it and make sure nothing beside it gives the date. ``tests/security/test_insiders.py`` counts
the candidates left by everything a role gets and fails below 20.

``person_view(user)`` is that decision for a user; ``shown_id_number``/``shown_phone``/``shown_birth``
apply it to one value. ``mask_numbers_in_text`` is the guard for free text (audit summaries and
paths): any 18- or 15-digit ID number or 11-digit mobile number inside it is masked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from medinsure.accounts.scoping import may_see_personal_numbers

__all__ = [
    "PersonView",
    "mask_id_number",
    "mask_numbers_in_text",
    "mask_phone",
    "may_see_personal_numbers",
    "person_view",
    "shown_age",
    "shown_birth",
    "shown_id_number",
    "shown_phone",
]


@dataclass(frozen=True)
class PersonView:
    """What a role gets of a person: ``full`` → ID number, phone and birth date as stored; otherwise
    the masked ID and phone and the age instead of the birth date."""

    full: bool

    def id_number(self, value: str | None) -> str:
        return (value or "") if self.full else mask_id_number(value)

    def phone(self, value: str | None) -> str:
        return (value or "") if self.full else mask_phone(value)

    def birth_date(self, value: date | None) -> date | None:
        """The birth date for the full view; None for the masked one (it shows ``age``)."""
        return value if self.full else None

    def birth(self, value: date | None, *, as_of: date | None = None) -> str:
        """The text a page shows in its birth column: ``1991-07-07`` or ``34岁``."""
        if value is None:
            return ""
        if self.full:
            return value.isoformat()
        return _("%(age)s岁") % {"age": age_of(value, as_of=as_of)}


def person_view(user) -> PersonView:
    return PersonView(full=may_see_personal_numbers(user))


def age_of(born: date | None, *, as_of: date | None = None) -> int | None:
    if born is None:
        return None
    day = as_of or timezone.localdate()
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    if len(value) == 15:  # the old number: 6 area + YYMMDD + 3 sequence digits; keep no digit of the date
        return value[:6] + "******" + value[-3:]
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def shown_id_number(user, value: str | None) -> str:
    return person_view(user).id_number(value)


def shown_phone(user, value: str | None) -> str:
    return person_view(user).phone(value)


def shown_birth(user, value: date | None, *, as_of: date | None = None) -> str:
    """The birth column of a person as ``user`` sees it: the date, or the age (see the module's note)."""
    return person_view(user).birth(value, as_of=as_of)


def shown_age(value: date | None, *, as_of: date | None = None) -> int | None:
    return age_of(value, as_of=as_of)


# An 18-digit ID (last may be X), a 15-digit old ID, an 11-digit mobile — not inside a longer digit run.
_NUMBERS = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15}|1[3-9][0-9]{9})(?![0-9Xx])")


def mask_numbers_in_text(text: str) -> str:
    """``text`` with every ID number and mobile number in it masked (6+4 and 3+4 digits kept)."""
    if not text:
        return text or ""

    def repl(m: re.Match) -> str:
        s = m.group(0)
        return mask_phone(s) if len(s) == 11 else mask_id_number(s)

    return _NUMBERS.sub(repl, text)
