"""The client's address, the one place that reads it (throttles, the login lockout, the audit log).

Behind `settings.TRUSTED_PROXY_COUNT` reverse proxies, each appending the address it saw to
X-Forwarded-For, the client is the entry the outermost trusted proxy appended: the N-th from the right.
Whatever the client itself put in the header is to the left of it and never read, so rotating a forged
X-Forwarded-For changes nothing. With no trusted proxy (the default) the header is ignored entirely.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _valid(value: str) -> str | None:
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote
    # the entry appended by the outermost trusted proxy; a shorter header than the chain means the
    # request did not come through every proxy: its leftmost (oldest) entry is the best we know
    entry = forwarded[-proxies] if len(forwarded) >= proxies else forwarded[0]
    return _valid(entry) or remote
