"""Shared helpers for hostile-input tests: a snapshot of every table's row count (nothing may be
stored half-way), and a check that a page answered with a message instead of a 500."""

import pytest
from django.db import connection

# Written by a signed-in request itself, not by the form under test.
IGNORED_TABLES = frozenset({"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"})


def table_counts() -> dict[str, int]:
    with connection.cursor() as cur:
        tables = [t for t in connection.introspection.table_names(cur) if t not in IGNORED_TABLES]
        if not tables:
            return {}
        cur.execute(" UNION ALL ".join(f"SELECT '{t}', count(*) FROM \"{t}\"" for t in tables))
        return dict(cur.fetchall())


def changed_tables(before: dict[str, int]) -> dict[str, tuple[int, int]]:
    after = table_counts()
    return {t: (before.get(t, 0), n) for t, n in after.items() if before.get(t, 0) != n}


@pytest.fixture
def counts():
    return table_counts
