"""Intelligent audit over claims' settlements: idempotent runs, institution answers, review,
deduction, case; the daily task on a real Celery worker."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from supervision import services
from supervision.models import AuditRule, AuditRun, Flag
from tests.supervision import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.service]

DAY = date(2024, 5, 10)


def _data():
    """Settlements that break the default rules, and some that do not."""
    hosp, clinic = f.institution(), f.institution()
    # sex-restricted item (311100* male only) for a woman
    f.settlement(hosp, id_number="500116199002020021", sex="F", lines=[("311100001", "前列腺按摩", "1", "80", None)])
    # the same person at two institutions on one day (outpatient)
    f.settlement(hosp, id_number="500116198503030033", lines=[("110200002", "诊查费", "1", "10", None)])
    f.settlement(clinic, id_number="500116198503030033", lines=[("110200002", "诊查费", "1", "10", None)])
    # inpatient: 6 bed days in a 4-day stay
    f.settlement(
        hosp,
        id_number="500116197001010044",
        kind="inpatient",
        admitted_on=date(2024, 5, 6),
        discharged_on=DAY,
        lines=[
            ("110200001", "床位费", "6", "50", date(2024, 5, 6)),
            ("330100001", "手术", "1", "2000", date(2024, 5, 7)),
        ],
    )
    # clean visit
    f.settlement(clinic, id_number="500116196001010055", lines=[("250101001", "血常规", "1", "20", None)])
    return hosp, clinic


def test_run_flags_and_rerun_adds_nothing(db):
    hosp, clinic = _data()
    run = services.audit_run(kind="daily", start=DAY, end=DAY)
    codes = sorted(Flag.objects.values_list("rule__code", flat=True))
    assert codes == ["JG-DJ-001", "JG-DJ-001", "JG-XB-001", "JG-ZY-001"]
    assert run.new_flags == 4 and run.settlements == 5
    bed = Flag.objects.get(rule__code="JG-ZY-001")
    assert bed.amount == D("100.00") and bed.institution == hosp
    again = services.audit_run(kind="monthly", start=date(2024, 5, 1), end=date(2024, 5, 31))
    assert Flag.objects.count() == 4 and again.new_flags == 0 and again.hits == 4


def test_disabled_rule_does_not_run(db):
    _data()
    AuditRule.objects.filter(code="JG-XB-001").update(enabled=False)
    services.audit_run(kind="daily", start=DAY, end=DAY)
    assert not Flag.objects.filter(rule__code="JG-XB-001").exists()


def test_answer_confirm_deduct_and_open_case(db):
    hosp, _ = _data()
    services.audit_run(kind="daily", start=DAY, end=DAY)
    flag = Flag.objects.get(rule__code="JG-ZY-001")
    staff, inst_user = f.staff(), f.institution_user(hosp)
    with pytest.raises(ValidationError):  # not before the institution answered or its time ran out
        services.flag_review(actor=staff, flag_id=flag.pk, confirm=True)
    services.flag_answer(actor=inst_user, flag_id=flag.pk, answer="系统录入错误，已多记2天床位费")
    with pytest.raises(ValidationError):  # more than the flagged amount
        services.flag_review(actor=staff, flag_id=flag.pk, confirm=True, deduction=D("100.01"))
    services.flag_review(actor=staff, flag_id=flag.pk, confirm=True, deduction=D("100"))
    flag.refresh_from_db()
    assert (flag.status, flag.deduction) == ("confirmed", D("100.00"))
    case = services.flag_open_case(
        actor=staff,
        flag_id=flag.pk,
        violations=["double_charging"],
        summary="多记床位费",
        registered_on=date(2024, 6, 1),
    )
    assert case.source == "intelligent_audit" and case.institution == hosp
    flag.refresh_from_db()
    assert flag.case == case
    with pytest.raises(ValidationError):
        services.flag_answer(actor=inst_user, flag_id=flag.pk, answer="再说明")


def test_clear_needs_a_reason_and_other_institution_cannot_answer(db):
    hosp, clinic = _data()
    services.audit_run(kind="daily", start=DAY, end=DAY)
    flag = Flag.objects.get(rule__code="JG-XB-001")
    with pytest.raises(Flag.DoesNotExist):
        services.flag_answer(actor=f.institution_user(clinic), flag_id=flag.pk, answer="不是我们的")
    staff = f.staff()
    with pytest.raises(ValidationError):
        services.flag_review(actor=staff, flag_id=flag.pk, confirm=False)
    services.flag_review(actor=staff, flag_id=flag.pk, confirm=False, note="性别登记错误，已更正")
    flag.refresh_from_db()
    assert flag.status == "cleared" and flag.deduction == 0


@pytest.mark.django_db(transaction=True)
def test_daily_task_on_a_real_worker_twice(celery_worker):
    from supervision.tasks import audit_daily_task

    services.audit_rules_ensure_defaults()  # a transactional test starts from a flushed database
    _data()
    first = audit_daily_task.delay(DAY.isoformat()).get(timeout=60)
    second = audit_daily_task.delay(DAY.isoformat()).get(timeout=60)
    assert first["new_flags"] == 4 and second["new_flags"] == 0
    assert Flag.objects.count() == 4 and AuditRun.objects.count() == 2


def test_run_request_queues_on_commit(db, django_capture_on_commit_callbacks):
    staff = f.staff()
    with django_capture_on_commit_callbacks() as callbacks:
        job = services.audit_run_request(actor=staff, kind="monthly", month="2024-05")
    assert callbacks and job.kind == "supervision.audit_run"  # the publish (and the figures' bump) after commit
    from medinsure.jobs.models import OutboxMessage

    queued = OutboxMessage.objects.get(job=job)  # the run is recorded in the outbox with the request
    assert queued.task == "supervision.audit_monthly" and queued.args == ["2024-05", str(job.pk)]
    with pytest.raises(ValidationError):
        services.audit_run_request(actor=staff, kind="monthly", month="2024-13")


def test_answer_after_the_time_limit_is_refused_and_staff_may_then_confirm(db):
    hosp, _ = _data()
    services.audit_run(kind="daily", start=DAY, end=DAY)
    flag = Flag.objects.get(rule__code="JG-ZY-001")
    Flag.objects.filter(pk=flag.pk).update(answer_due=date(2024, 5, 20))
    with pytest.raises(ValidationError) as e:
        services.flag_answer(actor=f.institution_user(hosp), flag_id=flag.pk, answer="迟到的说明")
    assert "answer" in e.value.message_dict
    services.flag_review(actor=f.staff(), flag_id=flag.pk, confirm=True)
    flag.refresh_from_db()
    assert flag.status == "confirmed" and flag.deduction == flag.amount


def test_daily_run_sees_the_earlier_stay_and_flags_only_the_new_settlement(db):
    hosp = f.institution()
    first = f.settlement(
        hosp,
        id_number="500116197501010066",
        kind="inpatient",
        admitted_on=date(2024, 4, 20),
        discharged_on=date(2024, 4, 28),
        settled_on=date(2024, 4, 28),
        lines=[("110200001", "床位费", "8", "50", date(2024, 4, 20))],
    )
    second = f.settlement(
        hosp,
        id_number="500116197501010066",
        kind="inpatient",
        admitted_on=date(2024, 5, 2),
        discharged_on=DAY,
        settled_on=DAY,
        lines=[("110200001", "床位费", "8", "50", date(2024, 5, 2))],
    )
    services.audit_run(kind="daily", start=DAY, end=DAY)
    flags = list(Flag.objects.filter(rule__code="JG-FZ-001").values_list("settlement_id", "key"))
    assert flags == [(second.pk, f"after:{first.pk}")]
    assert not Flag.objects.filter(settlement_id=first.pk).exists()
