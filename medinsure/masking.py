"""Masking of personal numbers (ID and phone) for roles that may not see them."""

from medinsure.accounts.scoping import may_see_personal_numbers


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def shown_id_number(user, value: str | None) -> str:
    return (value or "") if may_see_personal_numbers(user) else mask_id_number(value)


def shown_phone(user, value: str | None) -> str:
    return (value or "") if may_see_personal_numbers(user) else mask_phone(value)
