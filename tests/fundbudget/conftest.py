import pytest

from medinsure.accounts.models import Role


@pytest.fixture
def fund_user(make_user):
    return make_user(Role.FUND)


@pytest.fixture
def township_user(make_user, divisions):
    return make_user(Role.TOWNSHIP, divisions.town_a)
