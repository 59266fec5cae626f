"""DRF permissions built on medinsure.accounts.scoping (the only place that decides access)."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from medinsure.accounts import scoping


class AreaPermission(BasePermission):
    """The user's role may use this area of the portal."""

    area: str = ""

    @classmethod
    def for_area(cls, area: str) -> type["AreaPermission"]:
        return type(f"{cls.__name__}_{area}", (cls,), {"area": area})

    def has_permission(self, request, view) -> bool:
        return scoping.has_area(request.user, self.area)


class StatsPermission(AreaPermission):
    """Read-only statistics: area staff, leaders and API clients."""

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS and scoping.can_read_stats(request.user, self.area)
