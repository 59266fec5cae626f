"""The handling services' wiring: refusals naming the field, one audit row per change, the registers
written through claims and enrollment in the decision's transaction, the work queued after commit."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from claims import selectors as claims_selectors
from claims.models import DiseaseRegistration, ManualClaim, RemoteCareFiling, Settlement
from enrollment.models import CoverStop, DirectDebitAgreement
from handling import services
from handling.models import Disease
from handling.rules.workflow import due_on
from medinsure.accounts.models import Role
from medinsure.audit.models import AuditLog
from medinsure.core.holidays import holiday_schedule
from medinsure.jobs.models import OutboxMessage
from tests.claims.claims_db_helpers import hospitals, load_policy
from tests.handling.factories import covered_resident, points
from tests.handling.helpers import CLAIM_DETAILS, accepted, papers, received

pytestmark = [pytest.mark.django_db, pytest.mark.service]


@pytest.fixture
def world(divisions, make_user):
    return {
        "points": points(divisions),
        "resident": covered_resident(1, divisions.village_a1),
        "claims": make_user(Role.CLAIMS),
        "town_a": make_user(Role.TOWNSHIP, division=divisions.town_a),
        "town_b": make_user(Role.TOWNSHIP, division=divisions.town_b),
        "village": make_user(Role.VILLAGE, division=divisions.village_a1),
    }


def _audits(a):
    return AuditLog.objects.filter(object_type="handling.application", object_id=str(a.pk), action="change").count()


def test_receiving_gives_a_quotable_number_and_an_audit_row(world):
    w = world
    a = received(
        w["town_a"],
        w["points"]["town_a"],
        "cover_stop",
        w["resident"],
        papers_received=["居民身份证或户口簿"],
        details={"stopped_on": "2025-07-01", "reason": "出国定居"},
    )
    assert a.tracking_number.startswith(f"B{timezone.localdate():%y%m%d}") and len(a.tracking_number) == 14
    assert a.status == "received" and a.division_id == w["points"]["town_a"].division_id
    b = received(w["town_a"], w["points"]["town_a"], "resident_change", w["resident"])
    assert int(b.tracking_number[-4:]) == int(a.tracking_number[-4:]) + 1
    assert _audits(a) == 1


@pytest.mark.parametrize(
    "code,kw,field",
    [
        ("resident_change", {"papers_received": ["户口簿复印件"]}, "papers_received"),  # not a paper of the item
        ("manual_claim", {"details": CLAIM_DETAILS}, "item"),  # a district item is not handled at a township centre
        ("chronic", {"evidence_years": 2}, "disease"),
        ("cover_stop", {"details": {"reason": "出国"}}, "stopped_on"),
        ("resident_change", {"applicant_name": " "}, "applicant_name"),
        ("resident_change", {"channel": "phone"}, "channel"),  # phone filing is a village worker's
    ],
)
def test_receiving_refusals_name_the_field(world, code, kw, field):
    with pytest.raises(ValidationError) as exc:
        received(world["town_a"], world["points"]["town_a"], code, world["resident"], **kw)
    assert field in exc.value.message_dict


def test_chronic_records_must_be_of_the_last_three_years(world):
    disease = Disease.objects.get(name="类风湿性关节炎", kind="chronic")
    with pytest.raises(ValidationError) as exc:
        received(
            world["town_a"],
            world["points"]["town_a"],
            "chronic",
            world["resident"],
            disease_id=disease.pk,
            evidence_years=4,
        )
    assert list(exc.value.message_dict) == ["evidence_years"]


def test_acceptance_lists_every_missing_paper_at_once_and_starts_the_clock(world):
    w = world
    a = received(
        w["town_a"],
        w["points"]["town_a"],
        "emergency_filing",
        w["resident"],
        papers_received=["医保卡"],
        details={"filing_kind": "emergency", "destination": "邻县人民医院", "valid_from": "2025-01-02"},
    )
    with pytest.raises(ValidationError) as exc:
        services.application_accept(actor=w["town_a"], application_id=a.pk)
    assert exc.value.message_dict["papers_received"] == [
        "材料不全，请一次性补齐：居民身份证或户口簿、医疗机构急诊抢救证明"
    ]
    returned = services.application_return(actor=w["town_a"], application_id=a.pk)
    assert returned.status == "returned" and returned.details["missing"] == [
        "居民身份证或户口簿",
        "医疗机构急诊抢救证明",
    ]
    done = services.application_accept(
        actor=w["town_a"], application_id=a.pk, papers_received=papers("emergency_filing")
    )
    today = timezone.localdate()
    assert (done.status, done.accepted_on) == ("accepted", today)
    assert done.due_on == due_on(today, 1, holiday_schedule())
    assert _audits(a) == 3
    with pytest.raises(ValidationError) as exc:
        services.application_accept(actor=w["town_a"], application_id=a.pk)
    assert list(exc.value.message_dict) == ["status"]


def test_a_worker_of_another_township_gets_404(world):
    a = received(world["town_a"], world["points"]["town_a"], "resident_change", world["resident"])
    with pytest.raises(Http404):
        services.application_accept(actor=world["town_b"], application_id=a.pk)
    with pytest.raises(Http404):  # nor may they receive at town A's point
        received(world["town_b"], world["points"]["town_a"], "resident_change", world["resident"])


def test_a_chronic_disease_is_registered_only_after_the_expert_review(world):
    w = world
    disease = Disease.objects.get(name="类风湿性关节炎", kind="chronic")
    a = accepted(w["town_a"], w["points"]["town_a"], "chronic", w["resident"], disease_id=disease.pk, evidence_years=3)
    assert (a.round_year, a.round_half) == (timezone.localdate().year, 1 if timezone.localdate().month <= 6 else 2)
    with pytest.raises(PermissionDenied):  # the bureau decides chronic applications
        services.application_decide(actor=w["town_a"], application_id=a.pk, approve=True)
    with pytest.raises(ValidationError) as exc:
        services.application_decide(actor=w["claims"], application_id=a.pk, approve=True)
    assert list(exc.value.message_dict) == ["expert_opinion"]
    services.application_review(actor=w["claims"], application_id=a.pk, passed=True, opinion="活动期，符合认定标准")
    decided = services.application_decide(actor=w["claims"], application_id=a.pk, approve=True)
    assert decided.status == "approved" and "类风湿性关节炎" in decided.result_ref
    reg = DiseaseRegistration.objects.get(resident=w["resident"])
    assert (reg.disease, reg.kind, reg.valid_from) == ("类风湿性关节炎", "chronic", timezone.localdate())
    # entitlement now reads the registered disease
    ((_pk, e),) = claims_selectors.eligibility_many([w["resident"].id_number], on=timezone.localdate()).values()
    assert "类风湿性关节炎" in e.diseases
    finished = services.application_finish(actor=w["town_a"], application_id=a.pk)
    assert finished.status == "finished" and finished.finished_at is not None


def test_a_late_emergency_filing_is_refused_and_nothing_is_written(world):
    w = world
    admitted = timezone.localdate() - timedelta(days=30)
    a = accepted(
        w["town_a"],
        w["points"]["town_a"],
        "emergency_filing",
        w["resident"],
        details={"filing_kind": "emergency", "destination": "邻县人民医院", "valid_from": admitted.isoformat()},
    )
    with pytest.raises(ValidationError) as exc:
        services.application_decide(actor=w["town_a"], application_id=a.pk, approve=True)
    assert "5个工作日" in exc.value.message_dict["valid_from"][0]
    a.refresh_from_db()
    assert a.status == "accepted" and not RemoteCareFiling.objects.exists()
    refused = services.application_decide(actor=w["town_a"], application_id=a.pk, approve=False, reason="超过备案时限")
    assert refused.status == "refused"


def test_a_timely_emergency_filing_is_written(world):
    w = world
    a = accepted(
        w["town_a"],
        w["points"]["town_a"],
        "emergency_filing",
        w["resident"],
        details={
            "filing_kind": "emergency",
            "destination": "邻县人民医院",
            "valid_from": timezone.localdate().isoformat(),
        },
    )
    services.application_decide(actor=w["town_a"], application_id=a.pk, approve=True)
    assert RemoteCareFiling.objects.get(resident=w["resident"]).kind == "emergency"


def test_refusing_needs_a_reason(world):
    a = accepted(world["town_a"], world["points"]["town_a"], "resident_change", world["resident"])
    with pytest.raises(ValidationError) as exc:
        services.application_decide(actor=world["town_a"], application_id=a.pk, approve=False)
    assert list(exc.value.message_dict) == ["decision_reason"]


def test_a_manual_claim_is_settled_by_the_engine_paid_once_and_queues_the_fund_figures(
    world, divisions, django_capture_on_commit_callbacks
):
    w = world
    load_policy("guanxian-2018")
    hospitals(divisions)
    centre = w["points"]["centre"]
    a = accepted(w["claims"], centre, "manual_claim", w["resident"], details=CLAIM_DETAILS)
    OutboxMessage.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False):
        decided = services.application_decide(actor=w["claims"], application_id=a.pk, approve=True)
    claim = ManualClaim.objects.get()
    s = claim.settlement
    assert (s.number, s.institution.code, s.settled_on) == ("LX-INV-0001", "H50011600902", date(2018, 3, 5))
    assert (s.total_cost, s.in_scope_cost) == (6300, 6000)
    assert s.fund_paid > 0 and s.fund_paid + s.critical_paid + s.personal_paid == s.in_scope_cost
    assert "统筹支付" in decided.result_ref
    assert list(OutboxMessage.objects.values_list("task", "kwargs")) == [
        ("claims.monthly_stats_refresh", {"year": 2018})
    ]
    assert AuditLog.objects.filter(object_type="claims.manualclaim", object_id=str(claim.pk)).count() == 1
    # the queued refresh puts it in the fund's spending like any settlement
    from claims.services import monthly_stats_refresh

    monthly_stats_refresh(year=2018)
    assert claims_selectors.fund_expenditure_by_month(year=2018, scheme="resident")[3] == s.fund_paid + s.critical_paid
    # the same invoice again: refused on the invoice, nothing paid twice
    again = accepted(w["claims"], centre, "manual_claim", w["resident"], details=CLAIM_DETAILS)
    with pytest.raises(ValidationError) as exc:
        services.application_decide(actor=w["claims"], application_id=again.pk, approve=True)
    assert list(exc.value.message_dict) == ["invoice_number"]
    assert Settlement.objects.count() == 1


def test_a_manual_claim_outside_cover_is_recorded_with_no_fund_payment(world, divisions):
    w = world
    load_policy("guanxian-2018")
    hospitals(divisions)
    uncovered = covered_resident(2, divisions.village_a1, years=(2015,))
    a = accepted(w["claims"], w["points"]["centre"], "manual_claim", uncovered, details=CLAIM_DETAILS)
    services.application_decide(actor=w["claims"], application_id=a.pk, approve=True)
    s = Settlement.objects.get()
    assert (s.fund_paid, s.critical_paid) == (0, 0)  # entitlement from the registry, not from the clerk


def test_stop_resume_and_direct_debit(world):
    w = world
    stop = accepted(
        w["town_a"],
        w["points"]["town_a"],
        "cover_stop",
        w["resident"],
        details={"stopped_on": "2025-07-01", "reason": "出国定居"},
    )
    services.application_decide(actor=w["town_a"], application_id=stop.pk, approve=True)
    assert CoverStop.objects.get(resident=w["resident"]).resumed_on is None
    resume = accepted(
        w["town_a"], w["points"]["town_a"], "cover_resume", w["resident"], details={"resumed_on": "2025-06-01"}
    )
    with pytest.raises(ValidationError) as exc:
        services.application_decide(actor=w["town_a"], application_id=resume.pk, approve=True)
    assert list(exc.value.message_dict) == ["resumed_on"]
    resume.details = {"resumed_on": "2025-09-01"}
    resume.save(update_fields=["details"])
    services.application_decide(actor=w["town_a"], application_id=resume.pk, approve=True)
    assert CoverStop.objects.get(resident=w["resident"]).resumed_on == date(2025, 9, 1)

    year = timezone.localdate().year + 1
    debit = accepted(
        w["village"],
        w["points"]["village_a1"],
        "direct_debit",
        w["resident"],
        details={"year": year, "bank_name": "农商银行", "account_holder": "居民", "account_number": "6228480012345678"},
    )
    # from the moment it is received the application keeps the number encrypted, shows ****5678
    assert "6228480012345678" not in str(debit.details) and debit.details["account_number"] == "****5678"
    done = services.application_decide(actor=w["village"], application_id=debit.pk, approve=True)
    assert DirectDebitAgreement.objects.get(resident=w["resident"]).account_number() == "6228480012345678"
    assert done.details == {k: v for k, v in done.details.items() if k != "account_number_encrypted"}
    assert done.details["account_number"] == "****5678"  # the application keeps no full account number
