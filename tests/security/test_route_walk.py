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
import zipfile

import pytest
from django.db import connection, transaction
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from medinsure.accounts import scoping
from medinsure.accounts.models import Role
from tests.security import world as worldmod
from tests.security.policy import may_see_township_b
from tests.security.routes import PUBLIC, all_routes, build_url, kwargs_for

pytestmark = [pytest.mark.django_db]

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
        "enrollment-resident.id_number": o["resident"].id_number,
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
    }


# --- the world, built once for the module and rolled back at its end ------------------------------
@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True  # the services' durable blocks run inside, as in a TestCase
        with outer:
            w = worldmod.build()
            w.tokens = {u.pk: Token.objects.create(user=u).key for u in [*w.users.values(), *w.b_users.values()]}
            yield w
            transaction.set_rollback(True)


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
# login-attempt log, and the captcha store (a public form's GET makes a new challenge).
SNAPSHOT_SKIP = {
    "audit_auditlog",
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


def _get(client, url):
    return client.get(url, HTTP_ACCEPT="text/html,application/json")


def _bad_status(route, user, status: int, location: str, *, names_b: bool, method: str) -> str | None:
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
    if names_b and not may_see_township_b(user, route):
        return None if status in (403, 404, 405) else f"{status}, expected 403/404 (B's object)"
    return None


@pytest.mark.parametrize("who", WHO)
def test_walk_every_route(world, who):
    w = world
    user = _user(w, who)
    page, api = _clients(w, user)
    table = kwargs_table(w)
    forbidden_numbers = []
    if user is not None and not scoping.may_see_personal_numbers(user):
        forbidden_numbers = [w.objects["resident_a"].id_number, w.objects["resident"].id_number]
        # A worker sees the phone numbers of the people on their own tasks (to call them); nobody else's.
        from enrollment.models import MobilisationTask

        own = set(MobilisationTask.objects.filter(assignee=user).values_list("resident__phone", flat=True))
        forbidden_numbers += [p for p in (worldmod.A_PHONE, worldmod.B_PHONE) if p not in own]
    problems: list[str] = []
    before = table_digests()
    posts = []
    for route in all_routes():
        values = kwargs_for(route, table)
        url = build_url(route, values)
        names_b = any(not isinstance(v, Literal) for v in values.values())
        client = api if route.is_api else page
        methods = route.methods
        if methods is None or "GET" in methods:
            r = _get(client, url)
            bad = _bad_status(route, user, r.status_code, r.get("Location", ""), names_b=names_b, method="GET")
            if bad:
                problems.append(f"GET {url} [{route.name}] → {bad}")
            if r.status_code == 200 and route.name not in PUBLIC:
                text = body_text(r)
                if not may_see_township_b(user, route):
                    leaked = [s for s in w.sentinels if s in text]
                    if leaked:
                        problems.append(f"GET {url} [{route.name}] shows township B's {leaked}")
                unmasked = [n for n in forbidden_numbers if n in text]
                if unmasked:
                    problems.append(f"GET {url} [{route.name}] shows unmasked numbers {unmasked}")
        if methods is None or methods & {"POST", "PUT", "PATCH", "DELETE"}:
            posts.append((route, url, names_b, client))
    after = table_digests()
    changed = sorted(t for t in before if before[t] != after.get(t))
    if changed:
        problems.append(f"GET requests changed rows of {changed}")
    for route, url, names_b, client in posts:
        if route.name in ("logout",):
            continue
        with _rolled_back():
            r = client.post(url, {}, format="json") if route.is_api else client.post(url, {})
            bad = _bad_status(route, user, r.status_code, r.get("Location", ""), names_b=names_b, method="POST")
            if bad:
                problems.append(f"POST {url} [{route.name}] → {bad}")
    assert not problems, f"{who}:\n" + "\n".join(problems)
