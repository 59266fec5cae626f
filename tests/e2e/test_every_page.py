"""Across the apps: every menu entry of every role opens (200), in Chinese, with nothing from another
host, and a role never finds another area's entries in its menu."""

import re

import pytest

from medinsure.accounts.models import Role
from medinsure.institutions.models import Institution
from medinsure.navigation import menu_for
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

OUTSIDE = re.compile(r"""(?:src|href|action)\s*=\s*["']((?:https?:)?//[^"']+)["']""", re.I)


def _user_for(role, divisions, make_user):
    if role == Role.TOWNSHIP:
        return make_user(role, divisions.town_a)
    if role == Role.VILLAGE:
        return make_user(role, divisions.village_a1)
    if role == Role.INSTITUTION:
        hospital = InstitutionFactory(kind=Institution.Kind.MEDICAL, division=divisions.town_a)
        return make_user(role, institution=hospital)
    return make_user(role)


@pytest.mark.parametrize("role", [r for r in Role if r != Role.API_CLIENT])
def test_every_menu_entry_opens_without_outside_hosts(role, divisions, make_user, client_as):
    user = _user_for(role, divisions, make_user)
    client = client_as(user)
    sections = menu_for(user)
    assert sections, f"{role} has no menu"
    for section in sections:
        for entry in section["entries"]:
            response = client.get(entry["url"], follow=True)
            assert response.status_code == 200, f"{role} {entry['url']} → {response.status_code}"
            html = response.content.decode()
            assert OUTSIDE.findall(html) == [], f"{entry['url']} loads from another host"
            assert '<html lang="zh-hans">' in html


def test_menus_follow_the_roles(divisions, make_user):
    areas = lambda user: {s["area"] for s in menu_for(user)}  # noqa: E731
    assert areas(make_user(Role.TOWNSHIP, divisions.town_a)) == {"enrollment", "handling"}
    assert areas(make_user(Role.FUND)) == {"fundbudget"}
    assert areas(make_user(Role.OFFICE)) == {"replies"}
    assert areas(make_user(Role.LEADER)) == {"enrollment", "claims", "supervision", "fundbudget", "replies", "handling"}
