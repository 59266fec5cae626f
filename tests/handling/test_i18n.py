"""The handling desk and its figures can be read in English; zh-hans stays the default."""

import pytest
from django.utils import timezone, translation

from medinsure.accounts.models import Role
from tests.handling.factories import covered_resident, points
from tests.handling.helpers import received

pytestmark = pytest.mark.django_db

DESK_CHINESE = ("窗口受理", "收件与在办事项", "受理编号", "缺少材料", "办结时限")
DESK_ENGLISH = ("Service desk", "Received and in-progress applications", "Acceptance number", "Missing documents", "Due date")
FIGURES_CHINESE = ("经办统计", "按服务点", "按事项", "退回补正", "按时办结率")
FIGURES_ENGLISH = ("Handling figures for", "By service point", "By item", "Return for completion", "On-time completion rate")


def _english(client, path):
    client.cookies["django_language"] = "en"
    try:
        r = client.get(path)
    finally:
        translation.activate("zh-hans")  # the middleware leaves the test thread in English
        del client.cookies["django_language"]
    assert r.status_code == 200
    return r.content.decode()


def test_desk_and_figures_in_english_when_chosen_chinese_by_default(divisions, make_user, client_as):
    service_points = points(divisions)
    worker = make_user(Role.TOWNSHIP, division=divisions.town_a)
    received(worker, service_points["town_a"], "record_print", covered_resident(1, divisions.village_a1))
    client = client_as(worker)
    year = timezone.localdate().year

    chinese = client.get("/handling/").content.decode()
    assert all(h in chinese for h in DESK_CHINESE) and "Service desk" not in chinese

    english = _english(client, "/handling/")
    assert '<h1 class="h4 mb-0">Service desk' in english
    for heading in DESK_ENGLISH:
        assert heading in english
    for heading in DESK_CHINESE:
        assert heading not in english

    english = _english(client, f"/handling/stats/?year={year}")
    assert f'<h1 class="h4">Handling figures for {year}</h1>' in english
    assert '<h2 class="h6">By service point</h2>' in english and '<h2 class="h6">By item</h2>' in english
    for heading in FIGURES_ENGLISH:
        assert heading in english
    for heading in FIGURES_CHINESE:
        assert heading not in english

    assert "经办统计" in client.get(f"/handling/stats/?year={year}").content.decode()
