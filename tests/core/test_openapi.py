"""The OpenAPI schema (/api/schema/) is valid OpenAPI 3 without a warning, documents the errors every
operation can answer, and the API answers JSON also for a URL that matches no route."""

import pytest
from django.core.management import call_command

from medinsure.accounts.models import Role
from tests.api_schema import api_schema, assert_documented

pytestmark = pytest.mark.django_db


def test_schema_is_valid_openapi_without_warnings(tmp_path):
    # --fail-on-warn turns every drf-spectacular warning (an enum name collision, an operationId used
    # twice, a view it cannot read) into an error; --validate checks the result against OpenAPI 3.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3.")


def test_every_operation_documents_the_errors_it_can_answer():
    raw = api_schema().raw_schema
    # no authentication at all (the token endpoint takes a password in its body, not credentials)
    public = {"/api/v1/replies/published/", "/api/v1/replies/published/{id}/", "/api/v1/auth/token/"}
    open_to_all = public - {"/api/v1/auth/token/"}  # nobody is refused (a role without API use gets no token: 403)
    assert len(raw["paths"]) > 30
    for path, item in raw["paths"].items():
        for method, op in item.items():
            codes = set(op["responses"])
            where = f"{method.upper()} {path}: {sorted(codes)}"
            assert ("401" in codes) == (path not in public), where
            assert ("403" in codes) == (path not in open_to_all), where
            if "{" in path:
                assert "404" in codes, where
            if "requestBody" in op or any(p["in"] == "query" for p in op.get("parameters", [])):
                assert "400" in codes, where
            if "requestBody" in op:
                assert {"413", "415"} <= codes, where
            for code, response in op["responses"].items():
                if code >= "400":
                    assert "application/json" in response["content"], where
    assert "429" in raw["paths"]["/api/v1/auth/token/"]["post"]["responses"]


def test_an_id_that_matches_no_route_is_a_json_404(make_user, api_as, client):
    api = api_as(make_user(Role.ADMIN))
    for url in ("/api/v1/supervision/cases/abc/", "/api/v1/replies/proposals/null/", "/api/v1/no-such-thing/"):
        r = api.get(url)
        assert r.status_code == 404, url
        assert r["Content-Type"] == "application/json"
        assert r.json()["detail"].startswith("未找到")
    assert_documented(api.get("/api/v1/supervision/cases/abc/"), "GET", "/api/v1/supervision/cases/{id}/")
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_a_district_has_no_parent_and_the_schema_says_so(divisions, make_user, api_as):
    r = api_as(make_user(Role.ADMIN)).get(f"/api/v1/regions/divisions/{divisions.district.code}/")
    assert r.status_code == 200 and r.json()["parent_code"] is None
    assert_documented(r, "GET", "/api/v1/regions/divisions/{code}/")


def test_a_body_past_the_size_limit_is_a_documented_413(make_user, api_as, settings):
    settings.REQUEST_FORM_MAX_BYTES = 1000  # a JSON body is not an upload: the small limit
    api = api_as(make_user(Role.SUPERVISION_HEAD))
    r = api.post("/api/v1/supervision/cases/", {"summary": "长" * 2000}, format="json")
    assert r.status_code == 413 and r["Content-Type"] == "application/json"
    assert_documented(r, "POST", "/api/v1/supervision/cases/")
