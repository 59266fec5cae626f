"""Every page and API list with a filter, searched with hostile values: the filter names come from
the pages' own GET forms (search boxes, year/month/division pickers) plus the common ones; each
value — script tags, SQL fragments, NUL bytes, 10,000 characters, invalid percent-escapes, huge
numbers, impossible dates — must answer without a 500 and never echo the payload unescaped. NUL
bytes and 10,000-character values are refused with a 400 naming the parameter (before the fix they
reached PostgreSQL or int() and answered 500 on 23 pages and endpoints)."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from django.test import Client
from rest_framework.test import APIClient

from medinsure.accounts.models import Role
from tests.hostile.test_forms import ATTRIBUTE, SCRIPT
from tests.security.routes import PUBLIC, all_routes, build_url, kwargs_for
from tests.security.test_route_walk import _rolled_back, kwargs_table

pytestmark = [pytest.mark.django_db]

COMMON = ("q", "year", "month", "division", "status", "page", "kind", "date", "from", "to", "fund", "level")
VALUES = {
    "script": quote(SCRIPT + ATTRIBUTE),
    "sql": quote("' OR 1=1 --"),
    "nul": "a%00b",
    "long": "9" * 10_000,
    "bad-escape": "%FF%FE%C0%AF",
    "huge": "99999999999999999999",
    "date": "2026-02-30",
}
RAW = {"script": SCRIPT}


def _raw_in(html: str) -> bool:
    return SCRIPT in html or ATTRIBUTE in html


class GetForms(HTMLParser):
    """The field names of a page's GET forms (its filters)."""

    def __init__(self):
        super().__init__()
        self.names: set[str] = set()
        self.inside = False

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("method", "get").lower() == "get"
        elif self.inside and tag in ("input", "select", "textarea") and a.get("name"):
            self.names.add(a["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def test_filters_answer_hostile_values_without_500_or_raw_html(world):
    table = kwargs_table(world)
    problems, pages = [], 0
    with _rolled_back():
        page, api = Client(raise_request_exception=False), APIClient(raise_request_exception=False)
        page.force_login(world.users[Role.ADMIN])
        api.force_authenticate(world.users[Role.ADMIN])
        for route in all_routes():
            if route.name in PUBLIC or (route.methods is not None and "GET" not in route.methods):
                continue
            if route.name in ("logout",):
                continue
            url = build_url(route, kwargs_for(route, table))
            client = api if route.is_api else page
            first = client.get(url)
            if first.status_code != 200:
                continue
            names = set(COMMON)
            if "html" in first.get("Content-Type", ""):
                parser = GetForms()
                parser.feed(first.content.decode("utf-8", "replace"))
                names |= parser.names
            pages += 1
            for label, value in VALUES.items():
                query = "&".join(f"{quote(n)}={value}" for n in sorted(names))
                r = client.get(f"{url}?{query}")
                if r.status_code >= 500:
                    problems.append(f"GET {url} [{label}] → {r.status_code}")
                elif label in ("nul", "long") and not (r.status_code == 400 and "查询参数" in r.content.decode()):
                    problems.append(f"GET {url} [{label}] → {r.status_code} without the message naming the parameter")
                elif label in RAW and "html" in r.get("Content-Type", "") and _raw_in(r.content.decode()):
                    problems.append(f"GET {url} [{label}] echoes the payload unescaped")
    assert pages > 40  # positive control: the walk reached the portal's pages
    assert not problems, "\n".join(problems)
