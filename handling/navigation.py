from django.utils.translation import gettext_lazy as _

from medinsure.accounts.scoping import Area
from medinsure.navigation import NavItem

MENU = [
    NavItem(area=Area.HANDLING, url_name="handling:desk", label=_("窗口受理")),
    NavItem(area=Area.HANDLING, url_name="handling:chronic_round", label=_("慢特病申报")),
    NavItem(area=Area.HANDLING, url_name="handling:items", label=_("经办事项")),
    NavItem(area=Area.HANDLING, url_name="handling:stats", label=_("经办统计"), stats=True),
]
