"""Issue 15: a settlement as a role sees a person — the leader (who reads claims but may not see ID
numbers) gets the masked ID and the age, never the birth date; the ID-number filter goes in a POST body."""

from datetime import date

import pytest
from django.urls import reverse

from medinsure.accounts.models import Role
from medinsure.audit.models import AuditLog
from medinsure.masking import age_of, mask_id_number
from medinsure.rules.id_numbers import make_id_number
from tests.supervision import factories as sf

pytestmark = [pytest.mark.django_db, pytest.mark.service]

BORN = date(1942, 7, 11)
NUMBER = make_id_number("500116", BORN, 0)


@pytest.fixture
def settlement():
    inst = sf.institution(name="甲镇卫生院")
    return sf.settlement(inst, id_number=NUMBER, birth=BORN, settled_on=date(2024, 5, 10))


def test_the_leader_gets_the_masked_id_and_the_age(settlement, make_user, client_as, api_as):
    leader = make_user(Role.LEADER)
    html = client_as(leader).get(reverse("claims:settlement_detail", args=[settlement.pk])).content.decode()
    assert mask_id_number(NUMBER) in html and f"{age_of(BORN, as_of=settlement.settled_on)}岁" in html
    assert BORN.isoformat() not in html and "1942年7月11日" not in html and NUMBER not in html
    row = api_as(leader).get("/api/v1/claims/settlements/").json()["results"][0]
    assert row["id_number"] == mask_id_number(NUMBER) and row["birth_date"] is None
    assert row["age"] == age_of(BORN, as_of=settlement.settled_on)


def test_claims_staff_get_the_whole_person(settlement, make_user, client_as, api_as):
    staff = make_user(Role.CLAIMS)
    html = client_as(staff).get(reverse("claims:settlement_detail", args=[settlement.pk])).content.decode()
    assert NUMBER in html and BORN.isoformat() in html
    row = api_as(staff).get("/api/v1/claims/settlements/").json()["results"][0]
    assert row["id_number"] == NUMBER and row["birth_date"] == BORN.isoformat()


def test_the_id_number_filter_goes_in_a_post_body(settlement, make_user, client_as, api_as):
    staff = make_user(Role.CLAIMS)
    api = api_as(staff)
    refused = api.get(f"/api/v1/claims/settlements/?id_number={NUMBER}")
    assert refused.status_code == 400 and list(refused.json()) == ["id_number"]
    found = api.post("/api/v1/claims/settlements/search/", {"id_number": NUMBER}, format="json")
    assert found.status_code == 200 and [r["id"] for r in found.json()["results"]] == [settlement.pk]
    none = api.post("/api/v1/claims/settlements/search/", {"id_number": NUMBER[:-1] + "X"}, format="json")
    assert none.status_code == 200 and none.json()["results"] == []
    c = client_as(staff)
    page = c.post(reverse("claims:settlement_list"), {"id_number": NUMBER})
    assert page.status_code == 200 and settlement.number in page.content.decode()
    moved = c.post(reverse("claims:settlement_list"), {"year": "2024"})
    assert moved.status_code == 302 and moved["Location"].endswith("?year=2024")
    ignored = c.get(reverse("claims:settlement_list") + f"?id_number={NUMBER}", follow=True).content.decode()
    assert "不要把号码放在网址里" in ignored
    logged = AuditLog.objects.values_list("path", "summary", "object_id")
    assert logged and not [row for row in logged if any(NUMBER in str(v) for v in row)]
