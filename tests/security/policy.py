"""What a user may see of a route, derived from the portal's own policy (scoping, the views' guards and
the navigation) rather than a second hand-written copy of it."""

from __future__ import annotations

import importlib
from functools import cache

from django.conf import settings

from medinsure.accounts import scoping
from medinsure.accounts.permissions import StatsPermission
from tests.security.routes import Route


@cache
def _nav_stats_names() -> frozenset[str]:
    names = set()
    for app in settings.BUSINESS_APPS:
        try:
            module = importlib.import_module(f"{app}.navigation")
        except ModuleNotFoundError:
            continue
        names |= {item.url_name for item in getattr(module, "MENU", []) if item.stats}
    return frozenset(names)


def _decorator_says_stats(callback) -> bool:
    """``area_required(area, stats=True)`` keeps ``stats`` in its closure: read it from there."""
    fn = callback
    while fn is not None:
        code = getattr(fn, "__code__", None)
        if code is not None and "stats" in code.co_freevars and fn.__closure__:
            cells = dict(zip(code.co_freevars, fn.__closure__, strict=True))
            try:
                return bool(cells["stats"].cell_contents)
            except ValueError:
                pass
        fn = getattr(fn, "__wrapped__", None)
    return False


def is_stats_route(route: Route) -> bool:
    """A statistics page/endpoint: leaders and API clients read it beside the area's own staff."""
    if route.name in _nav_stats_names():
        return True
    cls = getattr(route.callback, "cls", None)
    if cls is not None:
        return any(isinstance(p, type) and issubclass(p, StatsPermission) for p in cls.permission_classes)
    return _decorator_says_stats(route.callback)


def may_see_township_b(user, route: Route) -> bool:
    """True when the user's area covers township B's rows on this route: a bureau-wide role that uses
    the route's area (or reads its statistics on a statistics route). Everyone else — township and
    village workers of A, institution staff of A's hospital, roles of other areas — must not."""
    if user is None or not scoping.is_bureau_wide(user):
        return False
    if route.area is None:
        return True
    if scoping.has_area(user, route.area):
        return True
    return is_stats_route(route) and scoping.can_read_stats(user, route.area)


def may_see(user, route: Route, division) -> bool:
    """The general rule: the rows of ``division`` on this route are the user's business when the user is
    bureau-wide (as above), or a township/village worker of the route's area whose area contains it."""
    if user is None:
        return False
    if scoping.is_bureau_wide(user):
        return may_see_township_b(user, route)
    prefix = scoping.scope_prefix(user)
    if not prefix or (route.area is not None and not scoping.has_area(user, route.area)):
        return False
    return division.code.startswith(prefix)
