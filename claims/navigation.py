from django.utils.translation import gettext_lazy as _

from medinsure.accounts.models import Role
from medinsure.accounts.scoping import Area
from medinsure.navigation import NavItem

MENU = [
    NavItem(area=Area.CLAIMS, url_name="claims:calculator", label=_("待遇计算器")),
    NavItem(area=Area.CLAIMS, url_name="claims:eligibility", label=_("待遇资格查询")),
    # an institution's desk checks its patients' entitlement (institution users use the supervision area)
    NavItem(
        area=Area.SUPERVISION,
        url_name="claims:eligibility",
        label=_("待遇资格查询"),
        roles=frozenset({Role.INSTITUTION}),
    ),
    NavItem(area=Area.CLAIMS, url_name="claims:policy_list", label=_("报销政策")),
    NavItem(area=Area.CLAIMS, url_name="claims:settlement_list", label=_("结算单")),
    NavItem(area=Area.CLAIMS, url_name="claims:import_upload", label=_("结算单导入"), roles=frozenset({Role.CLAIMS})),
    NavItem(area=Area.CLAIMS, url_name="claims:recalculation_list", label=_("批量重算")),
    NavItem(area=Area.CLAIMS, url_name="claims:stats", label=_("结算统计"), stats=True),
]
