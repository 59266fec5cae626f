from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    if not mapping:
        return 0
    return mapping.get(key, 0)


@register.filter
def yuan(value):
    """1234567.8 → 1,234,567.80"""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.2f}"
