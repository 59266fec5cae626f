"""The statistics API is cached in Redis per user area and filters (medinsure.core.figures_cache) and
moves on when the monthly figures are rebuilt: after an import the new settlement is counted."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.selectors import settlement_stats
from medinsure.accounts.models import Role
from tests.claims.claims_db_helpers import hospitals, import_rows, load_policy, person, row

pytestmark = [pytest.mark.django_db, pytest.mark.service]

URL = "/api/v1/claims/stats/?year=2018"


def test_stats_cached_until_an_import_rebuilds_the_monthly_figures(divisions, make_user, api_as):
    policy = load_policy("guanxian-2018")
    h = hospitals(divisions)
    import_rows(policy, [row("C1", h[2], person(1), divisions.village_a1, settled="2018-03-10", cost="8000")])
    api = api_as(make_user(Role.CLAIMS))
    town_b = make_user(Role.TOWNSHIP, division=divisions.town_b)

    with CaptureQueriesContext(connection) as first:
        one = api.get(URL).json()
    with CaptureQueriesContext(connection) as second:
        assert api.get(URL).json() == one
    assert one["total"]["count"] == 1
    assert sum("claims_monthlystat" in q["sql"] for q in first.captured_queries) >= 2
    assert not any("claims_monthlystat" in q["sql"] for q in second.captured_queries)
    # another area's figures are not the cached district ones (the page of a township reads the same)
    assert settlement_stats(town_b, year=2018)["total"]["count"] == 0

    import_rows(
        policy,
        [row("C2", h[3], person(3), divisions.village_b1, settled="2018-03-20", cost="10900")],
        name="second.csv",
    )
    after = api.get(URL).json()
    assert after["total"]["count"] == 2
    assert next(m for m in after["months"] if m["month"] == 3)["count"] == 2
    assert settlement_stats(town_b, year=2018)["total"]["count"] == 1
