"""Money and percentage display for fund figures (元 / 万元 / 亿元)."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.translation import gettext as _

register = template.Library()

TEN_THOUSAND = Decimal("10000")
HUNDRED_MILLION = Decimal("100000000")
CENT = Decimal("0.01")


def _d(value):
    if value is None or value == "":
        return None
    return Decimal(str(value))


@register.filter
def wan(value):
    """Yuan → 万元 with two decimals (no unit)."""
    v = _d(value)
    if v is None:
        return "—"
    return f"{(v / TEN_THOUSAND).quantize(CENT, rounding=ROUND_HALF_UP):,}"


@register.filter
def amount_cn(value):
    """Yuan → '7491.51万元', or '5.81亿元' from a hundred million up (the seeds' way of writing)."""
    v = _d(value)
    if v is None:
        return "—"
    if abs(v) >= HUNDRED_MILLION:
        return _("%(n)s亿元") % {"n": (v / HUNDRED_MILLION).quantize(CENT, rounding=ROUND_HALF_UP)}
    return _("%(n)s万元") % {"n": (v / TEN_THOUSAND).quantize(CENT, rounding=ROUND_HALF_UP)}


@register.filter
def pct(value):
    v = _d(value)
    return "—" if v is None else f"{v}%"


@register.filter
def points(value):
    v = _d(value)
    if v is None:
        return "—"
    return _("%(n)s个百分点") % {"n": f"{v:+}"}


@register.filter
def signed(value):
    v = _d(value)
    return "—" if v is None else f"{v:+}"


@register.filter
def level_class(level):
    return {"yellow": "warning", "orange": "orange", "red": "danger"}.get(level, "secondary")


_SYMBOLS = {"lt": "<", "le": "≤", "gt": ">", "ge": "≥"}


@register.filter
def cmp_symbol(code):
    return _SYMBOLS.get(code, code)


@register.simple_tag
def indicator_value(indicator, value):
    """An indicator's figure in its unit: yuan amounts in 万元, months, percentage points."""
    if indicator == "current_deficit":
        return _("%(n)s万元") % {"n": wan(value)}
    if indicator.startswith("months_payable"):
        return _("%(n)s个月") % {"n": value}
    return _("%(n)s个百分点") % {"n": value}
