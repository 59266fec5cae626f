"""Double submit: every POST form carries a one-time token (static/js/once.js adds a hidden
``_form_token`` to each POST form and disables its buttons on submit). The first POST with a token
claims it (a unique row); a second POST with the same token waits for the first to finish and gets
its redirect, so a double click or a resubmitted form creates one record.

A token is kept only when the first POST succeeded with a redirect; a form answered with errors
releases it, so the corrected form can be sent again. htmx requests (partial updates) are not
covered: they do not create records by a plain form post.
"""

import re
import time
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medinsure.core.models import FormSubmission

FIELD = "_form_token"
TOKEN_RE = re.compile(r"^[A-Za-z0-9-]{16,64}$")
WAIT_SECONDS = 30.0
KEEP = timedelta(days=2)
STILL_RUNNING = _("该表单已提交，正在处理中，请勿重复提交；请稍后刷新页面查看结果。")


def _owner(request) -> str:
    user = getattr(request, "user", None)
    return str(user.pk) if user is not None and user.is_authenticated else "anon"


def _claim(owner: str, token: str, path: str) -> bool:
    try:
        with transaction.atomic():
            FormSubmission.objects.create(owner=owner, token=token, path=path[:500])
        return True
    except IntegrityError:
        return False


def _first_outcome(owner: str, token: str) -> tuple[str, str]:
    """Wait for the first POST of this token: ("redirect", its location), ("released", "") when it
    answered with errors, or ("pending", "") when it is still running after WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        row = FormSubmission.objects.filter(owner=owner, token=token).values_list("location", flat=True).first()
        if row is None:
            return "released", ""
        if row:
            return "redirect", row
        time.sleep(0.1)
    return "pending", ""


def prune() -> int:
    deleted, _ = FormSubmission.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
    return deleted


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


class OnceFormMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = None
        # Not under /api/: reading request.POST there exhausts a multipart body before DRF's own
        # parsers see it (a JSON-only endpoint then got an empty QueryDict instead of answering 415).
        if request.method == "POST" and not request.headers.get("HX-Request") and not _is_api(request):
            value = request.POST.get(FIELD, "")
            if TOKEN_RE.match(value):
                token = value
        if token is None:
            return self.get_response(request)
        owner = _owner(request)
        while not _claim(owner, token, request.path):
            outcome, location = _first_outcome(owner, token)
            if outcome == "redirect":
                return HttpResponseRedirect(location)
            if outcome == "pending":
                return HttpResponse(STILL_RUNNING, status=409, content_type="text/plain; charset=utf-8")
            # "released": the first POST answered with errors; this one is handled on its own
        try:
            response = self.get_response(request)
        except BaseException:
            FormSubmission.objects.filter(owner=owner, token=token, location="").delete()
            raise
        if 300 <= response.status_code < 400 and response.get("Location"):
            FormSubmission.objects.filter(owner=owner, token=token).update(location=response["Location"][:2000])
        else:
            FormSubmission.objects.filter(owner=owner, token=token, location="").delete()
        return response
