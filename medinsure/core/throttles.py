"""Throttles: fixed-window counters in Redis, keyed on the real client address (core/client_ip.py).

The cache fails soft (a Redis error is a miss), which for a limit means no limit at all; these counters
talk to Redis directly and, for anonymous callers, **fail closed**: with Redis unreachable the request is
refused (429), because an unlimited public channel is worse than a closed one for a few seconds.
Signed-in users are identified and accountable, so their per-user API throttle lets requests through
while Redis is down (pages and the API keep working, as the rest of the portal does).

`public_throttled(request, scope, limit, seconds)` is the public pages' limit: per address, and a global
cap per scope (settings.PUBLIC_GLOBAL_LIMITS) whatever the addresses.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError
from rest_framework.throttling import SimpleRateThrottle

from medinsure.core.client_ip import client_ip

logger = logging.getLogger(__name__)

PREFIX = "medinsure:throttle:"


class Unavailable(Exception):
    """Redis could not be asked: the caller decides whether that means refuse or allow."""


def _client():
    return cache._cache.get_client(None, write=True)  # Django's RedisCache: the raw redis-py client


def count(key: str, seconds: int) -> int:
    """Add one hit to `key`'s window of `seconds` and return the hits in it; Unavailable without Redis."""
    full = PREFIX + key
    try:
        pipe = _client().pipeline()
        pipe.incr(full)
        pipe.ttl(full)
        hits, ttl = pipe.execute()
        if ttl < 0:
            _client().expire(full, seconds)
    except (RedisError, OSError) as exc:
        logger.warning("throttle counter %s unavailable: %s", key, exc)
        raise Unavailable from exc
    return int(hits)


def reset_all() -> None:
    """Forget every counter (tests start each with none; an operator may after an incident)."""
    try:
        client = _client()
        keys = list(client.scan_iter(match=PREFIX + "*", count=1000))
        if keys:
            client.delete(*keys)
    except (RedisError, OSError) as exc:
        logger.warning("throttle counters could not be reset: %s", exc)


def over(key: str, limit: int, seconds: int, *, fail_closed: bool = True) -> bool:
    try:
        return count(key, seconds) > limit
    except Unavailable:
        return fail_closed


def public_throttled(request, scope: str, limit: int, seconds: int = 3600) -> bool:
    """True when this address has used its `limit` for the window, when the channel as a whole is past its
    global cap (settings.PUBLIC_GLOBAL_LIMITS[scope] = (limit, seconds)), or when Redis cannot say."""
    if over(f"public:{scope}:ip:{client_ip(request)}", limit, seconds):
        return True
    cap = getattr(settings, "PUBLIC_GLOBAL_LIMITS", {}).get(scope)
    return bool(cap) and over(f"public:{scope}:all", cap[0], cap[1])


class _CounterThrottle(SimpleRateThrottle):
    fail_closed = True

    def get_ident(self, request):
        return client_ip(request)

    def get_rate(self):
        # read when the throttle is made, not when the class was imported (DRF's THROTTLE_RATES)
        from rest_framework.settings import api_settings

        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        return not over(self.key, self.num_requests, self.duration, fail_closed=self.fail_closed)

    def wait(self):
        return self.duration


class UserThrottle(_CounterThrottle):
    """Every authenticated API request, per user (settings API_USER_RATE)."""

    scope = "user"
    fail_closed = False

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return f"api:user:{request.user.pk}"


class AnonThrottle(_CounterThrottle):
    """Every anonymous API request, per client address (API_ANON_RATE), and a global cap for all of them
    (PUBLIC_REQUESTS_PER_MINUTE_GLOBAL)."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return f"api:anon:{self.get_ident(request)}"

    def allow_request(self, request, view):
        if not super().allow_request(request, view):
            return False
        if self.key is None:
            return True
        return not over("api:anon:all", settings.PUBLIC_REQUESTS_PER_MINUTE_GLOBAL, 60)


class TokenObtainThrottle(_CounterThrottle):
    """The token endpoint takes passwords: per client address (API_TOKEN_RATE), whoever asks."""

    scope = "token"

    def get_cache_key(self, request, view):
        return f"api:token:{self.get_ident(request)}"
