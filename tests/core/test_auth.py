"""Sign-in, throttling, the audit log, API tokens and the OpenAPI documents."""

import pytest
from django.test import override_settings

from medinsure.accounts.models import Role
from medinsure.audit.models import AuditLog

pytestmark = pytest.mark.django_db


def test_login_and_logout_write_audit_rows(client, make_user, password):
    user = make_user(Role.CLAIMS)
    response = client.post("/accounts/login/", {"username": user.username, "password": password})
    assert response.status_code == 302
    assert AuditLog.objects.filter(actor=user, action=AuditLog.Action.LOGIN).count() == 1
    home = client.get("/")
    assert home.status_code == 200 and "退出" in home.content.decode()
    client.post("/accounts/logout/")
    assert AuditLog.objects.filter(actor=user, action=AuditLog.Action.LOGOUT).count() == 1
    assert client.get("/").status_code == 302


def test_failed_logins_lock_the_account_and_say_so(client, make_user, password):
    user = make_user(Role.CLAIMS)
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": user.username, "password": "wrong-password"})
    assert AuditLog.objects.filter(username=user.username, action=AuditLog.Action.LOGIN_FAILED).count() >= 4
    # locked: even the right password is refused for a while, and the page says why
    response = client.post("/accounts/login/", {"username": user.username, "password": password})
    assert response.status_code == 429
    body = response.content.decode()
    assert "账号已临时锁定" in body and "15 分钟" in body
    assert not AuditLog.objects.filter(actor=user, action=AuditLog.Action.LOGIN).exists()


def test_a_failed_login_does_not_lock_another_account(client, make_user, password):
    victim, other = make_user(Role.CLAIMS), make_user(Role.FUND)
    for _ in range(5):
        client.post("/accounts/login/", {"username": victim.username, "password": "wrong-password"})
    assert client.post("/accounts/login/", {"username": other.username, "password": password}).status_code == 302


def test_audit_log_is_append_only(make_user):
    from django.db import DatabaseError, transaction

    row = AuditLog.objects.create(action=AuditLog.Action.VIEW, object_type="resident", object_id="1")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLog.objects.filter(pk=row.pk).update(summary="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLog.objects.filter(pk=row.pk).delete()


def test_viewing_a_protected_page_is_audited_and_admin_can_search(client_as, make_user, divisions):
    admin = make_user(Role.ADMIN)
    client = client_as(admin)
    from medinsure.audit.services import audit_log

    audit_log(
        actor=admin,
        verb=AuditLog.Action.VIEW,
        obj="enrollment.resident",
        key="500116199001011234",
        summary="查看参保人",
    )
    page = client.get("/audit/", {"q": admin.username})
    assert page.status_code == 200 and "查看参保人" in page.content.decode()
    # not an administrator: refused
    assert client_as(make_user(Role.CLAIMS)).get("/audit/").status_code == 403


def test_token_and_schema(client, make_user, password):
    user = make_user(Role.API_CLIENT)
    from rest_framework.test import APIClient

    api = APIClient()
    response = api.post("/api/v1/auth/token/", {"username": user.username, "password": password}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert (
        api.post("/api/v1/auth/token/", {"username": user.username, "password": "bad"}, format="json").status_code
        == 400
    )
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/regions/divisions/").status_code == 200
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"openapi: 3" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content


@override_settings(LANGUAGE_CODE="zh-hans")
def test_login_page_is_chinese_and_english_is_available(client):
    assert "登录" in client.get("/accounts/login/").content.decode()
    english = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sign in" in english
