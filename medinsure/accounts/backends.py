"""The per-address login limit, in front of axes' per-(username, address) lockout.

axes locks a username only from the address that failed (settings.AXES_LOCKOUT_PARAMETERS), so nobody
elsewhere can keep an account locked; this backend stops one address that fails too often whatever the
usernames (one password sprayed over thousands of accounts): past settings.LOGIN_FAILURES_PER_IP failed
logins within LOGIN_FAILURES_PER_IP_WINDOW seconds, every sign-in from it is refused with the lockout
page until the window passes. It counts axes' own rows (in PostgreSQL), so it works with Redis down."""

from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.utils import timezone

from medinsure.core.client_ip import client_ip


def ip_failures(ip: str) -> int:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURES_PER_IP_WINDOW)
    total = AccessAttempt.objects.filter(ip_address=ip, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return total or 0


class AddressLimitBackend:
    """Authenticates nobody; refuses (PermissionDenied stops Django's backend chain) an address past
    its limit, and marks the request so axes' middleware answers with the lockout page."""

    def authenticate(self, request, **credentials):
        if request is None:
            return None
        ip = client_ip(request)
        if ip and ip_failures(ip) >= settings.LOGIN_FAILURES_PER_IP:
            request.axes_locked_out = True
            raise PermissionDenied
        return None  # no get_user: it authenticates nobody, so no session ever names this backend
