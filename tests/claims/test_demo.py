"""claims.demo: policies and settlements through the real import path; a second run changes nothing."""

import pytest

from claims import demo
from claims.models import MonthlyStat, PolicyVersion, Settlement, SettlementLine
from claims.selectors import settlement_stats
from medinsure.accounts.models import Role
from medinsure.core import demo as core_demo

pytestmark = pytest.mark.django_db


def test_demo_loads_once(make_user):
    core_demo.load()
    demo.load()
    counts = (Settlement.objects.count(), SettlementLine.objects.count(), PolicyVersion.objects.count())
    assert counts[0] == sum(demo.SETTLEMENTS.values())
    assert counts[2] == 7
    assert MonthlyStat.objects.filter(year=2025).exists()
    stats = settlement_stats(make_user(Role.LEADER), year=2025, month=6)
    assert stats["total"]["count"] > 0 and stats["total"]["count_growth"] is not None
    demo.load()
    assert (Settlement.objects.count(), SettlementLine.objects.count(), PolicyVersion.objects.count()) == counts
