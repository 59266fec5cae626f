from django.utils.translation import gettext_lazy as _

from medinsure.accounts.models import Role
from medinsure.accounts.scoping import Area
from medinsure.navigation import NavItem

# Bureau-side pages: every role that may use the area except the institutions' own staff.
STAFF = frozenset(r for r in Role.values if r != Role.INSTITUTION)

MENU = [
    NavItem(area=Area.SUPERVISION, url_name="supervision:flags", label=_("智能审核疑点")),
    NavItem(area=Area.SUPERVISION, url_name="supervision:cases", label=_("案件")),
    NavItem(area=Area.SUPERVISION, url_name="supervision:self_inspections", label=_("年度自查自纠")),
    NavItem(area=Area.SUPERVISION, url_name="supervision:institutions", label=_("定点医药机构"), roles=STAFF),
    NavItem(area=Area.SUPERVISION, url_name="supervision:reports", label=_("举报线索"), roles=STAFF),
    NavItem(area=Area.SUPERVISION, url_name="supervision:rules", label=_("审核规则"), roles=STAFF),
    NavItem(area=Area.SUPERVISION, url_name="supervision:figures", label=_("监管统计"), stats=True, roles=STAFF),
]
