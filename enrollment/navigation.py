from django.utils.translation import gettext_lazy as _

from medinsure.accounts.models import Role
from medinsure.accounts.scoping import Area
from medinsure.navigation import NavItem

BUREAU = frozenset({Role.ADMIN, Role.LEADER, Role.DIRECTOR, Role.ENROLLMENT})
WORKERS = frozenset({Role.TOWNSHIP, Role.VILLAGE})
ENROLLMENT_STAFF = frozenset({Role.ADMIN, Role.ENROLLMENT})

MENU = [
    NavItem(area=Area.ENROLLMENT, url_name="enrollment:dashboard", label=_("参保进度"), stats=True),
    NavItem(area=Area.ENROLLMENT, url_name="enrollment:bulletin", label=_("每日通报"), stats=True),
    NavItem(area=Area.ENROLLMENT, url_name="enrollment:campaigns", label=_("征缴年度与档次"), stats=True),
    NavItem(
        area=Area.ENROLLMENT, url_name="enrollment:campaign_create", label=_("新建征缴年度"), roles=ENROLLMENT_STAFF
    ),
    NavItem(area=Area.ENROLLMENT, url_name="enrollment:guideline", label=_("指导性任务"), stats=True),
    NavItem(area=Area.ENROLLMENT, url_name="enrollment:my_tasks", label=_("我的动员任务"), roles=WORKERS),
    NavItem(
        area=Area.ENROLLMENT, url_name="enrollment:task_split", label=_("任务分派"), roles=BUREAU | {Role.TOWNSHIP}
    ),
    NavItem(area=Area.ENROLLMENT, url_name="enrollment:residents", label=_("参保人员查询")),
    NavItem(
        area=Area.ENROLLMENT, url_name="enrollment:imports", label=_("部门数据导入"), roles=frozenset({Role.ENROLLMENT})
    ),
    NavItem(area=Area.ENROLLMENT, url_name="enrollment:reminders", label=_("缴费提醒"), roles=BUREAU | {Role.TOWNSHIP}),
]
