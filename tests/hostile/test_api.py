"""Every write operation of the REST API (read from the portal's own OpenAPI schema, so a new one is
covered without new code) gets hostile JSON: script tags, SQL fragments, 10,000-character strings
and NUL bytes in every free-text property; text, negative amounts, 1e309 and 2026-02-30 in every
number, amount and date; everything missing; a body that is not JSON or not UTF-8.

For each: no 500; a refusal (4xx) changes no row of any table and answers JSON (never an HTML page
that could render the payload)."""

from __future__ import annotations

import json
import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from medinsure.accounts import tokens
from tests.hostile.conftest import changed_tables, table_counts
from tests.hostile.test_forms import TEXT_PAYLOADS
from tests.security.routes import all_routes, build_url, kwargs_for
from tests.security.test_route_walk import _rolled_back, kwargs_table

pytestmark = [pytest.mark.django_db]

WRITES = ("post", "put", "patch")
SKIP = {"/api/v1/auth/token/"}  # the sign-in endpoint: tests/core covers it
TYPED = {
    "integer": ["abc", -1, 1e309, "99999999999999999999", None],
    "number": ["abc", "-1e309", "NaN", None],
    "decimal": ["abc", "-100.00", "1e400", "NaN", "１２３", None],
    "date": ["abc", "2026-02-30", "0000-00-00", "99999-01-01", None],
}
DECIMAL_PATTERN = re.compile(r"\d")


def _schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in node:
        merged = {}
        for part in node["allOf"]:
            merged.update(_resolve(schema, part))
        return merged
    return node


def _kind(prop: dict) -> str:
    if "enum" in prop:
        return "enum"
    t, fmt = prop.get("type"), prop.get("format")
    if t == "string" and fmt == "date":
        return "date"
    if t == "string" and (fmt == "decimal" or "pattern" in prop and DECIMAL_PATTERN.search(prop["pattern"])):
        return "decimal"
    if t in ("integer", "number", "boolean", "array", "object"):
        return t
    return "text" if t == "string" else "other"


def _plausible(kind: str, prop: dict):
    return {
        "enum": (prop.get("enum") or [""])[0],
        "date": "2025-03-01",
        "decimal": "1.00",
        "integer": 1,
        "number": 1,
        "boolean": True,
        "array": [],
        "object": {},
        "text": "测试",
    }.get(kind)


def _operations(schema):
    """(path template, method, {property: (kind, schema)}) for every JSON write operation."""
    for path, ops in schema["paths"].items():
        if path in SKIP:
            continue
        for method, op in ops.items():
            if method not in WRITES:
                continue
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            props = _resolve(schema, body).get("properties", {}) if body else {}
            props = {n: _resolve(schema, p) for n, p in props.items() if not p.get("readOnly")}
            yield path, method, {n: (_kind(p), p) for n, p in props.items()}


def _url_of(template: str, urls: list[str]) -> str | None:
    pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$")
    return next((u for u in urls if pattern.match(u)), None)


def _bodies(props: dict):
    base = {n: _plausible(k, p) for n, (k, p) in props.items()}
    text = [n for n, (k, _p) in props.items() if k == "text"]
    for label, payload in TEXT_PAYLOADS.items() if text else ():
        yield label, json.dumps({**base, **dict.fromkeys(text, payload)})
    for kind, values in TYPED.items():
        names = [n for n, (k, _p) in props.items() if k == kind]
        for value in values if names else ():
            yield f"{kind}:{value}", json.dumps({**base, **dict.fromkeys(names, value)})
    yield "missing", "{}"
    yield "not-json", "{'a': <script>"
    yield "not-utf8", b'{"a": "\xff\xfe"}'
    yield "array", "[1, 2]"


@pytest.fixture(scope="module")
def operations(world):
    table = kwargs_table(world)
    urls = [build_url(r, kwargs_for(r, table)) for r in all_routes() if r.is_api]
    ops = []
    for template, method, props in _operations(_schema()):
        url = _url_of(template, urls)
        assert url, f"no URL for {template} among {[u for u in urls if template.split('{')[0] in u]}"
        ops.append((url, method, props))
    return ops


def _client(world, user):
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(user)[1]}")
    return client


def _users_for(world, url, method, props):
    """The users who may call the operation at all (a plausible body is not refused 401/403/404)."""
    users = []
    base = json.dumps({n: _plausible(k, p) for n, (k, p) in props.items()})
    for user in [*world.users.values(), *world.b_users.values()]:
        with _rolled_back():
            r = getattr(_client(world, user), method)(url, base, content_type="application/json")
        if r.status_code not in (401, 403, 404, 405):
            users.append(user)
    return users


def test_every_api_write_answers_hostile_json_without_500_or_half_writes(world, operations):
    assert len(operations) >= 8  # positive control: the schema lists the API's writes
    problems, exercised = [], 0
    for url, method, props in operations:
        users = _users_for(world, url, method, props)
        if not users:
            problems.append(f"{method.upper()} {url}: no role may call it with a plausible body (walk is blind)")
            continue
        client = _client(world, users[0])
        for label, body in _bodies(props):
            with _rolled_back():
                before = table_counts()
                r = getattr(client, method)(url, body, content_type="application/json")
                where = f"{users[0].role} {method.upper()} {url} [{label}]"
                exercised += 1
                if r.status_code >= 500:
                    problems.append(f"{where} → {r.status_code}")
                    continue
                if 400 <= r.status_code < 500:
                    if changed := changed_tables(before):
                        problems.append(f"{where} refused but changed {changed}")
                    if "json" not in r.get("Content-Type", ""):
                        problems.append(f"{where} → {r.status_code} {r.get('Content-Type')} (not JSON)")
    assert not problems, "\n".join(problems)
    assert exercised > 100
