"""API token authentication reads the user's division in the same query (medinsure.accounts.authentication):
a village worker's scoped request runs no separate division query; bad and inactive tokens still fail."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_division_comes_with_the_token_and_bad_tokens_fail(divisions, make_user, api_as):
    worker = make_user("village", divisions.village_a1)
    api = api_as(worker)
    with CaptureQueriesContext(connection) as q:
        r = api.get("/api/v1/enrollment/tasks/?year=2025")
    assert r.status_code == 200
    first = q.captured_queries[0]["sql"]
    assert "accounts_apitoken" in first and "regions_division" in first
    assert not any(
        s["sql"].startswith('SELECT "regions_division"') and "WHERE" in s["sql"] for s in q.captured_queries[1:]
    )

    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert api.get("/api/v1/enrollment/tasks/?year=2025").status_code == 401
    other = make_user("village", divisions.village_b1, is_active=False)
    assert api_as(other).get("/api/v1/enrollment/tasks/?year=2025").status_code == 401
