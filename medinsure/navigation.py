"""The menu of the page shell: each app lists its entries in <app>/navigation.py as MENU."""

import importlib
from dataclasses import dataclass

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from medinsure.accounts import scoping


@dataclass(frozen=True)
class NavItem:
    area: str
    url_name: str
    label: str
    stats: bool = False  # also shown to roles that read statistics (leaders, API clients)
    roles: frozenset | None = None  # only these roles of the area (None: every role of the area)


def _menus() -> list[tuple[str, list[NavItem]]]:
    menus = []
    for app in settings.BUSINESS_APPS:
        try:
            module = importlib.import_module(f"{app}.navigation")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.navigation":
                raise
            continue
        menus.append((app, list(getattr(module, "MENU", []))))
    return menus


def menu_for(user) -> list[dict]:
    """Areas the user may use, each with the entries that resolve to a URL."""
    sections = []
    for app, items in _menus():
        entries = []
        for item in items:
            allowed = scoping.can_read_stats(user, item.area) if item.stats else scoping.has_area(user, item.area)
            if not allowed or (item.roles is not None and user.role not in item.roles):
                continue
            try:
                entries.append({"label": item.label, "url": reverse(item.url_name)})
            except NoReverseMatch:
                continue
        if entries:
            sections.append({"area": app, "label": scoping.Area(app).label, "entries": entries})
    return sections
