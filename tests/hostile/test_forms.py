"""Every POST form of the portal, found by walking every page (tests/security's world and route
table) as the roles that work in each app, is submitted with hostile values:

- script tags and attribute breakers, SQL fragments, 10,000-character strings, NUL bytes, bytes that
  are not UTF-8, in every text field (the other fields keep the values the page offers);
- wrong types in the typed fields: text for numbers/dates/money, negative money, 2026-02-30, 1e309;
- every field empty.

For each submission: no 500; a refused submission (400, or the form re-rendered with an error)
changes no row of any table (nothing stored half-way); and the raw script/attribute payload never
appears in the answer or in the page it redirects to (stored as text, always rendered escaped)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote_from_bytes, urlencode

import pytest
from django.test import Client

from medinsure.accounts.models import Role
from medinsure.accounts.scoping import has_area
from tests.hostile.conftest import changed_tables, table_counts
from tests.security.routes import PUBLIC, all_routes, build_url, kwargs_for
from tests.security.test_route_walk import _rolled_back, kwargs_table

pytestmark = [pytest.mark.django_db]

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
TEXT_PAYLOADS = {
    "script": SCRIPT,
    "attribute": ATTRIBUTE,
    "sql-or": "' OR 1=1 --",
    "sql-drop": "'; DROP TABLE accounts_user; --",
    "long": "长" * 10_000,
    "nul": "前\x00后",
}
RAW = {"script": SCRIPT, "attribute": ATTRIBUTE}
# typed inputs: what a hostile client sends instead of a number or a date
TYPED_PAYLOADS = {
    "number": ["abc", "-1", "-100.00", "1e309", "NaN", "９９", "99999999999999999999"],
    "date": ["abc", "2026-02-30", "0000-00-00", "99999-01-01"],
}
# the roles whose pages hold the forms: the admin opens every staff page (50 of the 52 forms); the
# village worker and the institution have pages of their own (their tasks, their self-inspection)
ROLES = [Role.ADMIN, Role.VILLAGE, Role.INSTITUTION]
ANONYMOUS = "anonymous"  # the public pages' forms (whistle-blower report, its status look-up)
# forms that are not the portal's business data
SKIP_ACTIONS = ("/accounts/logout/", "/i18n/setlang/", "/accounts/login/")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
# POST endpoints that save and answer 200 with the page or an htmx fragment instead of a redirect
SAVES_AND_RENDERS: set[str] = set()


@dataclass
class Form:
    action: str
    role: str
    fields: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)  # name -> text | number | date | fixed
    has_file: bool = False


class FormParser(HTMLParser):
    """The POST forms of a page with each field's default value and kind."""

    def __init__(self, url: str, role: str):
        super().__init__()
        self.url, self.role, self.forms = url, role, []
        self.current: Form | None = None
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "").lower() == "post" or "hx-post" in a:
                action = a.get("hx-post") or a.get("action") or self.url
                self.current = Form(action.split("#")[0], self.role)
                self.forms.append(self.current)
            return
        form, name = self.current, a.get("name")
        if form is None or not name:
            return
        kind = a.get("type", "text").lower()
        if tag == "input":
            if kind == "file":
                form.has_file = True
            elif kind in ("submit", "image", "reset", "button"):
                pass
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    form.fields.setdefault(name, a.get("value", "on"))
                    form.kinds.setdefault(name, "fixed")
            else:
                form.fields.setdefault(name, a.get("value", ""))
                numeric = (
                    a.get("inputmode") in ("decimal", "numeric") or "step" in a or NUMBER.match(a.get("value", ""))
                )
                if kind == "text" and numeric:
                    kind = "number"  # a money/count field drawn as a text box
                form.kinds.setdefault(name, {"number": "number", "date": "date", "hidden": "fixed"}.get(kind, "text"))
        elif tag == "select":
            self.select = name
            form.kinds.setdefault(name, "fixed")
        elif tag == "option" and self.select:
            if self.select not in form.fields or ("selected" in a) or not form.fields[self.select]:
                form.fields[self.select] = a.get("value", "")
        elif tag == "textarea":
            self.textarea = name
            form.fields.setdefault(name, "")
            form.kinds.setdefault(name, "text")

    def handle_data(self, data):
        if self.textarea and self.current is not None:
            self.current.fields[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def plausible_value(form: Form, name: str) -> str:
    value, kind = form.fields[name], form.kinds[name]
    if value:
        return value
    return {"number": "1", "date": "2025-03-01", "text": "测试"}.get(kind, value)


@pytest.fixture(scope="module")
def forms(world) -> list[Form]:
    """Every POST form of every page, as the roles above see them (one per action and role set)."""
    table = kwargs_table(world)
    found: dict[str, Form] = {}
    pages = [r for r in all_routes() if not r.is_api and r.name not in PUBLIC]
    public = [r for r in all_routes() if not r.is_api and r.name in PUBLIC]
    with _rolled_back():
        for role in [*ROLES, ANONYMOUS]:
            client = _client(world, role)
            for route in public if role == ANONYMOUS else pages:
                if route.methods is not None and "GET" not in route.methods:
                    continue
                if role not in (Role.ADMIN, ANONYMOUS) and route.area and not has_area(world.users[role], route.area):
                    continue
                url = build_url(route, kwargs_for(route, table))
                r = client.get(url)
                if r.status_code != 200 or "html" not in r.get("Content-Type", ""):
                    continue
                parser = FormParser(url, role)
                parser.feed(r.content.decode("utf-8", "replace"))
                for form in parser.forms:
                    form.fields.pop("csrfmiddlewaretoken", None)
                    form.kinds.pop("csrfmiddlewaretoken", None)
                    if form.action.startswith(SKIP_ACTIONS) or form.has_file:
                        continue  # uploads: tests/hostile/test_uploads.py
                    found.setdefault(form.action.split("?")[0] + "|" + ",".join(sorted(form.fields)), form)
    return list(found.values())


def _client(world, role) -> Client:
    client = Client(raise_request_exception=False)
    if role != ANONYMOUS:
        client.force_login(world.users[role])
    return client


def _submissions(form: Form):
    """(label, body) pairs: urlencoded bodies, so invalid UTF-8 can be sent as it is."""
    base = {n: plausible_value(form, n) for n in form.fields}
    if "captcha_0" in base:  # a public form: a fresh challenge is solved just before each post
        base.update(captcha_0="CAPTCHAKEY", captcha_1="CAPTCHAANSWER")
    text = [n for n, k in form.kinds.items() if k == "text"]
    if text:
        for label, payload in TEXT_PAYLOADS.items():
            yield label, urlencode({**base, **dict.fromkeys(text, payload)})
        invalid = urlencode({k: v for k, v in base.items() if k not in text})
        invalid += "".join(f"&{quote_from_bytes(n.encode())}=%FF%FE%C0%AF" for n in text)
        yield "invalid-utf8", invalid.lstrip("&")
    for kind, payloads in TYPED_PAYLOADS.items():
        names = [n for n, k in form.kinds.items() if k == kind]
        for payload in payloads if names else ():
            yield f"{kind}:{payload}", urlencode({**base, **dict.fromkeys(names, payload)})
    if form.fields:
        yield "empty", urlencode(dict.fromkeys(form.fields, ""))


def test_the_walk_finds_the_portals_forms(forms):
    actions = {f.action.split("?")[0] for f in forms}
    # positive control: the walk reaches the forms of every app, so an empty walk cannot pass
    for prefix in ("/enrollment/", "/claims/", "/supervision/", "/fundbudget/", "/replies/"):
        assert any(a.startswith(prefix) for a in actions), (prefix, sorted(actions))
    assert len(forms) >= 25, sorted(actions)


def test_every_form_answers_hostile_input_without_500_half_writes_or_raw_html(world, forms):
    problems: list[str] = []
    clients: dict[str, Client] = {}
    for form in forms:
        client = clients.get(form.role)
        if client is None:
            client = clients[form.role] = _client(world, form.role)
        for label, body in _submissions(form):
            with _rolled_back():
                if "CAPTCHAKEY" in body:
                    from captcha.models import CaptchaStore

                    key = CaptchaStore.generate_key()
                    answer = CaptchaStore.objects.get(hashkey=key).response
                    body = body.replace("CAPTCHAKEY", key).replace("CAPTCHAANSWER", answer)
                before = table_counts()
                r = client.post(form.action, body, content_type="application/x-www-form-urlencoded")
                where = f"{form.role} POST {form.action} [{label}]"
                if r.status_code >= 500:
                    problems.append(f"{where} → {r.status_code}")
                    continue
                html = r.content.decode("utf-8", "replace")
                # a form that is not redirected away from was refused (re-rendered with its errors)
                refused = r.status_code in (200, 400, 422) and form.action.split("?")[0] not in SAVES_AND_RENDERS
                # a refused attempt may leave its own audit row (a refused publish, a search of personal
                # data are recorded by design); nothing else may be written
                if refused and (changed := {t: n for t, n in changed_tables(before).items() if t != "audit_auditlog"}):
                    problems.append(f"{where} refused but changed {changed}")
                if label in RAW:
                    pages = [html]
                    if r.status_code in (301, 302, 303) and r["Location"].startswith("/"):
                        follow = client.get(r["Location"])
                        if follow.status_code >= 500:
                            problems.append(f"{where} → its page {r['Location']} answers {follow.status_code}")
                        pages.append(follow.content.decode("utf-8", "replace"))
                    if any(RAW[label] in page for page in pages):
                        problems.append(f"{where} renders the payload unescaped")
    assert not problems, "\n".join(problems)


def test_the_snapshot_sees_inserts_and_updates(world):
    """Positive control for the 'nothing stored half-way' check above: it can fail."""
    from medinsure.accounts.models import User

    with _rolled_back():
        before = table_counts()
        User.objects.filter(pk=world.users[Role.ADMIN].pk).update(last_name="改")
        assert "updated:accounts_user" in changed_tables(before)
    with _rolled_back():
        before = table_counts()
        User.objects.create(username="snapshot-control")
        assert "accounts_user" in changed_tables(before)
