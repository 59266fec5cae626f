"""API token authentication with our own tokens (medinsure.accounts.models.ApiToken): the request's
secret is hashed and looked up by digest; an expired or revoked token, or one of an inactive user, fails
with 401. The user's division comes in the same query (every selector scopes by it)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from medinsure.accounts.models import ApiToken
from medinsure.accounts.tokens import digest_of

LAST_USED_RESOLUTION = timedelta(minutes=5)  # last_used_at is written at most this often per token


class TokenAuthentication(authentication.TokenAuthentication):
    model = ApiToken

    def authenticate_credentials(self, key):
        try:
            token = ApiToken.objects.select_related("user", "user__division").get(digest=digest_of(key))
        except ApiToken.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        now = timezone.now()
        if not token.is_usable(now):
            raise exceptions.AuthenticationFailed(_("令牌已过期或已撤销。"))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return (token.user, token)
