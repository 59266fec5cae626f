"""The security walks' shared world (tests/security/world.py), built once per test module."""

import pytest
from django.db import transaction

from medinsure.accounts import tokens
from tests.security import world as worldmod


# --- the world, built once for the module and rolled back at its end ------------------------------
@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True  # the services' durable blocks run inside, as in a TestCase
        with outer:
            w = worldmod.build()
            w.tokens = {u.pk: tokens.issue(u)[1] for u in [*w.users.values(), *w.b_users.values()]}
            try:
                yield w
            finally:
                transaction.set_rollback(True)
                worldmod.remove_files(w)
