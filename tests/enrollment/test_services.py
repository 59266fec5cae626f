"""Services: their wiring (locks, audit rows, work queued on commit) and their results on PostgreSQL."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from enrollment import services
from enrollment.models import (
    GuidelineTask,
    InsuranceStatus,
    MobilisationTask,
    ProgressDaily,
    ReminderMessage,
    ResidentHistory,
)
from medinsure.audit.models import AuditLog
from tests.enrollment.factories import ResidentFactory, make_campaign
from tests.races import race

pytestmark = pytest.mark.django_db


def people(tree, n_a=6, n_b=4, insured_a=2, insured_b=3, year=2025):
    out = []
    for i in range(n_a + n_b):
        village = tree.village_a1 if i < n_a else tree.village_b1
        r = ResidentFactory(hukou_division=village)
        insured = i < insured_a if i < n_a else (i - n_a) < insured_b
        if insured:
            InsuranceStatus.objects.create(
                resident=r, year=year, status="tier1", source="tax", status_date=date(2024, 10, 1)
            )
        out.append(r)
    return out


def test_guideline_compute_edit_issue(registry, staff, django_capture_on_commit_callbacks):
    people(registry)
    camp = make_campaign(2025)
    camp.township_total = 9
    camp.save()
    with django_capture_on_commit_callbacks() as callbacks:
        rows = services.guideline_tasks_compute(actor=staff, year=2025)
    assert len(callbacks) == 1  # progress refresh queued after commit
    by_code = {g.township.code: g for g in rows}
    a, b = by_code[registry.town_a.code], by_code[registry.town_b.code]
    # hukou 6 and 4 (born long before the reference date) × 0.96 → 5.76 and 3.84, total 9 → 5.4, 3.6 → 5 + 4
    assert (a.hukou_population, b.hukou_population) == (6, 4)
    assert (a.raw, b.raw) == (Decimal("5.76"), Decimal("3.84"))
    assert (a.task, b.task) == (5, 4)
    assert AuditLog.objects.filter(object_type="enrollment.guidelinetask", actor=staff).exists()
    with pytest.raises(ValidationError) as exc:
        services.guideline_task_edit(actor=staff, task_id=a.pk, task=7, reason="", version=a.version)
    assert "reason" in exc.value.message_dict
    g = services.guideline_task_edit(actor=staff, task_id=a.pk, task=7, reason="上年实际参保较多", version=a.version)
    assert (g.task, g.edit_reason, g.version) == (7, "上年实际参保较多", 2)
    assert g.changes.get().before == 5
    with pytest.raises(ValidationError) as stale:
        services.guideline_task_edit(actor=staff, task_id=a.pk, task=8, reason="x", version=1)
    assert services.is_stale(stale.value)
    # a recomputation keeps the edit
    services.guideline_tasks_compute(actor=staff, year=2025)
    assert GuidelineTask.objects.get(pk=a.pk).task == 7
    assert services.guideline_tasks_issue(actor=staff, year=2025) == 2
    with pytest.raises(ValidationError):
        services.guideline_tasks_compute(actor=staff, year=2025)


def test_tasks_sync_adds_and_closes_and_is_idempotent(registry):
    ps = people(registry)
    dead = ResidentFactory(hukou_division=registry.village_a2, deceased_on=date(2024, 3, 1))
    InsuranceStatus.objects.create(
        resident=ps[3], year=2024, status="tier1", source="tax", status_date=date(2023, 10, 1)
    )
    assert services.tasks_sync(year=2025) == {"added": 5, "closed": 0}
    assert not MobilisationTask.objects.filter(resident=dead).exists()
    assert MobilisationTask.objects.get(resident=ps[3]).gap == "lapsed"
    assert services.tasks_sync(year=2025) == {"added": 0, "closed": 0}
    InsuranceStatus.objects.create(
        resident=ps[4], year=2025, status="tier2", source="tax", status_date=date(2024, 11, 1)
    )
    assert services.tasks_sync(year=2025) == {"added": 0, "closed": 1}
    t = MobilisationTask.objects.get(resident=ps[4])
    assert (t.status, t.outcome) == ("closed", "paid")
    InsuranceStatus.objects.create(
        resident=ps[3], year=2025, status="employee", source="hr", status_date=date(2025, 1, 1)
    )
    assert services.tasks_sync(year=2025) == {"added": 0, "closed": 1}
    assert MobilisationTask.objects.get(resident=ps[3]).outcome == "employee_insured"
    ps[5].deceased_on = date(2025, 2, 1)
    ps[5].save()
    assert services.tasks_sync(year=2025) == {"added": 0, "closed": 1}
    assert MobilisationTask.objects.get(resident=ps[5]).outcome == "deceased"


def _task(tree, worker=None):
    r = ResidentFactory(hukou_division=tree.village_a1, phone="13912345678")
    camp = make_campaign(2025)
    return MobilisationTask.objects.create(
        campaign=camp,
        resident=r,
        division=tree.village_a1,
        gap="uninsured",
        assignee=worker,
        status="assigned" if worker else "open",
    )


def test_record_outcome_rules_audit_and_registry(registry, make_user, django_capture_on_commit_callbacks):
    worker = make_user("village", registry.village_a1)
    t = _task(registry, worker)
    with pytest.raises(ValidationError) as exc:
        services.task_record_outcome(actor=worker, task_id=t.pk, version=1, outcome="refused")
    assert "refusal_reason" in exc.value.message_dict
    t = services.task_record_outcome(actor=worker, task_id=t.pk, version=1, outcome="promised", note="下周缴")
    assert (t.status, t.version) == ("follow_up", 2)
    with django_capture_on_commit_callbacks() as callbacks:
        t = services.task_record_outcome(
            actor=worker, task_id=t.pk, version=2, outcome="insured_elsewhere", note="成都参保"
        )
    assert len(callbacks) == 1
    assert (t.status, t.outcome) == ("closed", "insured_elsewhere")
    assert InsuranceStatus.objects.get(resident=t.resident, year=2025).status == "elsewhere"
    assert ResidentHistory.objects.filter(resident=t.resident, source="worker").exists()
    assert AuditLog.objects.filter(object_type="enrollment.mobilisationtask", object_id=str(t.pk)).count() == 2
    with pytest.raises(ValidationError):
        services.task_record_outcome(actor=worker, task_id=t.pk, version=3, outcome="enrolled")
    assert t.log.count() == 2


def test_record_outcome_outside_area_is_404(registry, make_user):
    from django.http import Http404

    t = _task(registry)
    other = make_user("township", registry.town_b)
    with pytest.raises(Http404):
        services.task_record_outcome(actor=other, task_id=t.pk, version=1, outcome="enrolled")


@pytest.mark.django_db(transaction=True)
def test_two_workers_saving_at_once_second_is_told(divisions, make_user):
    """Two real connections: both saw version 1; exactly one save wins, the other is refused as stale."""
    make_campaign(2025)
    w1 = make_user("village", divisions.village_a1)
    w2 = make_user("township", divisions.town_a)
    t = _task(divisions, w1)

    def save(actor, outcome):
        return lambda: services.task_record_outcome(actor=actor, task_id=t.pk, version=1, outcome=outcome)

    def told(result):
        if not isinstance(result, Exception):
            return "ok"
        if isinstance(result, ValidationError):
            return result.messages[0] if services.is_stale(result) else f"not stale: {result}"
        raise result

    results = dict(zip(("a", "b"), map(told, race(save(w1, "enrolled"), save(w2, "promised"))), strict=True))
    assert sorted(v == "ok" for v in results.values()) == [False, True], results
    loser = next(v for v in results.values() if v != "ok")
    assert "刷新" in loser
    t.refresh_from_db()
    assert t.version == 2 and t.log.count() == 1


def test_split_by_village_grid_and_count_stays_in_area(registry, make_user):
    make_campaign(2025)
    township = make_user("township", registry.town_a)
    vworker = make_user("village", registry.village_a1)
    gworker = make_user("village", registry.grid_a1)
    other_town = make_user("township", registry.town_b)
    b_worker = make_user("village", registry.village_b1)
    ps = people(registry, n_a=6, n_b=4, insured_a=0, insured_b=0)
    ps[0].residence_division = registry.grid_a1
    ps[0].save()
    services.tasks_sync(year=2025)
    moved = services.tasks_split(actor=township, year=2025, plan=services.SplitPlan(mode="by_grid"))
    assert MobilisationTask.objects.get(resident=ps[0]).assignee == gworker
    assert moved >= 2
    services.tasks_split(actor=township, year=2025, plan=services.SplitPlan(mode="by_village"))
    assert MobilisationTask.objects.filter(assignee=vworker).count() == 5
    # town A's staff cannot hand work to town B's worker, nor touch town B's tasks
    with pytest.raises(ValidationError):
        services.tasks_split(
            actor=township, year=2025, plan=services.SplitPlan(mode="by_count", assignee_id=b_worker.pk, count=2)
        )
    assert (
        services.tasks_split(
            actor=other_town, year=2025, plan=services.SplitPlan(mode="by_count", assignee_id=b_worker.pk, count=3)
        )
        == 3
    )
    assert (
        MobilisationTask.objects.filter(assignee=b_worker, division__code__startswith=registry.town_b.code[:9]).count()
        == 3
    )


def test_progress_refresh_ranks_changes_and_is_idempotent(registry, staff):
    people(registry, n_a=6, n_b=4, insured_a=2, insured_b=3)
    camp = make_campaign(2025)
    services.guideline_tasks_compute(actor=staff, year=2025)
    day = date(2024, 12, 1)
    n = services.progress_refresh(year=2025, day=day)
    assert n == services.progress_refresh(year=2025, day=day) == ProgressDaily.objects.filter(day=day).count()
    rows = {r.division_code: r for r in ProgressDaily.objects.filter(day=day, level="township")}
    a, b = rows[registry.town_a.code], rows[registry.town_b.code]
    assert (a.task, a.insured, b.task, b.insured) == (6, 2, 4, 3)
    assert (b.rank, a.rank) == (1, 2) and b.rate == Decimal("0.7500")
    villages = ProgressDaily.objects.filter(day=day, level="village", parent_code=registry.town_a.code)
    assert sum(v.task for v in villages) == 6
    InsuranceStatus.objects.create(
        resident=ResidentFactory(hukou_division=registry.village_a2),
        year=2025,
        status="tier1",
        source="tax",
        status_date=day + timedelta(days=1),
    )
    services.progress_refresh(year=2025, day=day + timedelta(days=1))
    assert ProgressDaily.objects.get(day=day + timedelta(days=1), division_code=registry.town_a.code).change == 1
    del camp


class Boom:
    def send(self, **kwargs):
        raise ConnectionError("gateway down")


def test_reminders_once_per_round_opt_out_retry(registry, settings, tmp_path):
    camp = make_campaign(2025, rounds=(0, 30))
    ps = people(registry, n_a=3, n_b=0, insured_a=1)
    ps[2].reminder_opt_out = True
    ps[2].save()
    as_of = camp.collection_start + timedelta(days=3)
    assert services.reminders_enqueue(year=2025, as_of=as_of) == 1  # one unpaid, one paid, one opted out
    assert services.reminders_enqueue(year=2025, as_of=as_of) == 0  # never twice in a round
    assert (
        services.reminders_enqueue(year=2025, as_of=camp.collection_end + timedelta(days=1)) == 0
    )  # outside the period
    assert services.reminders_send() == {"sent": 1, "failed": 0}
    assert (tmp_path / "outbox.jsonl").read_text(encoding="utf-8").count(ps[1].phone) == 1
    assert services.reminders_send() == {"sent": 0, "failed": 0}
    assert services.reminders_enqueue(year=2025, as_of=camp.collection_start + timedelta(days=31)) == 1  # next round
    settings.ENROLLMENT_REMINDER_CHANNEL = "tests.enrollment.test_services.Boom"
    settings.ENROLLMENT_REMINDER_MAX_ATTEMPTS = 2
    assert services.reminders_send() == {"sent": 0, "failed": 1}
    m = ReminderMessage.objects.get(round_id="2024-R2")
    assert (m.status, m.attempts, m.last_error) == ("retry", 1, "gateway down")
    ReminderMessage.objects.filter(pk=m.pk).update(next_attempt_at=m.next_attempt_at - timedelta(hours=2))
    services.reminders_send()
    m.refresh_from_db()
    assert (m.status, m.attempts) == ("failed", 2)


def test_bulletin_compares_with_a_week_before(registry, staff, client_as):
    from enrollment.selectors import progress_rows_with_change, progress_since

    ps = people(registry, n_a=6, n_b=4, insured_a=0, insured_b=0)
    services.guideline_tasks_compute(actor=staff, year=2025)
    start = date(2024, 12, 1)
    for d in range(9):
        day = start + timedelta(days=d)
        InsuranceStatus.objects.create(resident=ps[d], year=2025, status="tier1", source="tax", status_date=day)
        services.progress_refresh(year=2025, day=day)
    leader = type(staff).objects.create(username="boss", role="leader")
    rows = {r["division_code"]: r for r in progress_rows_with_change(user=leader, year=2025)}
    assert rows[registry.town_b.code]["change"] == 1  # day 9 (2024-12-09): one more in town B than the day before
    week = {
        r["division_code"]: r["change"]
        for r in progress_since(progress_rows_with_change(user=leader, year=2025), year=2025, days=7)
    }
    # a week before (2024-12-02) town A had 2 insured (days 1-2), now 6; town B 0 then, 3 now
    assert week == {registry.town_a.code: 4, registry.town_b.code: 3}
    html = client_as(leader).get("/enrollment/bulletin/?year=2025&since=7").content.decode()
    assert "较7天前" in html
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(leader)
    got = {
        r["division_code"]: r["change"]
        for r in api.get("/api/v1/enrollment/progress/bulletin/?year=2025&since=7").json()
    }
    assert got == week
    assert api.get("/api/v1/enrollment/progress/bulletin/?year=2025&since=8").status_code == 400
