"""Bulk SQL paths that stay linear whatever the statistics say.

A merge (``INSERT … SELECT`` over a staging table, an ``UPDATE … FROM`` of a whole year) joins two inputs
that can each hold a million rows. The planner chooses the join from the tables' statistics, and those
are often wrong exactly when a merge runs: rows inserted earlier in the same transaction are invisible to
autovacuum's ANALYZE, which then records the table as empty (``reltuples = 0`` with many pages; the
update is in place, so it holds even inside our transaction), and a server with autovacuum off never
gathers them at all. Believing an input empty, the planner joins by a nested loop with a join filter:
minutes of CPU for a demo-sized district, hours at a million rows.

Running ANALYZE ourselves is not the cure: it takes a lock that two concurrent imports would take in
opposite orders, and a concurrent autovacuum can overwrite what it found. Instead every bulk statement
runs inside :func:`linear_plan`, which forbids nested loops for that statement (``enable_nestloop`` off,
transaction-local, restored afterwards). Equality joins then become hash or merge joins, linear in their
inputs, whatever the statistics say; a join with no equality condition is still planned (PostgreSQL
only penalises a forbidden plan type), so nothing stops working. Reads of one row, page reads and
chunked updates by primary key keep the planner's free choice: there an index nested loop is the best
plan.

``plan_nodes`` returns the node types of a statement's plan (EXPLAIN, no execution): the tests assert
that no merge's plan holds a nested loop.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def linear_plan(cursor=None) -> Iterator[None]:
    """Plan the statements run inside without nested loops (hash or merge joins only).

    Must run inside a transaction (``SET LOCAL``); the previous setting comes back on leaving. If a
    statement fails, the transaction (or savepoint) is rolled back, which restores the setting itself.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("linear_plan needs a transaction: SET LOCAL outside one has no effect")
    own = cursor is None
    cur = connection.cursor() if own else cursor
    try:
        cur.execute("SELECT current_setting('enable_nestloop')")
        before = cur.fetchone()[0]
        cur.execute("SET LOCAL enable_nestloop = off")
        yield
        cur.execute("SELECT set_config('enable_nestloop', %s, true)", [before])
    finally:
        if own:
            cur.close()


def plan_nodes(cursor, sql: str, params=None) -> list[dict]:
    """Every node of the statement's plan (EXPLAIN (FORMAT JSON), not executed), depth first, each a dict
    with at least "Node Type" and "Plan Rows"."""
    cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
    raw = cursor.fetchone()[0]
    plan = (raw if isinstance(raw, list) else json.loads(raw))[0]["Plan"]
    out: list[dict] = []
    stack = [plan]
    while stack:
        node = stack.pop()
        out.append({k: v for k, v in node.items() if k != "Plans"})
        stack.extend(reversed(node.get("Plans", [])))
    return out
