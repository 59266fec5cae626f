"""Every URL pattern of the site, with its name, view, app area and the HTTP methods it may take.

``all_routes()`` walks ``get_resolver()`` recursively (medinsure/urls.py, every app's urls, the REST
API's routers), so a new route is walked by the security tests without new code. A route's URL
kwargs are filled from ``KWARGS`` (township B's objects); a route whose kwargs are not there fails the
walk with a message naming the parameter to add.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

from medinsure.accounts.scoping import Area

# Routes that are public on purpose or not the portal's own: walked for "no 500" only where useful.
PUBLIC = {
    "login",  # the sign-in form
    "logout",  # signs out (POST); anonymous is fine
    "healthz",  # load balancer probe
    "set_language",  # i18n language switch of the public forms
    "captcha-image",  # captcha of the public forms
    "captcha-image-2x",
    "captcha-audio",
    "captcha-refresh",
    "api-token",  # obtains an API token with username + password
    "schema",  # the OpenAPI schema (no data)
    "swagger-ui",  # the API's documentation page (no data)
    "supervision:public_report",  # whistle-blower form
    "supervision:public_report_status",  # whistle-blower's status look-up by tracking code
    "supervision:public_cases",  # published cases (exposure, public by law)
    "replies:public_list",  # published replies
    "replies:public_detail",
    "published-list",  # the same published replies through the API
    "published-detail",
}
# Not walked: Django's admin has its own guard (is_staff) and dozens of generic routes; it is checked
# on its own in test_route_walk.test_admin_is_closed_to_portal_roles.
SKIP_PREFIXES = ("admin/",)

# Which area a route belongs to: by URL namespace for pages, by the path under /api/v1/ for the API.
AREA_BY_APP = {
    "enrollment": Area.ENROLLMENT,
    "claims": Area.CLAIMS,
    "supervision": Area.SUPERVISION,
    "fundbudget": Area.FUNDBUDGET,
    "replies": Area.REPLIES,
    "handling": Area.HANDLING,
    "audit": Area.AUDIT,
    "jobs": None,  # every signed-in user; rows scoped by owner
    "regions": None,  # every signed-in user; rows scoped by area
    "auth": None,
}


@dataclass(frozen=True)
class Route:
    pattern: str  # the full pattern as written, e.g. "enrollment/residents/<int:pk>/"
    name: str  # "namespace:name" (DRF routes have no namespace)
    callback: object
    params: tuple[str, ...]
    app: str
    is_api: bool

    @property
    def area(self):
        return AREA_BY_APP.get(self.app)

    @property
    def methods(self) -> set[str] | None:
        """HTTP methods the view declares; None when it cannot tell (a plain function view)."""
        actions = getattr(self.callback, "actions", None)
        if actions:
            return {m.upper() for m in actions}
        cls = getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None)
        if cls is not None:
            return {m.upper() for m in cls.http_method_names if hasattr(cls, m) and m not in ("options", "head")}
        return None

    def __str__(self) -> str:
        return f"{self.name} (/{self.pattern})"


_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def _walk(patterns, prefix: str, namespace: str | None, parts: list):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns, parts + [p.pattern])
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), (f"{namespace}:{p.name}" if namespace else p.name), p, parts + [p.pattern]


def all_routes() -> list[Route]:
    routes = []
    for pattern, name, p, parts in _walk(get_resolver().url_patterns, "", None, []):
        if pattern.startswith(SKIP_PREFIXES):
            continue
        params = []
        for part in parts:
            if isinstance(part, RoutePattern):
                params += _CONVERTER.findall(str(part))
            elif isinstance(part, RegexPattern):
                params += _GROUP.findall(str(part))
        is_api = pattern.startswith("api/")
        if is_api:
            m = re.match(r"api/v1/(\w+)/", pattern)
            app = m.group(1) if m else "api"
        else:
            app = name.split(":")[0] if name and ":" in name else "core"
        routes.append(Route(pattern, name or "", p.callback, tuple(params), app, is_api))
    return routes


def build_url(route: Route, values: dict) -> str:
    """The URL of a route with its kwargs filled in; checked to resolve back to the same view."""
    url = route.pattern
    url = _GROUP.sub(lambda m: str(values[m.group(1)]), url)  # regex groups first: "(?P<pk>…)"
    url = _CONVERTER.sub(lambda m: str(values[m.group(1)]), url)
    url = "/" + url.replace("^", "").replace("$", "").replace("\\", "")
    match = resolve(url)
    assert match.func is route.callback or getattr(match.func, "__wrapped__", None) is route.callback, (
        f"{url} resolves to {match.view_name}, not {route}"
    )
    return url


def kwargs_for(route: Route, table: dict) -> dict:
    """Fill a route's kwargs: first by "<route name>.<param>", then "<app>:<param>", then "<param>"."""
    values = {}
    for param in route.params:
        for key in (f"{route.name}.{param}", f"{route.app}:{param}", param):
            if key in table:
                values[param] = table[key]
                break
        else:
            raise AssertionError(
                f"route {route} takes '{param}', which tests/security/test_route_walk.py's kwargs map does not "
                f"know: add '{route.name}.{param}' (or '{route.app}:{param}') → an object of township B"
            )
    return values
