from decimal import Decimal

from django import template
from django.utils.translation import gettext_lazy as _

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


DETAIL_LABELS = {
    "item": _("项目编码"),
    "name": _("项目名称"),
    "day": _("费用日期"),
    "included_in": _("已包含于项目"),
    "package": _("打包项目"),
    "package_price": _("打包价格"),
    "billed": _("分解收费合计"),
    "allowed": _("限定性别"),
    "sex": _("参保人性别"),
    "age": _("年龄"),
    "min": _("最低年龄"),
    "max": _("最高年龄"),
    "quantity": _("数量"),
    "limit": _("限量"),
    "billed_days": _("床位费天数"),
    "stay_days": _("住院天数"),
    "admitted_on": _("入院日期"),
    "discharged_on": _("出院日期"),
    "other_institutions": _("同日其他机构"),
    "other_settlements": _("同日其他结算"),
    "routine_share": _("检查检验等费用占比"),
}


@register.filter
def detail_label(key):
    return DETAIL_LABELS.get(key, key)
