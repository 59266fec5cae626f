from django.utils.translation import gettext_lazy as _

from medinsure.accounts.scoping import Area
from medinsure.navigation import NavItem

MENU = [
    NavItem(area=Area.FUNDBUDGET, url_name="fundbudget:execution", label=_("基金执行情况"), stats=True),
    NavItem(area=Area.FUNDBUDGET, url_name="fundbudget:report", label=_("基金运行月报"), stats=True),
    NavItem(area=Area.FUNDBUDGET, url_name="fundbudget:warning_list", label=_("基金运行风险预警"), stats=True),
    NavItem(area=Area.FUNDBUDGET, url_name="fundbudget:notice_list", label=_("预警消息"), stats=True),
    NavItem(area=Area.FUNDBUDGET, url_name="fundbudget:statement_list", label=_("月度收支报表"), stats=True),
    NavItem(area=Area.FUNDBUDGET, url_name="fundbudget:budget_list", label=_("年度收支预算"), stats=True),
    NavItem(area=Area.FUNDBUDGET, url_name="fundbudget:rule_list", label=_("预警规则"), stats=True),
]
