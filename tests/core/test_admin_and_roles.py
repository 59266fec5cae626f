"""The Django admin (issue 15): no personal-data model is registered (the admin neither masks nor
audits); a role changes only through accounts.services.user_role_change, with an audit row, and nobody
changes their own role — so nobody grants themselves supervision_head."""

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from medinsure.accounts import services
from medinsure.accounts.models import Role, User
from medinsure.audit.models import AuditLog
from medinsure.regions.models import Division

pytestmark = pytest.mark.django_db

# Reference data and accounts: what the Django admin may show. Anything else (residents, settlements,
# reports, cases, proposals, the audit log…) is personal data or names people: not in the admin.
ADMIN_MAY_SHOW = {
    "accounts.user",
    "regions.division",
    "institutions.institution",
    "claims.policy",
    "claims.policyversion",
    "enrollment.campaign",
    "fundbudget.monthlystatement",
    "fundbudget.fundbudget",
    "fundbudget.fundwarning",
    "fundbudget.warningrule",
    "replies.holidayyear",
    "replies.publishedreply",
    # third-party apps' own tables (no personal data of residents)
    "auth.group",
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accesslog",
    "django_celery_beat.clockedschedule",
    "django_celery_beat.crontabschedule",
    "django_celery_beat.intervalschedule",
    "django_celery_beat.periodictask",
    "django_celery_beat.solarschedule",
}


def test_no_personal_data_model_is_in_the_django_admin():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered <= ADMIN_MAY_SHOW, sorted(registered - ADMIN_MAY_SHOW)
    for personal in ["claims.settlement", "replies.proposal", "audit.auditlog"]:
        assert personal not in registered


def test_a_role_change_is_a_service_with_an_audit_row(make_user):
    admin_user, clerk = make_user(Role.ADMIN), make_user(Role.SUPERVISION)
    services.user_role_change(actor=admin_user, user_id=clerk.pk, role=Role.SUPERVISION_HEAD)
    clerk.refresh_from_db()
    assert clerk.role == Role.SUPERVISION_HEAD and not clerk.is_superuser
    row = AuditLog.objects.get(actor=admin_user, object_type="accounts.user", object_id=str(clerk.pk))
    assert "基金监管科 → 基金监管科科长" in row.summary
    with pytest.raises(ValidationError) as exc:
        services.user_role_change(actor=admin_user, user_id=admin_user.pk, role=Role.SUPERVISION_HEAD)
    assert "role" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.user_role_change(actor=make_user(Role.DIRECTOR), user_id=clerk.pk, role=Role.CLAIMS)
    services.user_role_change(actor=admin_user, user_id=clerk.pk, role=Role.ADMIN)
    clerk.refresh_from_db()
    assert clerk.is_superuser and clerk.is_staff  # the admin role is the superuser, no tick box


def test_the_django_admin_refuses_a_self_grant_and_audits_a_role_change(client_as, make_user, divisions):
    admin_user = make_user(Role.ADMIN, is_staff=True, is_superuser=True)
    client = client_as(admin_user)
    url = f"/admin/accounts/user/{admin_user.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    data = _change_form_data(admin_user, role=Role.SUPERVISION_HEAD)
    refused = client.post(url, data)
    assert refused.status_code == 200 and "不能更改自己的角色" in refused.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN
    clerk = make_user(Role.SUPERVISION)
    done = client.post(f"/admin/accounts/user/{clerk.pk}/change/", _change_form_data(clerk, role=Role.SUPERVISION_HEAD))
    assert done.status_code == 302
    clerk.refresh_from_db()
    assert clerk.role == Role.SUPERVISION_HEAD
    assert AuditLog.objects.filter(actor=admin_user, object_id=str(clerk.pk), summary__contains="科长").exists()
    # a role that needs an area gets it in the same change (the database refuses a village worker without one)
    village = Division.objects.filter(level=Division.Level.VILLAGE).first()
    worker = make_user(Role.OFFICE)
    moved = client.post(
        f"/admin/accounts/user/{worker.pk}/change/", _change_form_data(worker, role=Role.VILLAGE, division=village.pk)
    )
    assert moved.status_code == 302
    worker.refresh_from_db()
    assert (worker.role, worker.division_id) == (Role.VILLAGE, village.pk)
    # superuser status is not a tick box: posting it changes nothing
    client.post(f"/admin/accounts/user/{clerk.pk}/change/", {**_change_form_data(clerk), "is_superuser": "on"})
    clerk.refresh_from_db()
    assert not clerk.is_superuser


def _change_form_data(user: User, **changes) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "division": user.division_id or "",
        "institution": user.institution_id or "",
        "phone": user.phone,
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_the_set_role_command_uses_the_service(make_user):
    clerk = make_user(Role.SUPERVISION)
    call_command("set_role", clerk.username, "supervision_head")
    clerk.refresh_from_db()
    assert clerk.role == Role.SUPERVISION_HEAD
    assert AuditLog.objects.filter(actor=None, object_id=str(clerk.pk), summary__contains="科长").exists()
