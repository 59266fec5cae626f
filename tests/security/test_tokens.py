"""API tokens (issue 15): hashed, expiring, revocable, listed per user, only for roles that use the API;
the token endpoint's throttle keys on the real client address; a per-user throttle on every API."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from medinsure.accounts import services, tokens
from medinsure.accounts.models import ApiToken, Role
from medinsure.audit.models import AuditLog

pytestmark = pytest.mark.django_db

URL = "/api/v1/regions/divisions/"


def _api(secret):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return api


def test_only_the_digest_is_stored_and_the_secret_authenticates(make_user):
    token, secret = tokens.issue(make_user(Role.API_CLIENT))
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM accounts_apitoken WHERE id = %s", [token.pk])
        row = cur.fetchone()
    assert not any(secret == value or (isinstance(value, str) and secret in value) for value in row)
    assert token.digest == tokens.digest_of(secret) and token.prefix == secret[:8]
    assert token.expires_at > timezone.now() + timedelta(days=80)
    assert _api(secret).get(URL).status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


def test_expired_and_revoked_tokens_fail(make_user):
    user = make_user(Role.API_CLIENT)
    expired, expired_secret = tokens.issue(user)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _api(expired_secret).get(URL).status_code == 401
    live, secret = tokens.issue(user)
    assert _api(secret).get(URL).status_code == 200
    services.api_token_revoke(actor=user, token_id=live.pk)
    assert _api(secret).get(URL).status_code == 401
    assert AuditLog.objects.filter(actor=user, object_type="accounts.apitoken", summary__startswith="撤销").exists()


def test_only_api_roles_may_mint_tokens(make_user, password):
    with pytest.raises(PermissionDenied):
        services.api_token_create(actor=make_user(Role.CLAIMS), name="脚本")
    api = APIClient()
    claims = make_user(Role.CLAIMS)
    refused = api.post("/api/v1/auth/token/", {"username": claims.username, "password": password}, format="json")
    assert refused.status_code == 403 and not ApiToken.objects.filter(user=claims).exists()
    client_user = make_user(Role.API_CLIENT)
    r = api.post("/api/v1/auth/token/", {"username": client_user.username, "password": password}, format="json")
    assert r.status_code == 200 and r.json()["expires_at"]
    assert ApiToken.objects.get(user=client_user).digest == tokens.digest_of(r.json()["token"])


def test_the_token_page_lists_creates_once_and_revokes(client_as, make_user):
    assert client_as(make_user(Role.CLAIMS)).get("/accounts/tokens/").status_code == 403
    user = make_user(Role.API_CLIENT)
    client = client_as(user)
    page = client.get("/accounts/tokens/")
    assert page.status_code == 200 and "接口令牌" in page.content.decode()
    made = client.post("/accounts/tokens/", {"name": "统计同步"})
    token = ApiToken.objects.get(user=user)
    body = made.content.decode()
    assert 'data-testid="new-token"' in body and tokens.digest_of(_secret_in(body)) == token.digest
    listing = client.get("/accounts/tokens/").content.decode()
    assert token.prefix in listing and _secret_in(body) not in listing  # the secret is shown once
    other = tokens.issue(make_user(Role.API_CLIENT))[0]
    assert client.post("/accounts/tokens/", {"revoke": other.pk}).status_code == 404  # like a missing one
    assert ApiToken.objects.get(pk=other.pk).revoked_at is None  # someone else's token: untouched
    client.post("/accounts/tokens/", {"revoke": token.pk})
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def _secret_in(body: str) -> str:
    import re

    return re.search(r'<code class="user-select-all">([^<]+)</code>', body).group(1)


def test_the_token_throttle_is_not_bypassed_by_rotating_x_forwarded_for(make_user, password, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "2/min"}}
    user = make_user(Role.API_CLIENT)
    api = APIClient()
    codes = [
        api.post(
            "/api/v1/auth/token/",
            {"username": user.username, "password": "wrong"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"10.9.8.{i}",
        ).status_code
        for i in range(3)
    ]
    assert codes == [400, 400, 429]


def test_every_authenticated_api_has_a_per_user_throttle(make_user, api_as, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "3/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    api = api_as(make_user(Role.LEADER))
    assert [api.get(URL).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert api_as(make_user(Role.LEADER)).get(URL).status_code == 200  # another user has their own count


def test_a_role_change_revokes_tokens_the_new_role_may_not_hold(make_user):
    admin, user = make_user(Role.ADMIN), make_user(Role.API_CLIENT)
    _, secret = tokens.issue(user)
    services.user_role_change(actor=admin, user_id=user.pk, role=Role.CLAIMS)
    assert _api(secret).get(URL).status_code == 401
