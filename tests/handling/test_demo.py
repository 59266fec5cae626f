"""handling.demo: points and applications in every state through the real services; a second run changes nothing."""

import pytest

from claims import demo as claims_demo
from claims.models import DiseaseRegistration, ManualClaim
from enrollment import demo as enrollment_demo
from handling import demo
from handling.models import Application
from medinsure.core import demo as core_demo

pytestmark = pytest.mark.django_db


def test_demo_loads_once():
    core_demo.load()
    enrollment_demo.seed(residents=300)
    claims_demo.policies_load_files()
    claims_demo.policy_version_create(actor=None, document=claims_demo.demo_policy_document(2025), note="演示政策")
    demo.load()
    statuses = set(Application.objects.values_list("status", flat=True))
    assert statuses == {"received", "returned", "accepted", "refused", "approved", "finished"}
    assert DiseaseRegistration.objects.filter(disease="糖尿病").exists()
    assert ManualClaim.objects.count() == 1
    assert Application.objects.filter(channel="phone").exists()
    n = Application.objects.count()
    demo.load()
    assert Application.objects.count() == n
