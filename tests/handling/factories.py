"""Handling test data: service points on the shared division tree, a covered resident, applications."""

from __future__ import annotations

from datetime import date

from enrollment.models import InsuranceStatus, Payment
from handling.models import ServicePoint
from medinsure.rules.id_numbers import make_id_number
from tests.enrollment.factories import ResidentFactory


def points(divisions) -> dict[str, ServicePoint]:
    return {
        "centre": ServicePoint.objects.create(name="区医保服务中心", level="district", division=divisions.district),
        "town_a": ServicePoint.objects.create(name="甲镇便民服务中心", level="township", division=divisions.town_a),
        "town_b": ServicePoint.objects.create(name="乙镇便民服务中心", level="township", division=divisions.town_b),
        "village_a1": ServicePoint.objects.create(
            name="甲镇一村医保之窗", level="village", division=divisions.village_a1
        ),
    }


def covered_resident(n: int, division, *, years=(2016, 2017, 2018)):
    """A resident insured (tier 1) in ``years``, paid on time for the last of them."""
    r = ResidentFactory(id_number=make_id_number("500116", date(1960, 3, 3), 500 + n), hukou_division=division)
    for y in years:
        InsuranceStatus.objects.create(resident=r, year=y, status="tier1", source="tax", status_date=date(y, 1, 1))
        Payment.objects.create(
            resident=r,
            year=y,
            tier="tier1",
            amount=190,
            paid_on=date(y - 1, 11, 1),
            receipt_no=f"H{n}-{y}",
            kind="on_time",
            cover_start=date(y, 1, 1),
        )
    return r
