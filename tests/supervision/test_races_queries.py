"""Races with two real connections; fixed query counts; the OpenAPI schema; the commands."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from supervision import selectors, services
from supervision.models import AgreementEvent, Decision
from tests.races import race
from tests.supervision import factories as f

pytestmark = [pytest.mark.service]


def _investigating_case(staff, inst):
    case = services.case_register(
        actor=staff,
        source="on_site",
        target_kind="institution",
        institution_id=inst.pk,
        violations=["fictitious"],
        summary="虚构服务",
        registered_on=date(2024, 3, 1),
    )
    services.case_transition(actor=staff, case_id=case.pk, target="investigating")
    return case


def _outcomes(*calls):
    """Each call's outcome in a race: "ok", or "refused" when it raised a ValidationError."""

    def outcome(result):
        if isinstance(result, ValidationError):
            return "refused"
        if isinstance(result, Exception):
            raise result
        return "ok"

    return sorted(outcome(r) for r in race(*calls))


@pytest.mark.django_db(transaction=True)
def test_two_terminations_of_one_agreement_at_once(db):
    staff, inst = f.staff(), f.institution(kind="pharmacy")
    a, b = _investigating_case(staff, inst), _investigating_case(staff, inst)

    def decide(case):
        return lambda: services.case_decide(
            actor=staff,
            case_id=case.pk,
            decided_on=date(2024, 6, 1),
            agreement_handling=True,
            agreement_action="terminate",
            action_from=date(2024, 6, 2),
        )

    assert _outcomes(decide(a), decide(b)) == ["ok", "refused"]
    assert AgreementEvent.objects.filter(action="terminate").count() == 1
    assert Decision.objects.count() == 1  # the refused decision rolled back with its agreement action


@pytest.mark.django_db(transaction=True)
def test_the_same_case_decided_twice_at_once(db):
    staff, inst = f.staff(), f.institution()
    case = _investigating_case(staff, inst)

    def decide():
        services.case_decide(actor=staff, case_id=case.pk, decided_on=date(2024, 6, 1), penalty=True, fine_basis="none")

    assert _outcomes(decide, decide) == ["ok", "refused"]
    assert Decision.objects.filter(case=case).count() == 1


@pytest.mark.django_db
def test_list_selectors_have_fixed_query_counts(django_assert_num_queries):
    staff = f.staff()
    for _ in range(3):
        _investigating_case(staff, f.institution())
    with django_assert_num_queries(1):
        rows = list(selectors.case_list(staff)[:50])
        _ = [(c.institution.name, getattr(c, "decision", None)) for c in rows]
    with django_assert_num_queries(1):
        _ = [(i.agreement.status, i.division) for i in selectors.institution_list(staff)[:50]]


@pytest.mark.django_db
def test_openapi_schema_has_the_supervision_endpoints(client, make_user):
    from medinsure.accounts.models import Role

    client.force_login(make_user(Role.ADMIN))
    r = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert r.status_code == 200
    text = r.content.decode()
    for path in ("/api/v1/supervision/stats/", "/api/v1/supervision/cases/", "/api/v1/supervision/flags/"):
        assert path in text


@pytest.mark.django_db
def test_commands(tmp_path, capsys):
    from tests.supervision.test_import_institutions import workbook

    staff = f.staff()
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook([["X1", "", "", "", "", "", "", "", "", ""]]))
    with pytest.raises(Exception, match="未写入"):
        call_command("import_institutions", str(path), user=staff.username)
    call_command("run_audit", month="2024-05")
    call_command("check_self_inspections", as_of="2024-09-11")
    assert "新增" in capsys.readouterr().out


@pytest.mark.django_db
def test_stats_selector_query_count_does_not_grow_with_the_data(django_assert_max_num_queries):
    staff = f.staff()
    for _ in range(4):
        case = _investigating_case(staff, f.institution())
        services.case_decide(
            actor=staff,
            case_id=case.pk,
            decided_on=date(2024, 6, 1),
            penalty=True,
            recovered=Decimal("10"),
            fine_basis="none",
        )
    with django_assert_max_num_queries(8):
        data = selectors.supervision_stats(user=staff, year=2024)
    assert data["penalties_or_agreement_handlings"] == 4 and data["recovered"] == Decimal("40.00")
