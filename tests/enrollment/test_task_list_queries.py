"""A worker's task list (the phone page and /api/v1/enrollment/tasks/, the load test's fourth scenario)
builds its rows from plain values (selectors.task_rows): the same rows as task_row gives from whole
records — for the worker and for a township user who sees masked numbers — in one query whatever the
number of tasks, with Chinese labels."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enrollment import selectors, services
from enrollment.models import MobilisationTask
from tests.enrollment.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def _tasks(registry, worker, n):
    for i in range(n):
        ResidentFactory(hukou_division=registry.village_a1, name=f"居民{i}", phone=f"139{i:08d}", address=f"{i}组")
    services.tasks_sync(year=2025)
    MobilisationTask.objects.update(assignee=worker, status="assigned")


def test_rows_from_the_list_equal_rows_from_whole_records(registry, make_user):
    worker = make_user("village", registry.village_a1, first_name="婷", last_name="冯")
    _tasks(registry, worker, 3)
    MobilisationTask.objects.filter(pk=MobilisationTask.objects.order_by("id").first().pk).update(
        status="closed", outcome="refused", refusal_reason="cannot_afford", note="嫌贵"
    )
    with CaptureQueriesContext(connection) as q:
        rows = selectors.task_rows(worker, selectors.task_list(worker, year=2025))
    assert len(q.captured_queries) == 1
    whole = {
        t.pk: selectors.task_row(worker, t)
        for t in MobilisationTask.objects.select_related("resident", "division", "assignee")
    }
    assert rows == [whole[r["id"]] for r in rows] and len(rows) == 3
    township = make_user("township", registry.town_a)
    theirs = selectors.task_rows(township, selectors.task_list(township, year=2025))
    tasks = MobilisationTask.objects.select_related("resident", "division", "assignee")
    assert theirs == [selectors.task_row(township, t) for t in tasks.order_by("status", "division__code", "id")]
    assert all("*" in r["phone"] and not r["callable"] for r in theirs)
    closed = next(r for r in rows if r["status"] == "closed")
    assert (closed["status_label"], closed["outcome_label"], closed["refusal_reason"]) == (
        "已办结",
        "拒绝参保",
        "cannot_afford",
    )
    assert {r["status_label"] for r in rows if r is not closed} == {"已分派"}
    assert closed["assignee"] == "婷 冯" and closed["address"] and closed["division_code"] == registry.village_a1.code
    assert closed["phone"].startswith("139") and "*" not in closed["phone"]  # the worker's own task


def test_api_list_costs_the_same_queries_for_3_or_12_tasks(registry, make_user, api_as):
    worker = make_user("village", registry.village_a1)
    api = api_as(worker)
    counts = []
    for n in (3, 9):
        _tasks(registry, worker, n)
        with CaptureQueriesContext(connection) as q:
            r = api.get("/api/v1/enrollment/tasks/?year=2025")
        assert r.status_code == 200
        body = r.json()
        counts.append(len(q.captured_queries))
        assert body["count"] == MobilisationTask.objects.count()
    assert body["count"] == 12 and counts[0] == counts[1]


def test_task_page_answers_as_the_paginator_and_counts_only_a_full_first_page(registry, make_user):
    from django.core.paginator import Paginator

    worker = make_user("village", registry.village_a1)
    _tasks(registry, worker, 7)
    tasks = selectors.task_list(worker, year=2025)
    for per_page in (3, 7, 10):
        for page in (None, 1, "1", 2, 3, 99, "x"):
            p = Paginator(tasks, per_page).get_page(page)
            expected = (selectors.task_rows(worker, p.object_list), p.paginator.count, p.number)
            assert selectors.task_page(worker, tasks, page=page, per_page=per_page) == expected, (per_page, page)
    with CaptureQueriesContext(connection) as q:
        rows, count, number = selectors.task_page(worker, tasks, page=None, per_page=10)
    assert (len(rows), count, number, len(q.captured_queries)) == (7, 7, 1, 1)
