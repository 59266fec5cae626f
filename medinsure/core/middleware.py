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
    """Refuse a request whose declared body is larger than settings.REQUEST_MAX_BYTES before anything
    reads it: 413 with a Chinese message (JSON under /api/, a small page elsewhere), not a bare error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = int(getattr(settings, "REQUEST_MAX_BYTES", 0) or 0)
        if limit and length > limit:
            from medinsure.core.views import too_large

            return too_large(request, limit)
        return self.get_response(request)


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
