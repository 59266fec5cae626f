"""The year's supervision figures are cached in Redis (medinsure.core.figures_cache) and stay correct:
a second read costs no figure queries, every supervision write moves the figures on — also when a
reader cached the old figures while the write was still uncommitted — and with Redis unreachable
the figures are computed live."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from medinsure.core.figures_cache import bump_on_commit
from supervision import selectors, services
from supervision.models import Flag
from tests.races import race
from tests.supervision import factories as f

pytestmark = [pytest.mark.service]

DAY = date(2024, 5, 10)
URL = "/api/v1/supervision/stats/?year=2024"


def _flags():
    """Two settlements that break a rule each: 311100* for a woman, 6 bed days in a 4-day stay."""
    services.audit_rules_ensure_defaults()  # a transactional test before may have flushed the migration's rows
    hosp = f.institution()
    f.settlement(hosp, id_number="500116199002020021", sex="F", lines=[("311100001", "前列腺按摩", "1", "80", None)])
    f.settlement(
        hosp,
        id_number="500116197001010044",
        kind="inpatient",
        admitted_on=date(2024, 5, 6),
        discharged_on=DAY,
        lines=[("110200001", "床位费", "6", "50", date(2024, 5, 6))],
    )
    services.audit_run(kind="daily", start=DAY, end=DAY)
    return hosp


@pytest.mark.django_db
def test_second_read_is_cached_and_a_review_moves_the_figures(api_as):
    hosp = _flags()
    staff = f.staff()
    api = api_as(staff)
    with CaptureQueriesContext(connection) as first:
        r = api.get(URL)
        one = r.json()
    assert r.status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert api.get(URL).json() == one
    assert (one["flags_raised"], one["flags_confirmed"]) == (2, 0)
    # the figure queries (cases, decisions, agreements, reports, transitions, flags) are not run again
    figure_tables = ("supervision_flag", "supervision_case", "supervision_decision")
    assert sum(any(t in q["sql"] for t in figure_tables) for q in first.captured_queries) >= 3
    assert not any(any(t in q["sql"] for t in figure_tables) for q in second.captured_queries)

    flag = Flag.objects.get(rule__code="JG-ZY-001")
    services.flag_answer(actor=f.institution_user(hosp), flag_id=flag.pk, answer="多记床位费2天")
    services.flag_review(actor=staff, flag_id=flag.pk, confirm=True, deduction=D("100"), on=date(2024, 6, 3))
    after = api.get(URL).json()
    assert (after["flags_raised"], after["flags_confirmed"]) == (2, 1)
    month = api.get(URL + "&month=6").json()
    assert month["flags_confirmed"] == 1 and month["flags_raised"] == 0


@pytest.mark.django_db(transaction=True)
def test_a_reader_during_an_uncommitted_write_does_not_keep_the_old_figures():
    _flags()
    staff = f.staff()
    assert selectors.supervision_stats(user=staff, year=2024)["flags_confirmed"] == 0

    seen = {}

    def reader():  # another request, on its own connection, while the write is not committed
        return selectors.supervision_stats(user=staff, year=2024)["flags_confirmed"]

    with transaction.atomic():
        bump_on_commit(selectors.FIGURES)  # what every supervision service does in its transaction
        Flag.objects.filter(rule__code="JG-ZY-001").update(status="confirmed", reviewed_on=date(2024, 6, 3))
        [seen["during"]] = race(reader)
    assert seen["during"] == 0  # it saw (and cached) the committed figures of that moment
    assert selectors.supervision_stats(user=staff, year=2024)["flags_confirmed"] == 1


@pytest.mark.django_db
def test_figures_are_computed_live_when_redis_is_unreachable(api_as):
    _flags()
    api = api_as(f.staff())
    unreachable = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    with override_settings(CACHES=unreachable):
        r = api.get(URL)
    assert r.status_code == 200 and r.json()["flags_raised"] == 2


@pytest.mark.django_db
def test_the_cache_keys_name_the_database():
    """A test database and the portal's own (or two portals) may share one Redis: neither reads the other's figures."""
    from django.core.cache import cache

    from medinsure.core import figures_cache

    name = connection.settings_dict["NAME"]
    version = figures_cache.figures_version(selectors.FIGURES)
    assert name.startswith("test_") and cache.get(f"figures:{name}:supervision:version") == version
