"""Issue 15: import pages belong to the staff who import (and, for settlement files, the approvers of
the four-eyes step), not to every role of the area: leaders, the director and the administrator read an
area's pages but do not open its uploads, error reports or templates."""

import pytest
from django.urls import reverse

from medinsure.accounts.models import Role
from medinsure.accounts.scoping import Area
from medinsure.core.import_roles import may_import, may_upload

pytestmark = [pytest.mark.django_db]

PAGES = {
    Area.ENROLLMENT: ["enrollment:imports"],
    Area.CLAIMS: ["claims:import_upload", "claims:import_template"],
    Area.SUPERVISION: ["supervision:institution_import", "supervision:institution_import_template"],
    Area.FUNDBUDGET: ["fundbudget:statement_import", "fundbudget:import_template"],
}
IMPORTER = {
    Area.ENROLLMENT: Role.ENROLLMENT,
    Area.CLAIMS: Role.CLAIMS,
    Area.SUPERVISION: Role.SUPERVISION,
    Area.FUNDBUDGET: Role.FUND,
}


@pytest.mark.parametrize("area", list(PAGES))
@pytest.mark.parametrize("role", [Role.ADMIN, Role.LEADER, Role.DIRECTOR])
def test_readers_of_an_area_do_not_open_its_imports(area, role, make_user, client):
    client.force_login(make_user(role))
    for name in PAGES[area]:
        assert client.get(reverse(name)).status_code == 403, (role, name)


@pytest.mark.parametrize("area", list(PAGES))
def test_the_staff_who_import_do(area, make_user, client):
    client.force_login(make_user(IMPORTER[area]))
    for name in PAGES[area]:
        assert client.get(reverse(name)).status_code == 200, name


def test_settlement_imports_are_read_by_their_approvers_but_uploaded_by_claims_staff(make_user):
    director, admin, claims = make_user(Role.DIRECTOR), make_user(Role.ADMIN), make_user(Role.CLAIMS)
    assert may_import(director, Area.CLAIMS) and not may_upload(director, Area.CLAIMS)
    assert may_upload(claims, Area.CLAIMS) and not may_import(admin, Area.CLAIMS)
    assert not may_import(director, Area.ENROLLMENT) and may_import(make_user(Role.ENROLLMENT), Area.ENROLLMENT)
