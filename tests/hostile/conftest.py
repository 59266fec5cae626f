"""Shared helper for hostile-input tests: a snapshot of every table's row count and of the rows this
transaction has updated (nothing may be stored half-way)."""

import pytest
from django.db import connection, transaction

from tests.security import world as worldmod

# Written by a signed-in request itself, not by the form under test.
# (A public form's captcha challenge is used up by every post and a new one drawn for the re-render.)
IGNORED_TABLES = frozenset(
    {
        "django_session",
        "axes_accessattempt",
        "axes_accesslog",
        "axes_accessfailurelog",
        "captcha_captchastore",
        "accounts_apitoken",  # an API request notes when its token was last used
    }
)


def table_counts() -> dict[str, int]:
    with connection.cursor() as cur:
        tables = [t for t in connection.introspection.table_names(cur) if t not in IGNORED_TABLES]
        if not tables:
            return {}
        cur.execute(" UNION ALL ".join(f"SELECT '{t}', count(*) FROM \"{t}\"" for t in tables))
        counts = dict(cur.fetchall())
        # UPDATEs leave counts alone: this transaction's own update counter catches them (even one
        # rolled back to a savepoint — a refused form should not have started writing at all)
        cur.execute("SELECT relname, n_tup_upd FROM pg_stat_xact_user_tables WHERE n_tup_upd > 0")
        counts.update({f"updated:{t}": n for t, n in cur.fetchall() if t not in IGNORED_TABLES})
        return counts


def changed_tables(before: dict[str, int]) -> dict[str, tuple[int, int]]:
    after = table_counts()
    return {t: (before.get(t, 0), n) for t, n in after.items() if before.get(t, 0) != n}


@pytest.fixture
def counts():
    return table_counts


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """tests/security's world (a district with one of everything), built once and rolled back."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True  # the services' durable blocks run inside, as in a TestCase
        with outer:
            yield worldmod.build()
            transaction.set_rollback(True)
