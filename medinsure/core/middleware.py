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
