from django.conf import settings
from django.utils.translation import gettext as _

from medinsure.accounts import scoping
from medinsure.accounts.tokens import may_hold_token
from medinsure.navigation import menu_for


def navigation(request):
    # The bureau's own name is a deployment setting (e.g. "重庆市江津区医疗保障局"); the generic one is translated.
    portal_name = settings.PORTAL_NAME or _("区医疗保障局业务平台")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal_name": portal_name, "nav_sections": [], "nav_can_audit": False}
    return {
        "portal_name": portal_name,
        "nav_sections": menu_for(user),
        "nav_can_audit": scoping.has_area(user, scoping.Area.AUDIT),
        "nav_can_api_tokens": may_hold_token(user),
    }
