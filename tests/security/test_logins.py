"""Logins (issue 15): the lockout is per username *and* address, one address has its own limit over all
usernames, provisioning runs the password validators, and there is a password-change page."""

import pytest
from django.core.exceptions import ValidationError

from medinsure.accounts.models import Role
from medinsure.accounts.services import user_ensure
from medinsure.audit.models import AuditLog

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def test_failures_from_one_address_do_not_lock_the_account_elsewhere(client, make_user, password):
    head = make_user(Role.SUPERVISION_HEAD)
    for _ in range(6):
        client.post(LOGIN, {"username": head.username, "password": "wrong"}, REMOTE_ADDR="198.51.100.66")
    assert (
        client.post(LOGIN, {"username": head.username, "password": password}, REMOTE_ADDR="198.51.100.66").status_code
        == 429
    )
    # the supervision head at their own desk still signs in
    assert (
        client.post(LOGIN, {"username": head.username, "password": password}, REMOTE_ADDR="10.20.0.5").status_code
        == 302
    )


def test_one_address_spraying_many_usernames_is_stopped(client, make_user, password, settings):
    settings.LOGIN_FAILURES_PER_IP = 5
    victims = [make_user(Role.CLAIMS) for _ in range(6)]
    for victim in victims[:5]:  # one wrong password each: no single account is near its lockout
        assert (
            client.post(
                LOGIN, {"username": victim.username, "password": "Spring2026!"}, REMOTE_ADDR="198.51.100.7"
            ).status_code
            == 200
        )
    blocked = client.post(LOGIN, {"username": victims[5].username, "password": password}, REMOTE_ADDR="198.51.100.7")
    assert blocked.status_code == 429 and not AuditLog.objects.filter(actor=victims[5], action="login").exists()
    # other addresses are not affected
    assert (
        client.post(LOGIN, {"username": victims[5].username, "password": password}, REMOTE_ADDR="10.20.0.5").status_code
        == 302
    )


def test_provisioning_runs_the_password_validators():
    with pytest.raises(ValidationError) as exc:
        user_ensure(actor=None, username="weak", password="12345678", role=Role.OFFICE)
    assert "password" in exc.value.message_dict
    user, created = user_ensure(actor=None, username="strong", password="Kx9-medins-2026", role=Role.OFFICE)
    assert created and user.check_password("Kx9-medins-2026")


def test_the_password_change_page(client_as, make_user, password):
    user = make_user(Role.CLAIMS)
    client = client_as(user)
    home = client.get("/").content.decode()
    assert "/accounts/password/" in home  # linked from the user menu
    page = client.get("/accounts/password/")
    assert page.status_code == 200 and "修改密码" in page.content.decode()
    weak = client.post(
        "/accounts/password/", {"old_password": password, "new_password1": "12345678", "new_password2": "12345678"}
    )
    assert weak.status_code == 200 and "invalid-feedback" in weak.content.decode()
    done = client.post(
        "/accounts/password/",
        {"old_password": password, "new_password1": "Kx9-medins-2026", "new_password2": "Kx9-medins-2026"},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Kx9-medins-2026")
    assert AuditLog.objects.filter(actor=user, action="change", summary__contains="修改密码").exists()
    assert client.get("/").status_code == 200  # still signed in
