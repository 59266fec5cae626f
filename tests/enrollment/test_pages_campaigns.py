"""Campaigns (征缴年度与档次) are created and edited in the portal by enrollment staff, through the services:
rules checked with messages naming the field, nothing half-written, an audit row; the admin goes the same way."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from enrollment import services
from enrollment.models import Campaign, CampaignTier
from medinsure.audit.models import AuditLog
from medinsure.navigation import menu_for
from tests.enrollment.factories import make_campaign

pytestmark = pytest.mark.django_db


def _post_data(campaign_year=2026, **over):
    year = campaign_year
    data = {
        "year": str(year),
        "name": f"{year}年度城乡居民医保集中征缴",
        "collection_start": f"{year - 1}-09-01",
        "collection_end": f"{year - 1}-12-31",
        "city_target": "1380000",
        "township_total": "",
        "base_ratio": "0.96",
        "reminder_round_days": "0,30,60",
        "tiers-TOTAL_FORMS": "2",
        "tiers-INITIAL_FORMS": "2",
        "tiers-MIN_NUM_FORMS": "0",
        "tiers-MAX_NUM_FORMS": "2",
        "tiers-0-code": "tier1",
        "tiers-0-standard": "1100",
        "tiers-0-subsidy": "690",
        "tiers-0-personal": "410",
        "tiers-0-ltc_premium": "0",
        "tiers-1-code": "tier2",
        "tiers-1-standard": "1480",
        "tiers-1-subsidy": "690",
        "tiers-1-personal": "790",
        "tiers-1-ltc_premium": "30",
    }
    data.update(over)
    return data


def _tiers(campaign):
    return {t.code: (t.standard, t.subsidy, t.personal, t.ltc_premium) for t in campaign.tiers.all()}


def test_staff_creates_a_campaign_through_the_page(divisions, staff, client_as):
    client = client_as(staff)
    listing = client.get(reverse("enrollment:campaigns")).content.decode()
    assert reverse("enrollment:campaign_create") in listing and "新建" in listing
    assert client.get(reverse("enrollment:campaign_create")).status_code == 200
    response = client.post(reverse("enrollment:campaign_create"), _post_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    c = Campaign.objects.get(year=2026)
    assert (c.collection_start, c.collection_end, c.city_target, c.reminder_round_days) == (
        date(2025, 9, 1),
        date(2025, 12, 31),
        1_380_000,
        [0, 30, 60],
    )
    assert _tiers(c) == {
        "tier1": (Decimal("1100.00"), Decimal("690.00"), Decimal("410.00"), Decimal("0.00")),
        "tier2": (Decimal("1480.00"), Decimal("690.00"), Decimal("790.00"), Decimal("30.00")),
    }
    row = AuditLog.objects.get(object_type="enrollment.campaign", object_id=str(c.pk))
    assert row.actor == staff and row.action == AuditLog.Action.CHANGE and "create 2026" in row.summary
    page = client.get(reverse("enrollment:campaigns")).content.decode()
    assert "1100.00 元" in page and reverse("enrollment:campaign_edit", args=[2026]) in page


def test_staff_edits_a_campaign_through_the_page(registry, make_user, client_as):
    admin = make_user("admin")
    client = client_as(admin)
    form = client.get(reverse("enrollment:campaign_edit", args=[2025])).content.decode()
    assert "1070.00" in form and "2024-09-01" in form
    data = _post_data(
        2025,
        **{
            "year": "2031",  # the year of a campaign does not change
            "collection_end": "2024-11-30",
            "tiers-0-standard": "1070",
            "tiers-0-subsidy": "670",
            "tiers-0-personal": "400",
            "tiers-1-DELETE": "on",
        },
    )
    response = client.post(reverse("enrollment:campaign_edit", args=[2025]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    c = Campaign.objects.get(year=2025)
    assert not Campaign.objects.filter(year=2031).exists()
    assert c.collection_end == date(2024, 11, 30) and c.city_target == 1_380_000
    assert _tiers(c) == {"tier1": (Decimal("1070.00"), Decimal("670.00"), Decimal("400.00"), Decimal("0.00"))}
    row = AuditLog.objects.get(object_type="enrollment.campaign", object_id=str(c.pk))
    assert row.actor == admin and "update 2025" in row.summary and "2024-12-31" in row.summary


@pytest.mark.parametrize(
    ("over", "field", "words"),
    [
        ({"collection_start": "2026-01-01"}, "collection_start", "集中缴费期开始日期应早于结束日期"),
        (
            {"tiers-0-standard": "1000"},
            "tiers-0-standard",
            "一档筹资标准（1000.00元）应等于财政补助与个人缴费之和（1100.00元）",
        ),
        (
            {"tiers-1-personal": "-10", "tiers-1-standard": "680"},
            "tiers-1-personal",
            "二档个人缴费不能为负数",
        ),
        ({"city_target": "0"}, "city_target", "市级下达基本医保参保任务数应为正整数"),
        ({"year": "2025"}, "year", "2025年度的征缴年度已存在"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(registry, staff, client_as, over, field, words):
    campaign_audit = AuditLog.objects.filter(object_type="enrollment.campaign")
    before = (Campaign.objects.count(), CampaignTier.objects.count(), campaign_audit.count())
    response = client_as(staff).post(reverse("enrollment:campaign_create"), _post_data(**over))
    assert response.status_code == 200
    html = response.content.decode()
    assert words in html
    form, formset = response.context["form"], response.context["formset"]
    if field.startswith("tiers-"):
        _, i, name = field.split("-")
        assert words in " ".join(formset.forms[int(i)].errors[name])
    else:
        assert words in " ".join(form.errors[field])
    assert (Campaign.objects.count(), CampaignTier.objects.count(), campaign_audit.count()) == before


def test_a_refused_edit_changes_nothing(registry, staff, client_as):
    c = Campaign.objects.get(year=2025)
    before = _tiers(c)
    data = _post_data(2025, **{"tiers-1-subsidy": "700"})  # 1480 ≠ 700 + 790
    response = client_as(staff).post(reverse("enrollment:campaign_edit", args=[2025]), data)
    assert response.status_code == 200
    assert "二档筹资标准" in response.content.decode()
    c.refresh_from_db()
    assert _tiers(c) == before and c.collection_start == date(2024, 9, 1) and c.city_target == 1_378_200
    assert not AuditLog.objects.filter(object_type="enrollment.campaign").exists()


def test_services_refuse_with_the_field_named(registry, staff):
    tier = services.TierInput("tier1", Decimal("1070"), Decimal("670"), Decimal("400"))
    args = dict(
        actor=staff,
        name="2027",
        collection_start=date(2026, 9, 1),
        collection_end=date(2026, 12, 31),
        city_target=100,
        tiers=[tier],
    )
    with pytest.raises(ValidationError) as exc:
        services.campaign_create(year=2025, **args)
    assert "year" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.campaign_create(year=2027, **{**args, "city_target": -1})
    assert "city_target" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.campaign_create(year=2027, **{**args, "tiers": [tier, tier]})
    assert "tier1.code" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.campaign_create(year=2027, **{**args, "collection_end": date(2026, 9, 1)})
    assert "collection_start" in exc.value.message_dict
    c = services.campaign_create(year=2027, **args)
    assert _tiers(c) == {"tier1": (Decimal("1070.00"), Decimal("670.00"), Decimal("400.00"), Decimal("0.00"))}
    with pytest.raises(ValidationError) as exc:
        services.campaign_update(
            campaign=c, **{**args, "tiers": [services.TierInput("tier1", "1070.005", "670", "400.005")]}
        )
    assert "tier1.standard" in exc.value.message_dict


def test_township_and_village_workers_get_403(registry, make_user, client_as):
    make_campaign(2025)
    for user in (make_user("township", registry.town_a), make_user("village", registry.village_a1)):
        client = client_as(user)
        assert client.get(reverse("enrollment:campaigns")).status_code == 200  # reading stays open
        assert "新建" not in client.get(reverse("enrollment:campaigns")).content.decode()
        assert client.get(reverse("enrollment:campaign_create")).status_code == 403
        assert client.post(reverse("enrollment:campaign_create"), _post_data()).status_code == 403
        assert client.get(reverse("enrollment:campaign_edit", args=[2025])).status_code == 403
        assert client.post(reverse("enrollment:campaign_edit", args=[2025]), _post_data(2025)).status_code == 403
        urls = {e["url"] for s in menu_for(user) for e in s["entries"]}
        assert reverse("enrollment:campaign_create") not in urls
    assert not Campaign.objects.filter(year=2026).exists()
    leader = make_user("leader")
    assert client_as(leader).get(reverse("enrollment:campaign_create")).status_code == 403


def test_menu_offers_new_campaign_to_enrollment_staff_only(divisions, make_user):
    url = reverse("enrollment:campaign_create")
    urls = lambda u: {e["url"] for s in menu_for(u) for e in s["entries"]}  # noqa: E731
    assert url in urls(make_user("enrollment")) and url in urls(make_user("admin"))
    assert url not in urls(make_user("leader")) and url not in urls(make_user("director"))


def _admin_data(year, **over):
    data = {
        "year": str(year),
        "name": f"{year}年度集中征缴",
        "collection_start": f"{year - 1}-09-01",
        "collection_end": f"{year - 1}-12-31",
        "city_target": "1000",
        "township_total": "",
        "base_ratio": "0.96",
        "reminder_round_days": "[0, 30]",
        "tiers-TOTAL_FORMS": "1",
        "tiers-INITIAL_FORMS": "0",
        "tiers-MIN_NUM_FORMS": "0",
        "tiers-MAX_NUM_FORMS": "1000",
        "tiers-0-code": "tier1",
        "tiers-0-standard": "1070",
        "tiers-0-subsidy": "670",
        "tiers-0-personal": "400",
        "tiers-0-ltc_premium": "0",
        "_save": "1",
    }
    data.update(over)
    return data


def test_admin_saves_through_the_services(divisions, make_user, client_as, monkeypatch):
    su = make_user("admin", is_staff=True, is_superuser=True)
    client = client_as(su)
    calls = []
    real_create, real_update = services.campaign_create, services.campaign_update
    monkeypatch.setattr(services, "campaign_create", lambda **kw: calls.append("create") or real_create(**kw))
    monkeypatch.setattr(services, "campaign_update", lambda **kw: calls.append("update") or real_update(**kw))

    response = client.post(reverse("admin:enrollment_campaign_add"), _admin_data(2028))
    assert response.status_code == 302, response.content.decode()[:3000]
    c = Campaign.objects.get(year=2028)
    assert calls == ["create"] and _tiers(c)["tier1"][0] == Decimal("1070.00")
    assert AuditLog.objects.filter(object_type="enrollment.campaign", object_id=str(c.pk), actor=su).count() == 1

    tier = c.tiers.get()
    edit = _admin_data(
        2028,
        city_target="2000",
        **{"tiers-INITIAL_FORMS": "1", "tiers-0-id": str(tier.pk), "tiers-0-campaign": str(c.pk)},
    )
    response = client.post(reverse("admin:enrollment_campaign_change", args=[c.pk]), edit)
    assert response.status_code == 302, response.content.decode()[:3000]
    c.refresh_from_db()
    assert calls == ["create", "update"] and c.city_target == 2000
    assert AuditLog.objects.filter(object_type="enrollment.campaign", object_id=str(c.pk)).count() == 2

    # a refusal of the service is shown, and nothing is written
    bad = _admin_data(
        2028,
        city_target="0",
        **{"tiers-INITIAL_FORMS": "1", "tiers-0-id": str(tier.pk), "tiers-0-campaign": str(c.pk)},
    )
    response = client.post(reverse("admin:enrollment_campaign_change", args=[c.pk]), bad, follow=True)
    assert "市级下达基本医保参保任务数应为正整数" in response.content.decode()
    c.refresh_from_db()
    assert c.city_target == 2000
