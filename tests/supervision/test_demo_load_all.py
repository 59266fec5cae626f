"""The whole demo (core, enrollment, claims, supervision, …) loads through load_demo: the seed 000
figures hold with claims' settlements audited, and the demo hospital's staff find their flags."""

import pytest
from django.core.management import call_command

from medinsure.accounts.models import User
from supervision.models import Flag
from tests.supervision.test_demo_figures import SEED_000

pytestmark = [pytest.mark.django_db, pytest.mark.service]


def test_load_demo_audits_claims_and_keeps_the_seed_figures(client_as, api_as):
    call_command("load_demo")
    hospital = User.objects.get(username="hospital")
    own = Flag.objects.filter(institution_id=hospital.institution_id)
    assert own.filter(status="answered").exists() or own.filter(status="confirmed").exists()
    assert Flag.objects.filter(status="confirmed").exists()
    page = client_as(hospital).get("/supervision/flags/").content.decode()
    assert hospital.institution.name in page
    data = api_as(User.objects.get(username="api")).get("/api/v1/supervision/stats/", {"year": 2024}).json()
    for key, value in SEED_000.items():
        assert data[key] == value, key
    assert data["flags_raised"] > 0
