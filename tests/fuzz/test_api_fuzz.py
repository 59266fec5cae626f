"""schemathesis against the portal's own /api/schema/: every operation, fuzzed with a token of each role
and without one, on the demo district. No request gets a 500; every status code, content type and body
is the one the schema documents. Mutating operations are fuzzed too; each example is rolled back.

The short run (`test_api_short`, in `make test`) draws a role per example; the long run (`test_api_long`,
`make fuzz`, FUZZ_EXAMPLES examples per operation and role) runs every role on every operation."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks as openapi_checks
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from medinsure.wsgi import application
from tests.fuzz.conftest import ANONYMOUS, DEMO_USERNAMES, rolled_back

# The portal's own schema, served by its own WSGI app (no database needed to build it).
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)

# Every response: no 5xx; status code, content type, headers and body as documented.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Also: a documented token is really enforced (probes without it), an undocumented method is a 405 with
# its Allow header, a resource answered once is still there. negative_data_rejection and
# positive_data_acceptance can be added by name (FUZZ_EXTRA_CHECKS=a,b): the first still flags empty
# ?page= and ?fund= (taken as absent, DRF/django-filter convention), the second every semantic refusal.
CHECKS += [
    openapi_checks.response_headers_conformance,
    openapi_checks.ignored_auth,
    openapi_checks.unsupported_method,
    openapi_checks.allow_header_conformance,
    openapi_checks.missing_required_header,
    openapi_checks.use_after_free,
    openapi_checks.ensure_resource_availability,
]
CHECKS += [getattr(openapi_checks, n) for n in os.environ.get("FUZZ_EXTRA_CHECKS", "").split(",") if n]
ROLES = [*DEMO_USERNAMES, ANONYMOUS]


def _call(case, world, role, pick):
    if pick is not None and case.path_parameters:
        for prefix, values in world.real_values.items():
            if case.path.startswith(prefix) and values:
                (name,) = case.path_parameters
                case.path_parameters[name] = values[pick % len(values)]
    token = world.tokens[role]
    headers = {"Authorization": f"Token {token}"} if token else {}
    with rolled_back():
        case.call_and_validate(headers=headers, checks=CHECKS)


@pytest.mark.service
@pytest.mark.django_db
@schema.parametrize()
@schema.given(role=st.sampled_from(ROLES), pick=st.none() | st.integers(min_value=0, max_value=10**6))
@settings(
    max_examples=int(os.environ.get("FUZZ_SHORT_EXAMPLES", "6")),
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_short(case, role, pick, fuzz_world):
    _call(case, fuzz_world, role, pick)


@pytest.mark.fuzz
@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@schema.given(pick=st.none() | st.integers(min_value=0, max_value=10**6))
@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_long(case, role, pick, fuzz_world):
    _call(case, fuzz_world, role, pick)
