"""The claims API answers what its schema documents: the policy list is an array of policies (the schema
said a bare object, and its operationId collided with the policy detail's)."""

import pytest

from medinsure.accounts.models import Role
from tests.api_schema import api_schema, assert_documented
from tests.claims.claims_db_helpers import load_policy

pytestmark = pytest.mark.django_db


def test_policy_list_is_documented(make_user, api_as):
    load_policy("dongtou-2024")
    load_policy("guanxian-2018")
    r = api_as(make_user(Role.CLAIMS)).get("/api/v1/claims/policies/")
    assert r.status_code == 200 and len(r.json()) >= 2
    assert set(r.json()[0]) == {"code", "name", "scheme", "year", "partial", "version"}
    assert_documented(r, "GET", "/api/v1/claims/policies/")
    paths = api_schema().raw_schema["paths"]
    assert paths["/api/v1/claims/policies/"]["get"]["operationId"] == "v1_claims_policies_list"
    assert paths["/api/v1/claims/policies/{code}/"]["get"]["operationId"] == "v1_claims_policies_retrieve"
