"""The seeded catalogue reproduces seed 002 四's counts; a reload changes nothing; diseases with conditions."""

import pytest
from django.core.management import call_command

from handling.models import Disease, HandlingItem

pytestmark = pytest.mark.django_db


def test_the_catalogue_has_the_seeds_counts():
    items = HandlingItem.objects.all()
    assert items.count() == 28  # 28项业务入驻 (the service centre handles every item)
    assert items.filter(level__in=["township", "village"]).count() == 14  # 14项下放到乡镇
    assert items.filter(level="village").count() == 5  # 5项下放到村
    assert items.filter(cross_province=True).count() == 8  # 8个跨省通办事项全程网办
    assert all("online" in i.channels for i in items.filter(cross_province=True))
    assert sum("machine" in i.channels for i in items) == 22  # 22个事项上线医保自助机
    named = {"flexible_enrol": "township", "resident_enrol": "village"}
    assert {c: HandlingItem.objects.get(code=c).level for c in named} == named
    assert not HandlingItem.objects.get(code="manual_claim").demo_guess
    assert HandlingItem.objects.get(code="unit_enrol").demo_guess
    assert HandlingItem.objects.get(code="newborn_enrol").papers[0] == "乡镇（街道）人社所开具的介绍信"


def test_diseases_carry_their_conditions():
    assert Disease.objects.get(name="类风湿性关节炎").condition == "活动期"
    assert Disease.objects.filter(kind="chronic").count() == 21
    assert set(Disease.objects.filter(kind="special").values_list("name", flat=True)) == {
        "恶性肿瘤",
        "系统性红斑狼疮",
        "血友病",
    }


def test_reloading_keeps_the_bureaus_edits_unless_refreshed():
    HandlingItem.objects.filter(code="chronic").update(time_limit_workdays=15)
    call_command("handling_catalogue")
    assert HandlingItem.objects.get(code="chronic").time_limit_workdays == 15
    call_command("handling_catalogue", "--refresh")
    assert HandlingItem.objects.get(code="chronic").time_limit_workdays == 20
    assert HandlingItem.objects.count() == 28
