from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from medinsure.accounts import services, tokens
from medinsure.core.throttles import TokenObtainThrottle
from medinsure.openapi import FORBIDDEN


class TokenIn(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    name = serializers.CharField(max_length=100, required=False, default="API")


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class TokenView(APIView):
    """POST username and password → {"token": …, "expires_at": …}; then send `Authorization: Token …`.

    Only roles that use the API (settings.API_TOKEN_ROLES) get a token; it expires after
    settings.API_TOKEN_DAYS days and is listed (and revocable) on the user's token page. Failed
    passwords count towards the login lockout like the sign-in page's."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [TokenObtainThrottle]

    @extend_schema(
        request=TokenIn,
        responses={
            200: inline_serializer(
                "TokenOut", {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()}
            ),
            403: FORBIDDEN,  # a role that does not use the API gets no token
        },
    )
    def post(self, request, *args, **kwargs):
        data = TokenIn(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request=request, username=data.validated_data["username"], password=data.validated_data["password"]
        )
        if user is None:
            raise serializers.ValidationError({"non_field_errors": [_("用户名或密码不正确。")]})
        if not tokens.may_hold_token(user):
            raise PermissionDenied
        token, secret = services.api_token_create(actor=user, name=data.validated_data["name"])
        return Response({"token": secret, "expires_at": token.expires_at})
