"""Issue 15, powers that need two people: a recalculation rewriting a year of payments is approved by
another person with an approving role (director or leader, accounts.powers.APPROVERS), never by the
person who started it nor by the author of the policy version it applies; the page says who started
it, that another person must approve, and offers the approval only to those who may give it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from claims import services
from claims.models import PolicyVersion, Recalculation
from medinsure.accounts.models import Role
from tests.claims.test_recalculation import _scenario

pytestmark = [pytest.mark.django_db, pytest.mark.service]


@pytest.fixture
def ready(divisions, make_user, django_capture_on_commit_callbacks):
    _policy, version = _scenario(divisions, n_persons=2)
    starter = make_user(Role.CLAIMS)
    with django_capture_on_commit_callbacks(execute=False):
        rc = services.recalculation_start(actor=starter, version=version, year=2018)
    services.recalculation_compute(recalculation_id=rc.pk)
    rc.refresh_from_db()
    assert rc.status == Recalculation.Status.READY
    return rc, starter


def _status(rc):
    return Recalculation.objects.get(pk=rc.pk).status


def test_the_claims_user_who_started_it_cannot_approve_it(ready, client_as):
    rc, starter = ready
    with pytest.raises(PermissionDenied):  # a claims role may not approve at all
        services.recalculation_approve(actor=starter, recalculation_id=rc.pk)
    assert client_as(starter).post(f"/claims/recalculations/{rc.pk}/approve/").status_code == 403
    assert _status(rc) == Recalculation.Status.READY


def test_a_director_who_started_it_cannot_approve_it(divisions, make_user, django_capture_on_commit_callbacks):
    _policy, version = _scenario(divisions, n_persons=2)
    director = make_user(Role.DIRECTOR)
    with django_capture_on_commit_callbacks(execute=False):
        rc = services.recalculation_start(actor=director, version=version, year=2018)
    services.recalculation_compute(recalculation_id=rc.pk)
    with pytest.raises(ValidationError) as exc:
        services.recalculation_approve(actor=director, recalculation_id=rc.pk)
    assert list(exc.value.message_dict) == ["approved_by"]
    assert _status(rc) == Recalculation.Status.READY
    with django_capture_on_commit_callbacks(execute=False):
        services.recalculation_approve(actor=make_user(Role.LEADER), recalculation_id=rc.pk)
    assert _status(rc) == Recalculation.Status.APPROVED


def test_the_author_of_the_policy_version_cannot_approve_it(ready, make_user):
    rc, _starter = ready
    leader = make_user(Role.LEADER)
    PolicyVersion.objects.filter(pk=rc.policy_version_id).update(created_by=leader)
    with pytest.raises(ValidationError) as exc:
        services.recalculation_approve(actor=leader, recalculation_id=rc.pk)
    assert list(exc.value.message_dict) == ["approved_by"]
    assert _status(rc) == Recalculation.Status.READY


@pytest.mark.parametrize("role", [Role.CLAIMS, Role.ADMIN, Role.SUPERVISION_HEAD, Role.FUND])
def test_roles_outside_the_approvers_table_are_refused(ready, make_user, role):
    rc, _starter = ready
    with pytest.raises(PermissionDenied):
        services.recalculation_approve(actor=make_user(role), recalculation_id=rc.pk)
    assert _status(rc) == Recalculation.Status.READY


def test_the_page_names_the_starter_and_offers_approval_only_to_another_approver(
    ready, make_user, client_as, api_as, django_capture_on_commit_callbacks
):
    rc, starter = ready
    url = f"/claims/recalculations/{rc.pk}/"
    html = client_as(starter).get(url).content.decode()
    assert f'data-testid="rc-started-by">{starter.display_name}<' in html
    assert 'data-testid="rc-four-eyes"' in html and "另一名有审批权限的人员" in html
    assert 'data-testid="approve"' not in html
    assert 'data-testid="approve"' not in client_as(make_user(Role.CLAIMS)).get(url).content.decode()
    leader = make_user(Role.LEADER)
    assert 'data-testid="approve"' in client_as(leader).get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=False):
        assert client_as(leader).post(f"/claims/recalculations/{rc.pk}/approve/").status_code == 302
    rc.refresh_from_db()
    assert (rc.status, rc.approved_by, rc.created_by) == (Recalculation.Status.APPROVED, leader, starter)
    data = api_as(starter).get(f"/api/v1/claims/recalculations/{rc.pk}/").json()
    assert (data["started_by"], data["approved_by"]) == (starter.display_name, leader.display_name)


def test_the_database_refuses_an_approval_by_the_starter_or_by_nobody(ready, make_user):
    """Four eyes kept by the database too (claims 0004): a write that bypasses the service cannot
    approve a run without an approver, or with its own starter as approver."""
    rc, starter = ready
    for approver in (None, starter):
        with pytest.raises(IntegrityError), transaction.atomic():
            Recalculation.objects.filter(pk=rc.pk).update(status=Recalculation.Status.APPROVED, approved_by=approver)
    Recalculation.objects.filter(pk=rc.pk).update(
        status=Recalculation.Status.APPROVED, approved_by=make_user(Role.DIRECTOR)
    )
