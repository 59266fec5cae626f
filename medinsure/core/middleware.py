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
