"""The services follow the status tables (claims.rules.status): a refused move is a
ValidationError naming the status, with the message the pages show; a task delivered again does
nothing; a failure never marks finished work failed."""

import pytest
from django.core.exceptions import ValidationError

from claims import services
from claims.models import Recalculation, SettlementImport
from claims.services.recalculation import recalculation_failed
from claims.services.settlement_import import settlement_import_failed
from medinsure.accounts.models import Role
from tests.claims.factories import RecalculationFactory, SettlementImportFactory

pytestmark = pytest.mark.django_db
Imp, Rc = SettlementImport.Status, Recalculation.Status


@pytest.mark.parametrize("status", [Imp.INVALID, Imp.ACCEPTING, Imp.DONE, Imp.FAILED])
def test_only_a_preview_is_accepted(status):
    batch = SettlementImportFactory(status=status)
    with pytest.raises(ValidationError) as exc:
        services.settlement_import_accept(actor=None, import_id=batch.pk)
    assert exc.value.message_dict == {"status": [f"该导入批次当前状态为“{batch.get_status_display()}”，不能确认写入"]}
    assert SettlementImport.objects.get(pk=batch.pk).status == status


def test_an_accepted_preview_queues_the_write_by_name(django_capture_on_commit_callbacks):
    from medinsure.jobs.models import OutboxMessage

    batch = SettlementImportFactory(status=Imp.PREVIEW)
    with django_capture_on_commit_callbacks(execute=False):
        services.settlement_import_accept(actor=None, import_id=batch.pk)
    assert SettlementImport.objects.get(pk=batch.pk).status == Imp.ACCEPTING
    assert list(OutboxMessage.objects.values_list("task", "args")) == [
        ("claims.settlement_import_apply", [str(batch.pk)])
    ]


def test_a_written_batch_is_written_once_and_never_marked_failed():
    batch = SettlementImportFactory(status=Imp.DONE, created=3, skipped=1)
    assert services.settlement_import_apply(import_id=batch.pk) == {"created": 3, "skipped": 1}
    settlement_import_failed(import_id=batch.pk, message="boom")
    assert SettlementImport.objects.get(pk=batch.pk).status == Imp.DONE


def test_a_write_that_fails_marks_the_batch_failed():
    batch = SettlementImportFactory(status=Imp.PREVIEW)  # never accepted: the write refuses it
    with pytest.raises(ValidationError):
        services.settlement_import_apply(import_id=batch.pk)
    batch = SettlementImportFactory(status=Imp.ACCEPTING)
    settlement_import_failed(import_id=batch.pk, message="boom")
    assert SettlementImport.objects.get(pk=batch.pk).status == Imp.FAILED


@pytest.mark.parametrize("status", [Rc.COMPUTING, Rc.APPROVED, Rc.APPLIED, Rc.DISCARDED, Rc.FAILED])
def test_only_a_ready_report_is_approved(status, make_user):
    rc = RecalculationFactory(status=status)
    with pytest.raises(ValidationError) as exc:
        services.recalculation_approve(actor=make_user(Role.DIRECTOR), recalculation_id=rc.pk)
    assert exc.value.message_dict == {"status": [f"只有“待审批”的批量重算可以批准（当前：{rc.get_status_display()}）"]}


@pytest.mark.parametrize(("status", "allowed"), [(s, s in (Rc.READY, Rc.FAILED)) for s in Rc])
def test_discard(status, allowed):
    rc = RecalculationFactory(status=status)
    if allowed:
        services.recalculation_discard(actor=None, recalculation_id=rc.pk)
        assert Recalculation.objects.get(pk=rc.pk).status == Rc.DISCARDED
    else:
        with pytest.raises(ValidationError, match="只有“待审批”或“失败”的批量重算可以放弃"):
            services.recalculation_discard(actor=None, recalculation_id=rc.pk)


def test_apply_needs_approval_and_a_re_delivery_changes_nothing():
    rc = RecalculationFactory(status=Rc.READY)
    with pytest.raises(ValidationError, match="批量重算尚未批准"):
        services.recalculation_apply(recalculation_id=rc.pk)
    assert Recalculation.objects.get(pk=rc.pk).status == Rc.FAILED  # the failure is recorded
    done = RecalculationFactory(status=Rc.APPLIED, totals={"total": {"count": 1}})
    assert services.recalculation_apply(recalculation_id=done.pk) == {"total": {"count": 1}}
    discarded = RecalculationFactory(status=Rc.DISCARDED, totals={"x": 1})
    assert services.recalculation_compute(recalculation_id=discarded.pk) == {"x": 1}


def test_a_failure_never_marks_finished_work_failed():
    for status in (Rc.APPLIED, Rc.DISCARDED):
        rc = RecalculationFactory(status=status)
        recalculation_failed(recalculation_id=rc.pk, message="boom")
        assert Recalculation.objects.get(pk=rc.pk).status == status
    rc = RecalculationFactory(status=Rc.COMPUTING)
    recalculation_failed(recalculation_id=rc.pk, message="boom")
    assert Recalculation.objects.values_list("status", "message").get(pk=rc.pk) == (Rc.FAILED, "boom")


def test_a_second_run_of_the_same_year_is_refused_while_one_works():
    running = RecalculationFactory(status=Rc.APPROVED)
    with pytest.raises(ValidationError) as exc:
        services.recalculation_start(actor=None, version=running.policy_version, year=2018)
    assert exc.value.message_dict == {"year": ["该政策 2018 年度已有进行中的批量重算"]}


def test_a_stored_settlement_and_its_engine_row_give_one_visit():
    from claims import selectors
    from claims.visits import visit_from_settlement, visit_id
    from tests.claims.factories import SettlementFactory

    s = SettlementFactory(number="V1", disease="糖尿病", tier=2)
    row = selectors.year_settlements(policy_id=s.policy_version.policy_id, year=2018).values_list(
        *selectors.ENGINE_FIELDS, named=True
    )[0]
    assert visit_from_settlement(s) == visit_from_settlement(row)
    assert visit_from_settlement(s).visit_id == visit_id(s.settled_on, s.institution_id, "V1")
