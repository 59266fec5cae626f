from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Every page needs a signed-in user unless marked @login_not_required.

    The REST API under /api/ authenticates by token inside DRF and answers 401/403 itself.
    """

    # The API authenticates itself; the captcha image and the language switch serve public forms too.
    open_prefixes = ("/api/", "/captcha/", "/i18n/")

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(self.open_prefixes):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is too large before anything reads it: 413 with a Chinese
    message (JSON under /api/, a small page elsewhere), not a bare error.

    Only a signed-in user's (session or API token) multipart upload may be up to settings.REQUEST_MAX_BYTES
    (each kind of upload then has its own UPLOAD_MAX_BYTES); any other body — a form, JSON — is limited to
    REQUEST_FORM_MAX_BYTES, and an anonymous request (the public forms, the login and token endpoints) to
    REQUEST_ANON_MAX_BYTES, so nobody can make the server take 200 MB without an account. Placed after
    AuthenticationMiddleware and before anything that reads the body (CSRF, the views)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length:
            limit = self.limit(request)
            if limit and length > limit:
                from medinsure.core.views import too_large

                return too_large(request, limit)
        return self.get_response(request)

    @staticmethod
    def limit(request) -> int:
        from django.conf import settings

        if not _signed_in(request):
            return int(settings.REQUEST_ANON_MAX_BYTES)
        if request.META.get("CONTENT_TYPE", "").lower().startswith("multipart/form-data"):
            return int(settings.REQUEST_MAX_BYTES)
        return int(settings.REQUEST_FORM_MAX_BYTES)


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.startswith("Token "):
        from django.utils import timezone

        from medinsure.accounts.models import ApiToken
        from medinsure.accounts.tokens import digest_of

        return ApiToken.objects.filter(
            digest=digest_of(header[6:].strip()),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        ).exists()
    return False


class QueryParamsGuardMiddleware:
    """Filters in the query string are free text typed or pasted by anyone: refuse, with a Chinese
    400 naming the parameter, values that no filter can mean and that the database or int() cannot
    take — control characters (PostgreSQL refuses NUL in any string) and values past
    settings.QUERY_PARAM_MAX_LENGTH characters (int() refuses numbers of more than 4,300 digits)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get("QUERY_STRING"):
            problem = self.problem(request)
            if problem:
                from medinsure.core.views import bad_query

                return bad_query(request, *problem)
        return self.get_response(request)

    @staticmethod
    def problem(request) -> tuple[str, str] | None:
        from django.conf import settings

        limit = int(getattr(settings, "QUERY_PARAM_MAX_LENGTH", 1000))
        for name, values in request.GET.lists():
            for value in [name, *values]:
                if len(value) > limit:
                    return name[:50], "too_long"
                if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
                    return name[:50], "control"
        return None
