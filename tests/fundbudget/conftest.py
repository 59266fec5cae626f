import pytest

from medinsure.accounts.models import Role


@pytest.fixture(autouse=True)
def _default_warning_rules(request):
    """The default rules come from a data migration; a transactional test elsewhere in the suite
    truncates them, so tests that use the database put back any that are missing."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    transactional = marker.kwargs.get("transaction", False)
    request.getfixturevalue("transactional_db" if transactional else "db")
    from fundbudget.services import warning_rules_ensure_defaults

    warning_rules_ensure_defaults()


@pytest.fixture
def fund_user(make_user):
    return make_user(Role.FUND)


@pytest.fixture
def township_user(make_user, divisions):
    return make_user(Role.TOWNSHIP, divisions.town_a)
