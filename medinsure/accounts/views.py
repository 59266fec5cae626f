"""The signed-in user's own account pages: the password change and (for roles that use the API) their
API tokens — listed, made (the secret shown once), revoked."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from medinsure.accounts import services, tokens
from medinsure.accounts.models import ApiToken


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's own (old password, the validators, the session kept), with our template and a message."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            services.user_password_changed(actor=form.user)
        messages.success(self.request, gettext_lazy("密码已修改。"))
        return response


def api_tokens(request):
    if not tokens.may_hold_token(request.user):
        raise PermissionDenied
    new_secret = None
    if request.method == "POST":
        try:
            if "revoke" in request.POST:
                token_id = request.POST.get("revoke", "")
                if not token_id.isdigit():
                    raise ValidationError({"revoke": _("令牌不存在。")})
                services.api_token_revoke(actor=request.user, token_id=int(token_id))
                messages.success(request, _("令牌已撤销。"))
                return redirect("accounts:tokens")
            token, new_secret = services.api_token_create(actor=request.user, name=request.POST.get("name", ""))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect("accounts:tokens")
    rows = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(
        request,
        "accounts/tokens.html",
        {"tokens": rows, "new_secret": new_secret, "days": settings.API_TOKEN_DAYS},
    )
