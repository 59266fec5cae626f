from medinsure.accounts import scoping
from medinsure.navigation import menu_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": [], "nav_can_audit": False}
    return {"nav_sections": menu_for(user), "nav_can_audit": scoping.has_area(user, scoping.Area.AUDIT)}
