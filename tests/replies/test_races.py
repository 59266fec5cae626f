"""Two real connections at once: the director signing twice, and the same number registered twice."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from replies import services
from replies.models import LetterVersion, Proposal
from tests.races import race

from .factories import director, office_user, register, signable_letter

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.service]


def test_signing_and_revising_at_once_leaves_one_coherent_state():
    clerk, boss = office_user(), director()
    p = register(clerk)
    v = signable_letter(clerk, p)
    results = race(
        lambda: services.letter_sign(actor=boss, version_id=v.pk),
        lambda: services.letter_sign(actor=boss, version_id=v.pk),
    )
    assert sum(isinstance(r, LetterVersion) for r in results) == 1
    assert sum(isinstance(r, ValidationError) for r in results) == 1
    results = race(
        lambda: services.letter_revise(actor=clerk, version_id=v.pk),
        lambda: services.letter_revise(actor=clerk, version_id=v.pk),
    )
    assert sum(isinstance(r, LetterVersion) for r in results) == 1
    assert LetterVersion.objects.filter(letter__proposal=p).count() == 2


def test_the_same_number_registered_at_once():
    clerk = office_user()

    def reg():
        return register(clerk, number="88", assigned_on=date(2025, 3, 10))

    results = race(reg, reg)
    assert sum(isinstance(r, Proposal) for r in results) == 1
    loser = next(r for r in results if not isinstance(r, Proposal))
    assert isinstance(loser, ValidationError) and "number" in loser.message_dict
    assert Proposal.objects.filter(number="88").count() == 1
