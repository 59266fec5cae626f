"""Case workflow, decisions with agreement actions (one transaction), fines, publication."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from medinsure.accounts.models import Role
from medinsure.audit.models import AuditLog
from supervision import services
from supervision.models import Agreement, AgreementEvent, Case, CaseTransition, Decision
from tests.supervision import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.service]


@pytest.fixture
def staff():
    return f.staff()


def register(staff, inst, **kw):
    fields = dict(
        source="on_site",
        target_kind="institution",
        institution_id=inst.pk if inst else None,
        violations=["double_charging"],
        summary="重复收费床位费",
        registered_on=date(2024, 3, 1),
        inspected_on=date(2024, 3, 1),
    )
    fields.update(kw)
    return services.case_register(actor=staff, **fields)


def test_register_numbers_and_first_transition(staff):
    inst = f.institution()
    c1, c2 = register(staff, inst), register(staff, inst)
    assert (c1.number, c2.number) == ("JG2024-00001", "JG2024-00002")
    t = CaseTransition.objects.get(case=c1)
    assert (t.from_status, t.to_status, t.actor) == ("", "registered", staff)
    assert AuditLog.objects.filter(object_type="supervision.case", object_id=str(c1.pk)).exists()


@pytest.mark.parametrize(
    "fields,field",
    [
        ({"violations": []}, "violations"),
        ({"institution_id": None}, "institution"),
        ({"target_kind": "person", "person_id_number": ""}, "person_id_number"),
        ({"summary": " "}, "summary"),
    ],
)
def test_register_names_the_bad_field(staff, fields, field):
    with pytest.raises(ValidationError) as e:
        register(staff, f.institution(), **fields)
    assert field in e.value.message_dict
    assert not Case.objects.exists()


def test_workflow_refuses_skipped_transitions(staff):
    case = register(staff, f.institution())
    for target in ("executed", "closed", "decided"):
        with pytest.raises(ValidationError):
            services.case_transition(actor=staff, case_id=case.pk, target=target, note="x")
    services.case_transition(actor=staff, case_id=case.pk, target="investigating", on=date(2024, 3, 2))
    with pytest.raises(ValidationError):  # executed needs a decision first
        services.case_transition(actor=staff, case_id=case.pk, target="executed")
    case.refresh_from_db()
    assert case.status == "investigating"
    assert list(CaseTransition.objects.filter(case=case).values_list("to_status", flat=True)) == [
        "registered",
        "investigating",
    ]


def test_full_path_with_who_and_when(staff):
    case = register(staff, f.institution())
    services.case_transition(actor=staff, case_id=case.pk, target="investigating", on=date(2024, 3, 2))
    services.case_decide(
        actor=staff,
        case_id=case.pk,
        decided_on=date(2024, 4, 1),
        penalty=True,
        recovered=D("1000"),
        obtained=D("1000"),
        fine_basis="art38",
        fine_multiple=D("1.5"),
    )
    services.case_transition(actor=staff, case_id=case.pk, target="executed", on=date(2024, 4, 20))
    services.case_transition(actor=staff, case_id=case.pk, target="closed", on=date(2024, 5, 1))
    rows = list(CaseTransition.objects.filter(case=case).values_list("to_status", "on", "actor"))
    assert [r[0] for r in rows] == ["registered", "investigating", "decided", "executed", "closed"]
    assert all(r[2] == staff.pk for r in rows)
    assert Decision.objects.get(case=case).fine == D("1500.00")


def test_transfer_to_police_is_a_branch_that_needs_a_note(staff):
    case = register(staff, f.institution())
    services.case_transition(actor=staff, case_id=case.pk, target="investigating")
    with pytest.raises(ValidationError) as e:
        services.case_transition(actor=staff, case_id=case.pk, target="transferred")
    assert "note" in e.value.message_dict
    services.case_transition(actor=staff, case_id=case.pk, target="transferred", note="移交区公安分局")
    services.case_transition(actor=staff, case_id=case.pk, target="closed")


def test_decision_with_termination_changes_the_agreement_in_the_same_transaction(staff):
    inst = f.institution(kind="pharmacy")
    case = register(staff, inst)
    services.case_transition(actor=staff, case_id=case.pk, target="investigating")
    services.case_decide(
        actor=staff,
        case_id=case.pk,
        decided_on=date(2024, 6, 1),
        agreement_handling=True,
        agreement_action="terminate",
        action_from=date(2024, 6, 5),
    )
    a = Agreement.objects.get(institution=inst)
    assert (a.status, a.status_from) == ("terminated", date(2024, 6, 5))
    ev = AgreementEvent.objects.get(agreement=a, action="terminate")
    assert ev.case == case and ev.actor == staff


def test_agreement_action_and_case_commit_together_or_not_at_all(staff):
    inst = f.institution()
    Agreement.objects.filter(institution=inst).update(status="terminated", status_from=date(2023, 1, 1))
    case = register(staff, inst)
    services.case_transition(actor=staff, case_id=case.pk, target="investigating")
    with pytest.raises(ValidationError) as e:
        services.case_decide(
            actor=staff,
            case_id=case.pk,
            decided_on=date(2024, 6, 1),
            penalty=True,
            recovered=D("500"),
            agreement_action="suspend",
            action_from=date(2024, 6, 1),
            action_until=date(2024, 12, 1),
        )
    assert "agreement_action" in e.value.message_dict
    case.refresh_from_db()
    assert case.status == "investigating"  # the decision and the transition rolled back with it
    assert not Decision.objects.filter(case=case).exists()
    assert not AgreementEvent.objects.filter(action="suspend").exists()


def test_suspension_needs_a_period(staff):
    inst = f.institution()
    case = register(staff, inst)
    services.case_transition(actor=staff, case_id=case.pk, target="investigating")
    with pytest.raises(ValidationError):
        services.case_decide(
            actor=staff,
            case_id=case.pk,
            decided_on=date(2024, 6, 1),
            agreement_handling=True,
            agreement_action="suspend",
            action_from=date(2024, 6, 1),
        )
    assert Agreement.objects.get(institution=inst).status == "active"


@pytest.mark.parametrize(
    "multiple,ok,fine",
    [(D("2"), True, D("6000.00")), (D("5"), True, D("15000.00")), (D("1.5"), False, None), (D("6"), False, None)],
)
def test_person_fine_is_two_to_five_times_what_was_obtained(staff, multiple, ok, fine):
    case = register(
        staff,
        None,
        target_kind="person",
        institution_id=None,
        person_name="李四",
        person_id_number="500116199001010022",
        violations=["impersonation"],
        inspected_on=None,
    )
    services.case_transition(actor=staff, case_id=case.pk, target="investigating")
    kw = dict(
        actor=staff,
        case_id=case.pk,
        decided_on=date(2024, 7, 1),
        penalty=True,
        recovered=D("3000"),
        obtained=D("3000"),
        fine_basis="person_fraud",
        fine_multiple=multiple,
    )
    if ok:
        assert services.case_decide(**kw).fine == fine
    else:
        with pytest.raises(ValidationError) as e:
            services.case_decide(**kw)
        assert "fine_multiple" in e.value.message_dict


def test_person_cannot_have_an_agreement_action(staff):
    case = register(
        staff, None, target_kind="person", institution_id=None, person_id_number="500116199001010022", inspected_on=None
    )
    services.case_transition(actor=staff, case_id=case.pk, target="investigating")
    with pytest.raises(ValidationError):
        services.case_decide(
            actor=staff,
            case_id=case.pk,
            decided_on=date(2024, 7, 1),
            penalty=True,
            agreement_action="terminate",
            action_from=date(2024, 7, 1),
        )


def test_publication_refuses_personal_data(staff):
    case = register(
        staff,
        None,
        target_kind="person",
        institution_id=None,
        person_name="王五",
        person_id_number="500116199001010033",
        inspected_on=None,
    )
    services.case_transition(actor=staff, case_id=case.pk, target="investigating")
    services.case_decide(
        actor=staff,
        case_id=case.pk,
        decided_on=date(2024, 7, 1),
        penalty=True,
        obtained=D("100"),
        fine_basis="person_fraud",
        fine_multiple=D("2"),
    )
    with pytest.raises(ValidationError):
        services.case_publish(
            actor=staff, case_id=case.pk, published_on=date(2024, 7, 2), public_summary="参保人王五冒名住院"
        )
    services.case_publish(
        actor=staff,
        case_id=case.pk,
        published_on=date(2024, 7, 2),
        public_summary="某参保人冒用他人医保凭证住院，追回基金并处罚款。",
    )


def test_only_staff_write(make_user, divisions):
    inst = f.institution()
    for role in (Role.INSTITUTION, Role.TOWNSHIP, Role.CLAIMS):
        user = (
            f.institution_user(inst)
            if role == Role.INSTITUTION
            else make_user(role, divisions.town_a if role == Role.TOWNSHIP else None)
        )
        with pytest.raises(PermissionDenied):
            register(user, inst)


def test_division_filter_keeps_a_village_to_itself(staff, divisions):
    from supervision import selectors

    here = f.institution(division=divisions.village_a1)
    next_door = f.institution(division=divisions.village_a2)
    register(staff, here)
    register(staff, next_door)
    village = divisions.village_a1.code
    assert list(selectors.institution_list(staff, division=village)) == [here]
    assert selectors.supervision_figures(user=staff, year=2024, division=village).total["inspections"] == 1
    township = divisions.town_a.code
    assert set(selectors.institution_list(staff, division=township)) == {here, next_door}
    assert selectors.supervision_figures(user=staff, year=2024, division=township).total["inspections"] == 2


def test_a_transition_with_a_bad_date_says_which_field(staff, client_as):
    case = register(staff, f.institution())
    r = client_as(staff).post(
        f"/supervision/cases/{case.pk}/transition/", {"target": "investigating", "on": "2024-13-45"}, follow=True
    )
    assert r.status_code == 200
    assert "日期：" in r.content.decode()
    case.refresh_from_db()
    assert case.status == "registered"
