from django.utils.translation import gettext_lazy as _

from medinsure.accounts.scoping import Area
from medinsure.navigation import NavItem

MENU = [
    NavItem(area=Area.REPLIES, url_name="replies:case_list", label=_("建议提案办理")),
    NavItem(area=Area.REPLIES, url_name="replies:case_create", label=_("登记建议提案")),
    NavItem(area=Area.REPLIES, url_name="replies:import", label=_("导入交办清单")),
    NavItem(area=Area.REPLIES, url_name="replies:commitment_list", label=_("承诺事项跟踪")),
    NavItem(area=Area.REPLIES, url_name="replies:reminder_list", label=_("办理提醒")),
    NavItem(area=Area.REPLIES, url_name="replies:stats", label=_("办理统计"), stats=True),
    NavItem(area=Area.REPLIES, url_name="replies:holiday_list", label=_("节假日安排")),
    NavItem(area=Area.REPLIES, url_name="replies:public_list", label=_("答复公开")),
]
