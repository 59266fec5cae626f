"""Enrollment's pages can be read in English; zh-hans stays the default."""

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_campaigns_page_in_english_when_chosen_chinese_by_default(registry, staff, client_as):
    client = client_as(staff)
    chinese = client.get(reverse("enrollment:campaigns")).content.decode()
    assert "征缴年度与档次" in chinese and "Contribution years and tiers" not in chinese

    client.cookies["django_language"] = "en"
    try:
        english = client.get(reverse("enrollment:campaigns")).content.decode()
    finally:
        translation.activate("zh-hans")  # the middleware leaves the test thread in English
    assert '<h1 class="h4">Contribution years and tiers</h1>' in english
    assert "Funding standard" in english and "Late payment (full amount)" in english
    assert "征缴年度与档次" not in english

    del client.cookies["django_language"]
    assert "征缴年度与档次" in client.get(reverse("enrollment:campaigns")).content.decode()


def test_percent_sign_in_a_translated_template_string():
    template = Template('{% load i18n %}{% translate "完成率（%）" %}')
    with translation.override("en"):
        assert template.render(Context()) == "Completion rate (%)"
    assert template.render(Context()) == "完成率（%）"
