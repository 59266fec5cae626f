"""The replies API refuses what it cannot handle with a 400 naming the field, and answers what its schema
documents: a year like 0282 was registered (and printed as "282-12-25"), an id like "null" was a 500."""

import pytest

from tests.api_schema import assert_documented, names_the_field

from .factories import office_user
from .test_api import GOOD, URL

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("assigned_on", ["0282-12-25", "1999-12-31", "2101-01-01"])
def test_an_implausible_assignment_date_is_refused_naming_the_field(api_as, assigned_on):
    r = api_as(office_user()).post(URL, {**GOOD, "assigned_on": assigned_on}, format="json")
    assert r.status_code == 400
    assert r.json() == {"assigned_on": ["交办日期须在 2000 年至 2100 年之间"]}
    assert_documented(r, "POST", URL)


def test_a_registered_proposal_is_documented(api_as):
    api = api_as(office_user())
    r = api.post(URL, GOOD, format="json")
    assert r.status_code == 201
    assert_documented(r, "POST", URL)
    assert_documented(api.get(f"{URL}{r.json()['id']}/"), "GET", URL + "{id}/")


@pytest.mark.parametrize("path", ["proposals/null/", "proposals/1.5/", "published/abc/"])
def test_an_id_that_is_not_a_number_is_a_json_404(api_as, path):
    r = api_as(office_user()).get(f"/api/v1/replies/{path}")
    assert r.status_code == 404 and r["Content-Type"] == "application/json"


def test_access_treats_a_non_numeric_id_as_missing():
    from django.http import Http404

    from replies.access import access_proposal_by_id, access_published_by_id

    with pytest.raises(Http404):
        access_proposal_by_id(office_user(), "null")
    with pytest.raises(Http404):
        access_published_by_id("abc")


@pytest.mark.parametrize(
    "query, field",
    [("status=%00", "status"), ("kind=senate", "kind"), ("year=99999", "year"), ("open=maybe", "open")],
)
def test_bad_list_filters_are_a_400_naming_the_parameter(api_as, query, field):
    # status/kind/year/open went to the database as given (or were silently ignored).
    r = api_as(office_user()).get(f"{URL}?{query}")
    assert names_the_field(r, field), r.content
    assert_documented(r, "GET", URL)


def test_list_filters_still_filter(api_as):
    api = api_as(office_user())
    assert api.post(URL, GOOD, format="json").status_code == 201
    assert api.get(f"{URL}?kind=npc&status=registered&year=2025&open=1").json()["count"] == 1
    assert api.get(f"{URL}?kind=cppcc").json()["count"] == 0
