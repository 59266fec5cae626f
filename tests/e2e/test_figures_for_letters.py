"""The office drafts replies: it may quote the district's aggregate figures in a letter, without
gaining the enrollment pages or endpoints those figures come from."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from medinsure.accounts.models import Role
from replies import figures

pytestmark = pytest.mark.django_db


def test_the_office_quotes_enrollment_progress_but_cannot_open_its_pages(divisions, make_user, client_as, api_as):
    from enrollment.models import ProgressDaily

    ProgressDaily.objects.create(
        year=2025,
        day=date(2024, 12, 1),
        level="township",
        division_code=divisions.town_a.code,
        division_name="甲镇",
        parent_code=divisions.district.code,
        task=60000,
        insured=45000,
        rate=Decimal("0.75"),
        rank=1,
    )
    office = make_user(Role.OFFICE)
    value = figures.fetch("enrollment_progress", user=office, params={"year": 2025, "level": "township"})
    assert "甲镇任务60000人、已参保45000人、完成75%" in value.text
    assert api_as(office).get("/api/v1/enrollment/progress/", {"year": 2025, "level": "township"}).status_code == 403
    assert client_as(office).get("/enrollment/").status_code == 403
    # a section without the replies area still gets nothing
    claims = make_user(Role.CLAIMS)
    with pytest.raises(ValidationError):
        figures.fetch("enrollment_progress", user=claims, params={"year": 2025, "level": "township"})
