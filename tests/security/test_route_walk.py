"""Every route of the site, walked as every role (a user of township A, or bureau-wide), as a user of
another township and anonymously, against a world where township B's rows carry a sentinel string:

1. a route naming one of B's objects answers 403/404 (anonymous: 302 to the login page, or 401/403 on
   the API) to everyone whose area excludes B and to roles with no business in the route's app;
2. a route without an object (lists, dashboards, exports, API lists) answers 200/302/403/404/405, and
   when 200 its body — HTML, JSON, CSV, xlsx/docx text — holds none of B's sentinels for them;
3. nothing ever answers 500, and no GET changes a row of any table;
4. ID and phone numbers appear unmasked only to roles that may see them;
5. bureau-wide roles do see B's rows (so the walk can fail when a list shows nothing at all).

New routes are walked without new code; a new URL parameter makes the walk fail until it is added to
KWARGS below.
"""

from __future__ import annotations

import io
import re
import zipfile
from html.parser import HTMLParser

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import resolve
from rest_framework.test import APIClient

from medinsure.accounts import scoping
from medinsure.accounts.models import Role
from tests.security import world as worldmod
from tests.security.policy import may_see
from tests.security.routes import PUBLIC, Route, all_routes, build_url, kwargs_for

pytestmark = [pytest.mark.django_db, pytest.mark.service]  # pages read the Redis cache (figures, throttles)

ANONYMOUS = "anonymous"
WHO = [ANONYMOUS, *Role.values]


class Literal(str):
    """A URL value that is not one of B's rows (a file format, a direction): the route is a list."""


def kwargs_table(w) -> dict:
    o = w.objects
    return {
        # core
        "core:key": Literal("walk0000"),  # captcha images/audio of the public forms
        "regions:detail.code": w.town_b.code,
        "division-detail.code": w.town_b.code,
        "job_id": o["job"].pk,
        # enrollment
        "enrollment:resident.pk": o["resident"].pk,
        "enrollment-resident.pk": o["resident"].pk,
        "enrollment:import_detail.pk": o["batch"].pk,
        "enrollment:import_errors.pk": o["batch"].pk,
        "enrollment:import_template.source": Literal("police"),
        "enrollment:import_template.fmt": Literal("xlsx"),
        "enrollment:task_outcome.pk": o["task"].pk,
        "enrollment-task-outcome.pk": o["task"].pk,
        "enrollment:campaign_edit.year": Literal(str(worldmod.YEAR)),
        # claims
        "claims:code": o["policy"].code,
        "claims-policy.code": o["policy"].code,
        "claims:settlement_detail.pk": o["settlement"].pk,
        "claims:import_detail.pk": o["settlement_import"].pk,
        "claims:import_accept.pk": o["settlement_import"].pk,
        "claims:import_errors.pk": o["settlement_import"].pk,
        "claims:import_approve.pk": o["settlement_import"].pk,
        "claims-import.pk": o["settlement_import"].pk,
        "claims-import-approve.pk": o["settlement_import"].pk,
        "claims:recalculation_detail.pk": o["recalculation"].pk,
        "claims:recalculation_approve.pk": o["recalculation"].pk,
        "claims:recalculation_discard.pk": o["recalculation"].pk,
        "claims-recalculation.pk": o["recalculation"].pk,
        # supervision
        "supervision:institution_import_errors.token": Literal("walk-no-such-token"),
        "supervision:institution.pk": o["institution"].pk,
        "supervision:institution_edit.pk": o["institution"].pk,
        "supervision:case.pk": o["case"].pk,
        "supervision:case_transition.pk": o["case"].pk,
        "supervision:case_decide.pk": o["case"].pk,
        "supervision:case_publish.pk": o["case"].pk,
        "supervision:evidence_upload.pk": o["case"].pk,
        "supervision:evidence.pk": o["evidence"].pk,
        "supervision:report.pk": o["report"].pk,
        "supervision:report_reveal.pk": o["report"].pk,
        "supervision:flag.pk": o["flag"].pk,
        "supervision:rule.pk": o["rule"].pk,
        "supervision-case-detail.pk": o["case"].pk,
        "supervision-case-decide.pk": o["case"].pk,
        "supervision-case-transition.pk": o["case"].pk,
        "supervision-flag-detail.pk": o["flag"].pk,
        "supervision-flag-answer.pk": o["flag"].pk,
        "supervision-flag-review.pk": o["flag"].pk,
        "supervision-institution-detail.pk": o["institution"].pk,
        # fundbudget
        "fundbudget:import_id": o["statement_import"].pk,
        "fundbudget:budget_form.fund": o["budget"].fund,
        "fundbudget:budget_form.year": o["budget"].year,
        # replies
        "replies:case_detail.pk": o["proposal"].pk,
        "replies:case_action.pk": o["proposal"].pk,
        "replies:case_action.action": "assign",
        "replies:commitment_progress.pk": o["proposal"].pk,
        "replies:commitment_id": o["commitment"].pk,
        "replies:letter_start.pk": o["proposal"].pk,
        "replies:letter_edit.pk": o["version"].pk,
        "replies:section_add.pk": o["version"].pk,
        "replies:letter_sign.pk": o["version"].pk,
        "replies:letter_revise.pk": o["version"].pk,
        "replies:letter_publish.pk": o["version"].pk,
        "replies:letter_docx.pk": o["version"].pk,
        "replies:letter_print.pk": o["version"].pk,
        "replies:section_id": o["section"].pk,
        "replies:direction": "up",
        "replies:public_detail.pk": Literal("999999"),
        "proposal-detail.pk": o["proposal"].pk,
        "published-detail.pk": Literal("999999"),
        # handling
        "handling:tracking": o["application"].tracking_number,
        "handling:act.action": "accept",
        "handling:resident.pk": o["resident"].pk,
    }


def _user(w, who):
    if who == ANONYMOUS:
        return None
    return w.users[who]


def _clients(w, user):
    page, api = Client(raise_request_exception=False), APIClient(raise_request_exception=False)
    if user is not None:
        page.force_login(user)
        api.credentials(HTTP_AUTHORIZATION=f"Token {w.tokens[user.pk]}")
    return page, api


def body_text(response) -> str:
    """Every text a response carries: HTML/JSON/CSV as is, Office files (xlsx, docx) unzipped."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if raw[:2] == b"PK":
        parts = []
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            for name in z.namelist():
                if name.endswith((".xml", ".rels")):
                    parts.append(z.read(name).decode("utf-8", "replace"))
        return "\n".join(parts)
    return raw.decode("utf-8", "replace")


# Tables a GET may write by design: the audit log (views of personal data are logged), sessions, the
# login-attempt log, the captcha store (a public form's GET makes a new challenge), and API tokens (an
# authenticated request notes when its token was last used).
SNAPSHOT_SKIP = {
    "audit_auditlog",
    "accounts_apitoken",
    "django_session",
    "captcha_captchastore",
    "axes_accessattempt",
    "axes_accesslog",
    "axes_accessfailurelog",
}


def table_digests() -> dict[str, str]:
    """A digest of every table's rows: any insert, update or delete changes it."""
    with connection.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [r[0] for r in cur.fetchall() if r[0] not in SNAPSHOT_SKIP]
        digests = {}
        for t in tables:
            cur.execute(f"SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM \"{t}\" x")
            digests[t] = cur.fetchone()[0]
    return digests


class _rolled_back:
    """A savepoint rolled back at its end; the services' durable blocks may run inside (as in a TestCase)."""

    def __enter__(self):
        self.atomic = transaction.atomic()
        self.atomic._from_testcase = True
        self.atomic.__enter__()

    def __exit__(self, *exc):
        transaction.set_rollback(True)
        self.atomic.__exit__(*exc)
        return False


# Statistics endpoints want a period: a bare GET that answers 400 is tried again with these, so their
# figures are read (and searched for B) too.
PERIODS = ("", f"?year={worldmod.YEAR}", "?year=2024&month=4", "?year=2024")


def _get(client, url):
    for query in PERIODS:
        r = client.get(url + query, HTTP_ACCEPT="text/html,application/json")
        if r.status_code != 400:
            break
    return r


def _bad_status(route, user, status: int, location: str, *, zone) -> str | None:
    """``zone``: the division whose row the URL names (None when it names none)."""
    if status >= 500 and not (route.name == "healthz" and status == 503):  # 503: no worker, by design
        return f"{status}"
    if route.name in PUBLIC:
        return None
    if user is None:
        if route.is_api:
            return None if status in (401, 403) else f"{status}, expected 401/403 for anonymous"
        if status == 302 and location.startswith("/accounts/login/"):
            return None
        return f"{status} {location}, expected 302 to the login page for anonymous"
    if zone is not None and not may_see(user, route, zone):
        return None if status in (403, 404, 405) else f"{status} {location}, expected 403/404 (a row of {zone.name})"
    return None


class _Forms(HTMLParser):
    """The POST forms of a page: action → field values as a browser would submit them unchanged."""

    def __init__(self, url):
        super().__init__()
        self.url, self.forms, self.current, self.select, self.textarea = url, {}, None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.current = self.forms.setdefault(a.get("action") or self.url, {})
        elif self.current is None or not a.get("name"):
            return
        elif tag == "input" and a.get("type") not in ("file", "submit", "image", "reset"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.current.setdefault(a["name"], a.get("value") or "")
        elif tag == "button" and a.get("value"):
            self.current.setdefault(a["name"], a["value"])
        elif tag == "select":
            self.select = a["name"]
        elif tag == "textarea":
            self.textarea = a["name"]
            self.current.setdefault(a["name"], "")
        if tag == "option" and self.select and (self.select not in self.current or "selected" in a):
            self.current[self.select] = a.get("value", "")

    def handle_data(self, data):
        if self.textarea and self.current is not None:
            self.current[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


@pytest.fixture(scope="module")
def plausible(world):
    """For every page the admin can open, the data its POST forms would send: replayed by everyone
    else against the same URLs (a township-A worker posting B's case transition with real values)."""
    client, _api = _clients(world, world.users[Role.ADMIN])
    table = kwargs_table(world)
    data: dict[str, dict] = {}
    with _rolled_back():
        for route in all_routes():
            if route.is_api or route.name in PUBLIC or (route.methods is not None and "GET" not in route.methods):
                continue
            url = build_url(route, kwargs_for(route, table))
            r = client.get(url)
            if r.status_code == 200 and "html" in r.get("Content-Type", ""):
                parser = _Forms(url)
                parser.feed(r.content.decode("utf-8", "replace"))
                for action, fields in parser.forms.items():
                    fields.pop("csrfmiddlewaretoken", None)
                    data.setdefault(action.split("?")[0], fields)
    return data


def zone_table(w, zone: str) -> dict:
    """The kwargs map with the resident and task of one of A's villages ("a1", "a2") instead of B's."""
    o = w.objects
    suffix = {"a1": "_a", "a2": "_a2"}[zone]
    swap = {
        ("resident", "pk"): o["resident" + suffix].pk,
        ("task", "pk"): o["task" + suffix].pk,
    }
    table = {}
    for key, value in kwargs_table(w).items():
        for (kind, attr), new in swap.items():
            if not isinstance(value, Literal) and value == getattr(o[kind], attr):
                value = new
        table[key] = value
    return table


def _forbidden_numbers(w, user) -> list[str]:
    if user is None or scoping.may_see_personal_numbers(user):
        return []
    o = w.objects
    residents = [o["resident_a"], o["resident_a2"], o["resident"]]
    numbers = [r.id_number for r in residents] + [r.id_number[:6] + r.id_number[8:17] for r in residents]
    numbers += list(worldmod.OLD_PHONES.values())
    # A worker sees the phone numbers of the people on their own tasks (to call them); nobody else's.
    from enrollment.models import MobilisationTask

    own = set(MobilisationTask.objects.filter(assignee=user).values_list("resident__phone", flat=True))
    return numbers + [p for p in (worldmod.A_PHONE, worldmod.A2_PHONE, worldmod.B_PHONE) if p not in own]


def _check_body(w, user, route, url, r, problems, forbidden_numbers, bodies=None):
    if r.status_code != 200:
        return
    text = body_text(r)
    if bodies is not None:
        bodies[route] = text
    public = route.name in PUBLIC  # nothing of the world is published: a public page shows none of it …
    if public:  # … except the names of designated institutions (public by law; the whistle-blower form lists them)
        text = text.replace(w.objects["institution"].name, "")
    for division, marks in w.zones:
        if public or not may_see(user, route, division):
            leaked = [s for s in marks if s in text]
            if leaked:
                problems.append(f"GET {url} [{route.name}] shows {division.name}'s {leaked}")
    unmasked = [n for n in forbidden_numbers if n in text]
    if unmasked:
        problems.append(f"GET {url} [{route.name}] shows unmasked numbers {unmasked}")


def hostile_filters(w) -> list[str]:
    """Query strings that ask a list for township B (division, parent, village, institution, search)."""
    from urllib.parse import urlencode

    o = w.objects
    return [
        "?"
        + urlencode(
            {
                "division": w.village_b.code,
                "parent": w.town_b.code,
                "village": w.village_b.pk,
                "institution": o["institution"].pk,
                "q": "哨兵",  # part of B's names, not the sentinel itself: pages echo the search box
                "year": worldmod.YEAR,
            }
        ),
        "?"
        + urlencode(
            {
                "division": w.town_b.code,
                "parent": w.town_b.code,
                "village": w.village_b.code,
                "q": o["resident"].id_number[:14],
                "format": "xlsx",
            }
        ),
    ]


def walk(w, user, table, *, zone, plausible=None, only=None, bodies=None, clients=None) -> list[str]:
    """GET (and POST, when ``plausible`` is given) every route as ``user``; the problems found.
    ``clients``: (page, api) clients to send with instead of ``user``'s own."""
    page, api = clients or _clients(w, user)
    forbidden_numbers = _forbidden_numbers(w, user)
    problems: list[str] = []
    posts = []
    before = table_digests()
    for route in all_routes():
        values = kwargs_for(route, table)
        if only is not None and not only(values):
            continue
        url = build_url(route, values)
        names = zone if any(not isinstance(v, Literal) for v in values.values()) else None
        client = api if route.is_api else page
        methods = route.methods
        if methods is None or "GET" in methods:
            r = _get(client, url)
            bad = _bad_status(route, user, r.status_code, r.get("Location", ""), zone=names)
            if bad:
                problems.append(f"GET {url} [{route.name}] → {bad}")
            _check_body(w, user, route, url, r, problems, forbidden_numbers, bodies)
            if names is not None and not route.is_api and not may_see(user, route, names):
                # the htmx partial of the same page (several views render another template for it)
                rh = client.get(url, HTTP_HX_REQUEST="true")
                bad = _bad_status(route, user, rh.status_code, rh.get("Location", ""), zone=names)
                if bad:
                    problems.append(f"GET {url} (htmx) [{route.name}] → {bad}")
                _check_body(w, user, route, url, rh, problems, forbidden_numbers)
            if r.status_code == 200 and names is None and not may_see(user, route, w.town_b):
                # the filters a list takes, pointed at B: they may narrow the user's area, never widen it
                for query in hostile_filters(w):
                    rq = client.get(url + query, HTTP_ACCEPT="text/html,application/json")
                    if rq.status_code >= 500:
                        problems.append(f"GET {url}{query} [{route.name}] → {rq.status_code}")
                    _check_body(w, user, route, url + query, rq, problems, forbidden_numbers)
        if methods is None or methods & {"POST", "PUT", "PATCH", "DELETE"}:
            posts.append((route, url, names, client))
    after = table_digests()
    changed = sorted(t for t in before if before[t] != after.get(t))
    if changed:
        problems.append(f"GET requests changed rows of {changed}")
    if plausible is None:
        return problems
    # forms whose action is a URL the walk did not build (replies' /do/contact/, /move/down/ …)
    by_view = {r.callback: r for r in all_routes()}
    walked = {url for _r, url, _n, _c in posts}
    for url in sorted(set(plausible) - walked):
        match = resolve(url)
        route = by_view.get(match.func)
        if route is not None:
            # B's row only when a value is the one B's table gives THIS route's parameter: a row of A whose
            # pk happens to equal some other B object's pk (a fresh database numbers both from 1) is not B's
            b_values = {k: v for k, v in kwargs_for(route, table).items() if not isinstance(v, Literal)}
            named = any(str(b_values.get(k)) == str(v) for k, v in match.kwargs.items() if k in b_values)
            posts.append((route, url, zone if named else None, api if route.is_api else page))
    for route, url, names, client in posts:
        if route.name == "logout":
            continue
        attempts = [{}]
        if url in plausible:  # outsiders must be refused; insiders must get an answer, never a 500
            attempts.append(plausible[url])
        for data in attempts:
            with _rolled_back():
                r = client.post(url, data, format="json") if route.is_api else client.post(url, data)
                bad = _bad_status(route, user, r.status_code, r.get("Location", ""), zone=names)
                if bad:
                    problems.append(f"POST {url} {sorted(data)} [{route.name}] → {bad}")
        for method in sorted((route.methods or set()) & {"PUT", "PATCH", "DELETE"}):
            with _rolled_back():
                r = client.generic(method, url, "{}", content_type="application/json")
                bad = _bad_status(route, user, r.status_code, r.get("Location", ""), zone=names)
                if bad:
                    problems.append(f"{method} {url} [{route.name}] → {bad}")
    return problems


@pytest.mark.parametrize("who", WHO)
def test_walk_every_route(world, plausible, who):
    """Township B's objects closed, B's rows absent, no 500, GET writes nothing — for every role."""
    problems = walk(world, _user(world, who), kwargs_table(world), zone=world.town_b, plausible=plausible)
    assert not problems, f"{who}:\n" + "\n".join(problems)


@pytest.mark.parametrize("zone", ["a1", "a2"])
@pytest.mark.parametrize("who", list(Role.values))
def test_walk_villages_of_a(world, who, zone):
    """The pages of a resident and a task of A's own villages: open to A's township worker and to the
    village's own worker, closed (403/404) to the other village's worker and to roles without the
    area; ID and phone numbers masked for roles that may not see them."""
    division = {"a1": world.village_a, "a2": world.village_a2}[zone]
    b_values = {str(v) for v in kwargs_table(world).values()}
    table = zone_table(world, zone)
    changed = {str(v) for v in table.values()} - b_values
    problems = walk(
        world,
        world.users[who],
        table,
        zone=division,
        only=lambda values: bool({str(v) for v in values.values()} & changed),
    )
    assert not problems, f"{who} on {division.name}:\n" + "\n".join(problems)


def test_the_walk_can_see_township_b(world):
    """The positive control: a bureau-wide user does see B's rows — on the pages of every app and on B's
    objects' own pages — so an empty world or an always-403 site cannot pass the walk."""
    bodies: dict = {}
    problems = walk(world, world.users[Role.ADMIN], kwargs_table(world), zone=world.town_b, bodies=bodies)
    assert not problems, "\n".join(problems)
    seen_by_app: dict[str, list[str]] = {}
    for route, text in bodies.items():
        if worldmod.SENTINEL in text:
            seen_by_app.setdefault(route.app, []).append(route.name)
    for app in ("enrollment", "claims", "supervision", "fundbudget", "replies", "jobs", "audit"):
        assert seen_by_app.get(app), f"the admin sees nothing of township B in {app}"
    for name in (
        "enrollment:residents",
        "enrollment:resident",
        "enrollment-residents",
        "claims:settlement_list",
        "claims:settlement_detail",
        "supervision:cases",
        "supervision:case",
        "supervision:flags",
        "supervision:institutions",
        "replies:case_list",
        "replies:case_detail",
    ):
        assert name in sum(seen_by_app.values(), []), f"the admin does not see township B on {name}"


# Routes whose name says they change something: GET must be refused (405), never acted upon.
ACTION = re.compile(
    r"(?:^|[_:-])(transition|approve|discard|accept|apply|delete|move|sign|revise|outcome|commitment_progress|answer|"
    r"review|load_files|insert|action|add|save|receipts|calculate|upload|start)$"
)
# … except pages that show their form on GET and act on POST only.
FORM_PAGES = {"claims:recalculation_start", "claims:import_upload"}


def test_state_changing_routes_refuse_get(world):
    page, api = _clients(world, world.users[Role.ADMIN])
    table = kwargs_table(world)
    actions = [r for r in all_routes() if ACTION.search(r.name) and r.name not in FORM_PAGES]
    assert len(actions) >= 15, [r.name for r in actions]
    wrong = []
    for route in actions:
        url = build_url(route, kwargs_for(route, table))
        status = (api if route.is_api else page).get(url).status_code
        if status != 405:
            wrong.append(f"{route} answers GET with {status}")
    assert not wrong, "\n".join(wrong)


def test_every_post_needs_the_csrf_token(world):
    """A signed-in browser's POST without the CSRF token is refused (403) on every route: no page and no
    session-authenticated API view is exempt. (Token-authenticated API calls carry no cookie to forge.)"""
    from rest_framework.authentication import SessionAuthentication

    browser = Client(enforce_csrf_checks=True, raise_request_exception=False)
    browser.force_login(world.users[Role.ADMIN])
    table = kwargs_table(world)
    wrong = []
    for route in all_routes():
        cls = getattr(route.callback, "cls", None)
        if cls is not None and not any(issubclass(a, SessionAuthentication) for a in cls.authentication_classes):
            continue  # no session, no cookie to ride on
        url = build_url(route, kwargs_for(route, table))
        with _rolled_back():
            status = browser.post(url, {"walk": "1"}).status_code
        if status != 403:
            wrong.append(f"POST {url} [{route.name}] without a CSRF token → {status}")
    assert not wrong, "\n".join(wrong)


def test_a_deactivated_account_is_anonymous_at_once(world):
    """An admin switched off while signed in: the open session and the API token are worth nothing —
    every route answers as to an anonymous visitor (302 to the login page, API 401/403)."""
    admin = world.users[Role.ADMIN]
    clients = _clients(world, admin)
    admin.is_active = False
    admin.save(update_fields=["is_active"])
    problems = walk(world, None, kwargs_table(world), zone=world.town_b, clients=clients)
    assert not problems, "\n".join(problems)


def test_a_new_parameter_fails_the_walk_until_mapped(world):
    """A route taking a parameter the map does not know is not skipped: the walk stops and says what to add."""
    route = Route("claims/widgets/<int:widget_id>/", "claims:widget", None, ("widget_id",), "claims", False)
    with pytest.raises(AssertionError, match="add 'claims:widget.widget_id'"):
        kwargs_for(route, kwargs_table(world))
    assert all(kwargs_for(r, kwargs_table(world)) is not None for r in all_routes())


@pytest.mark.parametrize("who", list(Role.values))
def test_admin_is_closed_to_portal_roles(world, who):
    """Django's admin (not walked above) lets none of the portal's roles in: every model's list sends
    them to the admin's own login."""
    from django.contrib import admin
    from django.urls import reverse

    client = Client(raise_request_exception=False)
    client.force_login(world.users[who])
    urls = [reverse("admin:index")] + [
        reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist") for m in admin.site._registry
    ]
    wrong = []
    for url in urls:
        r = client.get(url)
        if not (r.status_code == 302 and r["Location"].startswith(reverse("admin:login"))):
            wrong.append(f"{url} → {r.status_code}")
    assert not wrong, f"{who}: " + ", ".join(wrong)


def test_township_a_sees_its_own(world, client):
    """The other positive control: A's worker gets A's rows (the walk's 'nothing of B' is not an empty page)."""
    client.force_login(world.users[Role.TOWNSHIP])
    residents = client.get("/enrollment/residents/").content.decode()
    assert worldmod.A1_MARK in residents and worldmod.A2_MARK in residents
    client.force_login(world.users[Role.VILLAGE])
    assert worldmod.A1_MARK in client.get("/enrollment/tasks/mine/").content.decode()
    client.force_login(world.users[Role.INSTITUTION])
    assert "甲镇案情" in client.get(f"/supervision/cases/{world.objects['case_a'].pk}/").content.decode()
