"""API tokens: make, look up, revoke. The secret is random (256 bits); only its SHA-256 digest is stored,
so a copy of the database gives no working token. The services that check who may hold a token and
write the audit rows are in accounts/services.py (`api_token_create`, `api_token_revoke`)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from medinsure.accounts.models import ApiToken

PREFIX_LENGTH = 8


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def may_hold_token(user) -> bool:
    """Roles that use the API (settings.API_TOKEN_ROLES); staff of the other roles use the pages."""
    return bool(user.is_active) and user.role in settings.API_TOKEN_ROLES


def issue(user, *, name: str = "API", days: int | None = None) -> tuple[ApiToken, str]:
    """Store a new token for `user` and return it with its secret (shown once, never stored). No role
    check here: the service `api_token_create` does that; tests use this to act as any role."""
    secret = secrets.token_urlsafe(32)
    days = settings.API_TOKEN_DAYS if days is None else days
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=secret[:PREFIX_LENGTH],
        digest=digest_of(secret),
        expires_at=timezone.now() + timedelta(days=days),
    )
    return token, secret


def usable_tokens(user):
    now = timezone.now()
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now)
