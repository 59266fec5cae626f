"""DRF token authentication that reads the user's division with the token.

Every selector scopes a township or village user by ``user.division`` (accounts.scoping.scope_prefix);
DRF's own TokenAuthentication loads the user only, so each of their API requests spent one more query on
the division. Same checks and messages as DRF's."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            token = model.objects.select_related("user", "user__division").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)
