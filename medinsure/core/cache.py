"""Django's Redis cache, failing soft: with Redis down a read is a miss and a write is skipped.

Pages must render with Redis stopped (the cache only saves work). Errors are logged, and after one
the cache stays away from Redis for a few seconds instead of paying a connect timeout on every call.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

DOWN_BACKOFF_SECONDS = 5.0


class FailSoftRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        self._backoff = float(options.pop("DOWN_BACKOFF_SECONDS", DOWN_BACKOFF_SECONDS))
        options.setdefault("socket_connect_timeout", 1)
        options.setdefault("socket_timeout", 1)
        super().__init__(server, {**params, "OPTIONS": options})
        self._down_until = 0.0

    def _soft(self, name, default, call):
        if time.monotonic() < self._down_until:
            return default
        try:
            return call()
        except (RedisError, OSError) as exc:
            self._down_until = time.monotonic() + self._backoff
            logger.warning("cache %s failed, Redis treated as a miss for %ss: %s", name, self._backoff, exc)
            return default

    def add(self, key, value, timeout=None, version=None):
        return self._soft("add", False, lambda: super(FailSoftRedisCache, self).add(key, value, timeout, version))

    def get(self, key, default=None, version=None):
        return self._soft("get", default, lambda: super(FailSoftRedisCache, self).get(key, default, version))

    def set(self, key, value, timeout=None, version=None):
        return self._soft("set", None, lambda: super(FailSoftRedisCache, self).set(key, value, timeout, version))

    def touch(self, key, timeout=None, version=None):
        return self._soft("touch", False, lambda: super(FailSoftRedisCache, self).touch(key, timeout, version))

    def delete(self, key, version=None):
        return self._soft("delete", False, lambda: super(FailSoftRedisCache, self).delete(key, version))

    def get_many(self, keys, version=None):
        return self._soft("get_many", {}, lambda: super(FailSoftRedisCache, self).get_many(keys, version))

    def has_key(self, key, version=None):
        return self._soft("has_key", False, lambda: super(FailSoftRedisCache, self).has_key(key, version))

    def incr(self, key, delta=1, version=None):
        missing = object()
        value = self._soft("incr", missing, lambda: super(FailSoftRedisCache, self).incr(key, delta, version))
        if value is missing:
            raise ValueError(f"Key '{key}' not found")  # what the caller of incr expects for a miss
        return value

    def set_many(self, data, timeout=None, version=None):
        return self._soft(
            "set_many", list(data), lambda: super(FailSoftRedisCache, self).set_many(data, timeout, version)
        )

    def delete_many(self, keys, version=None):
        return self._soft("delete_many", None, lambda: super(FailSoftRedisCache, self).delete_many(keys, version))

    def clear(self):
        return self._soft("clear", False, lambda: super(FailSoftRedisCache, self).clear())
