"""Fuzzing the REST API with schemathesis, in-process (WSGI) on the test database.

The demo district is loaded once per module inside an outer transaction that is rolled back at the end,
so the rest of the suite never sees it; every example runs in a savepoint that is rolled back too, so a
fuzzed POST cannot change what the next example finds.
"""

from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections, transaction

from medinsure.accounts.models import Role

# One demo user of every role (medinsure/core/demo.py), and None for a request without a token.
DEMO_USERNAMES = {
    Role.ADMIN: "admin",
    Role.LEADER: "leader",
    Role.DIRECTOR: "director",
    Role.ENROLLMENT: "enroll",
    Role.CLAIMS: "claims",
    Role.SUPERVISION: "supervise",
    Role.SUPERVISION_HEAD: "supervise_head",
    Role.FUND: "fund",
    Role.OFFICE: "office",
    Role.TOWNSHIP: "township",
    Role.VILLAGE: "village",
    Role.INSTITUTION: "hospital",
    Role.API_CLIENT: "api",
}
ANONYMOUS = "anonymous"

# Path prefix → the model and field a real path parameter of its operations takes, so that fuzzing
# reaches past the 404 of a made-up id (the test mixes real and made-up values).
REAL_PATH_VALUES = [
    ("/api/v1/claims/policies/", "claims.Policy", "code"),
    ("/api/v1/claims/recalculations/", "claims.Recalculation", "pk"),
    ("/api/v1/enrollment/residents/", "enrollment.Resident", "pk"),
    ("/api/v1/enrollment/tasks/", "enrollment.MobilisationTask", "pk"),
    ("/api/v1/jobs/", "jobs.Job", "pk"),
    ("/api/v1/regions/divisions/", "regions.Division", "code"),
    ("/api/v1/replies/proposals/", "replies.Proposal", "pk"),
    ("/api/v1/replies/published/", "replies.PublishedReply", "pk"),
    ("/api/v1/supervision/cases/", "supervision.Case", "pk"),
    ("/api/v1/supervision/flags/", "supervision.Flag", "pk"),
    ("/api/v1/supervision/institutions/", "institutions.Institution", "pk"),
]


@dataclass
class FuzzWorld:
    tokens: dict[str, str | None]  # role → API token (None: no token)
    real_values: dict[str, list[str]]  # path prefix → real values of its path parameter


@contextmanager
def rolled_back():
    """A savepoint that is always rolled back. Marked like Django's TestCase blocks, so a service's
    transaction.atomic(durable=True) may open inside it exactly as it does under TestCase."""
    atomic = transaction.atomic()
    atomic._from_testcase = True
    with atomic:
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker, tmp_path_factory) -> FuzzWorld:
    """The demo district in the test database (undone at the end of the module), an API token per role
    and the real values of every path parameter."""
    from medinsure.accounts import tokens as api_tokens
    from medinsure.accounts.models import User

    # The werkzeug client calls the WSGI app directly: like Django's test client, keep the request
    # signals from closing the connection that holds the outer transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        with django_db_blocker.unblock(), rolled_back():
            with open(tmp_path_factory.mktemp("fuzz") / "load_demo.txt", "w") as out:
                call_command("load_demo", stdout=out)
            tokens: dict[str, str | None] = {ANONYMOUS: None}
            for role, username in DEMO_USERNAMES.items():
                user = User.objects.get(username=username)
                tokens[role] = api_tokens.issue(user)[1]
            real_values = {}
            for prefix, label, field in REAL_PATH_VALUES:
                values = apps.get_model(label)._default_manager.order_by("pk").values_list(field, flat=True)[:500]
                real_values[prefix] = [str(v) for v in values]
            yield FuzzWorld(tokens=tokens, real_values=real_values)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
        # The token endpoint's throttle counts in the shared cache: leave none of the fuzzer's requests
        # to the tests that run after this module.
        from medinsure.core import throttles

        throttles.reset_all()
