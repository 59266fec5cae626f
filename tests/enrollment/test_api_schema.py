"""The enrollment API answers what its schema documents: the resident and task lists are pages
({count, page, results}), not the bare arrays the schema used to promise; a stale version is a 409
with the field's message."""

import pytest

from enrollment import services
from enrollment.models import MobilisationTask
from tests.api_schema import assert_documented, names_the_field
from tests.enrollment.factories import ResidentFactory, make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def task_world(registry, make_user):
    make_campaign(2025)
    ResidentFactory(hukou_division=registry.village_a1, name="甲村人", phone="13911112222")
    services.tasks_sync(year=2025)
    return {"staff": make_user("enrollment"), "task": MobilisationTask.objects.get()}


def test_resident_and_task_lists_are_documented_pages(task_world, api_as):
    api = api_as(task_world["staff"])
    residents = api.get("/api/v1/enrollment/residents/?year=2025")
    assert residents.status_code == 200 and residents.json()["count"] == 1
    assert_documented(residents, "GET", "/api/v1/enrollment/residents/")
    tasks = api.get("/api/v1/enrollment/tasks/?year=2025")
    assert tasks.status_code == 200 and set(tasks.json()) == {"count", "page", "results"}
    assert_documented(tasks, "GET", "/api/v1/enrollment/tasks/")


def test_a_stale_version_is_a_documented_409(task_world, api_as):
    api = api_as(task_world["staff"])
    url = f"/api/v1/enrollment/tasks/{task_world['task'].pk}/outcome/"
    assert api.post(url, {"outcome": "promised", "version": 1}, format="json").status_code == 200
    stale = api.post(url, {"outcome": "promised", "version": 1}, format="json")
    assert stale.status_code == 409 and list(stale.json()) == ["version"]
    assert_documented(stale, "POST", "/api/v1/enrollment/tasks/{id}/outcome/")


@pytest.mark.parametrize(
    "url, field",
    [
        ("/api/v1/enrollment/tasks/?year=2025&village=%00", "village"),
        ("/api/v1/enrollment/tasks/?year=2025&status=a%00b", "status"),
        ("/api/v1/enrollment/tasks/?year=2025&page=0", "page"),
        ("/api/v1/enrollment/residents/?q=%E7%8E%8B%00", "q"),
        ("/api/v1/enrollment/residents/?division=5001%00", "division"),
        ("/api/v1/enrollment/residents/?status=insured", "status"),
        ("/api/v1/enrollment/residents/?year=99999", "year"),
    ],
)
def test_bad_list_filters_are_a_400_naming_the_parameter(task_world, api_as, url, field):
    # Unknown choices, years past 9999 and non-digit codes reached the ORM as given.
    r = api_as(task_world["staff"]).get(url)
    assert names_the_field(r, field), r.content
    assert_documented(r, "GET", url.split("?")[0])


def test_gateway_receipts_are_json_only(make_user, api_as):
    # Posted as a form or multipart, the list parsed as empty and was answered 200 "updated 0".
    gateway = api_as(make_user("api_client"))
    url = "/api/v1/enrollment/reminders/receipts/"
    form = gateway.post(url, {"provider_id": "x", "status": "delivered"}, format="multipart")
    assert form.status_code == 415 and "multipart/form-data" in form.json()["detail"]
    assert_documented(form, "POST", url)
    assert gateway.post(url, [], format="json").json() == {"updated": 0}
