"""The supervision API answers what its schema documents: nulls where a case has no decision or an
institution no agreement, a JSON 404 for an id that is not a number, the choice sets of a new case."""

import pytest

from medinsure.accounts.models import Role
from tests.api_schema import assert_documented, names_the_field

from .factories import institution, staff

pytestmark = pytest.mark.django_db

NEW_CASE = {
    "source": "on_site",
    "target_kind": "institution",
    "violations": ["fictitious"],
    "summary": "现场检查发现虚构服务",
    "registered_on": "2024-03-01",
}


def test_institution_without_agreement_is_documented(api_as):
    inst = institution(with_agreement=False, division=None)
    api = api_as(staff())
    r = api.get(f"/api/v1/supervision/institutions/{inst.pk}/")
    assert r.status_code == 200
    assert r.json()["agreement_status"] is None and r.json()["division_code"] is None
    assert_documented(r, "GET", "/api/v1/supervision/institutions/{id}/")
    assert_documented(api.get("/api/v1/supervision/institutions/"), "GET", "/api/v1/supervision/institutions/")


def test_case_without_decision_is_documented(api_as):
    inst = institution()
    api = api_as(staff(role=Role.SUPERVISION_HEAD))
    r = api.post("/api/v1/supervision/cases/", {**NEW_CASE, "institution_id": inst.pk}, format="json")
    assert r.status_code == 201, r.content
    assert_documented(r, "POST", "/api/v1/supervision/cases/")
    case = api.get(f"/api/v1/supervision/cases/{r.json()['id']}/")
    assert case.json()["recovered"] is None and case.json()["fine"] is None
    assert_documented(case, "GET", "/api/v1/supervision/cases/{id}/")
    assert_documented(api.get("/api/v1/supervision/cases/"), "GET", "/api/v1/supervision/cases/")


def test_unknown_source_and_target_kind_name_the_field(api_as):
    api = api_as(staff(role=Role.SUPERVISION_HEAD))
    r = api.post("/api/v1/supervision/cases/", {**NEW_CASE, "source": "rumour", "target_kind": "x"}, format="json")
    assert r.status_code == 400
    assert set(r.json()) == {"source", "target_kind"}
    assert_documented(r, "POST", "/api/v1/supervision/cases/")


@pytest.mark.parametrize("path", ["cases/abc/", "flags/null/", "institutions/1.5/", "cases/x/decide/"])
def test_an_id_that_is_not_a_number_is_a_json_404(api_as, path):
    method = "post" if path.endswith("decide/") else "get"
    r = getattr(api_as(staff()), method)(f"/api/v1/supervision/{path}", {}, format="json")
    assert r.status_code == 404 and r["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "url, field",
    [
        ("/api/v1/supervision/cases/?year=99999", "year"),  # the ORM's year lookup raised past 9999
        ("/api/v1/supervision/cases/?status=%00", "status"),
        ("/api/v1/supervision/cases/?source=rumour", "source"),
        ("/api/v1/supervision/flags/?month=99999-1", "month"),
        ("/api/v1/supervision/flags/?status=open", "status"),
        ("/api/v1/supervision/institutions/?q=%E5%8C%BB%00", "q"),
        ("/api/v1/supervision/institutions/?division=abc", "division"),
        ("/api/v1/supervision/institutions/?kind=clinic", "kind"),
    ],
)
def test_bad_list_filters_are_a_400_naming_the_parameter(api_as, url, field):
    r = api_as(staff()).get(url)
    assert names_the_field(r, field), r.content
    assert_documented(r, "GET", url.split("?")[0])


def test_good_list_filters_still_filter(api_as):
    own = institution(kind="pharmacy")
    r = api_as(staff()).get(f"/api/v1/supervision/institutions/?kind=pharmacy&status=active&q={own.code}")
    assert r.status_code == 200 and [x["code"] for x in r.json()["results"]] == [own.code]
    flags = api_as(staff()).get("/api/v1/supervision/flags/?status=pushed&month=2024-05")
    assert flags.status_code == 200 and flags.json()["count"] == 0
