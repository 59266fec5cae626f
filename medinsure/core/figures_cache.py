"""A cache for computed statistics, invalidated by a version the writing services bump.

    figures = cached_figures("supervision", ("stats", year, month, division), compute)

The key holds the namespace's current version, so a write that bumps the version (after its
transaction commits: ``bump_on_commit(namespace)``) makes every cached figure of that namespace
unreachable at once; the old entries expire by themselves. Reading the version before computing
keeps it correct under concurrency: a reader that read version v before a write committed may
store newer figures under v, never older figures under v+1.

Redis is a speed-up, never a dependency: when it is unreachable the figures are computed live,
and a version bump that could not reach Redis is bounded by ``TTL_SECONDS``.
Scope: callers put everything that changes the answer into ``parts`` (area, filters; figures that
depend on the user's area must include it)."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache
from django.db import connection, transaction

log = logging.getLogger(__name__)
T = TypeVar("T")
TTL_SECONDS = 600
# every namespace in use (tests start each test with all of them bumped: tests/conftest.py)
NAMESPACES = ("claims", "supervision")


def _prefix(namespace: str) -> str:
    """Keys carry the database's name: a test database (or a second portal) on the same Redis never
    reads another database's figures."""
    return f"figures:{connection.settings_dict['NAME']}:{namespace}"


def _version_key(namespace: str) -> str:
    return f"{_prefix(namespace)}:version"


def figures_version(namespace: str) -> int | None:
    """The namespace's current version (created on first use), or None when Redis is unreachable."""
    key = _version_key(namespace)
    try:
        v = cache.get(key)
        if v is None:
            cache.add(key, _fresh_version(), None)
            v = cache.get(key)
        return int(v) if v is not None else None
    except Exception:  # noqa: BLE001 — any cache failure means "compute live"
        log.warning("figures cache unreachable; computing %s live", namespace, exc_info=True)
        return None


def _fresh_version() -> int:
    """A version never used before (milliseconds), should Redis have lost the counter: entries cached
    under an earlier life of the counter can never be read again."""
    return time.time_ns() // 1_000_000


def bump(namespace: str) -> None:
    key = _version_key(namespace)
    try:
        if not cache.add(key, _fresh_version(), None):
            cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.add(key, _fresh_version(), None)
    except Exception:  # noqa: BLE001
        log.warning("could not bump the %s figures version; cached figures live up to %s s", namespace, TTL_SECONDS)


def bump_on_commit(namespace: str) -> None:
    """Bump the version now and again once the current transaction commits: the second bump drops
    whatever a reader cached from the old data in between; the first makes a write visible inside
    its own transaction (and in tests, whose transactions never commit)."""
    bump(namespace)
    transaction.on_commit(lambda: bump(namespace))


def forget_all() -> None:
    """Bump every namespace: nothing cached so far can be read again."""
    for namespace in NAMESPACES:
        bump(namespace)


def cached_figures(namespace: str, parts: Iterable, compute: Callable[[], T], *, ttl: int = TTL_SECONDS) -> T:
    assert namespace in NAMESPACES, f"add {namespace!r} to figures_cache.NAMESPACES"
    version = figures_version(namespace)
    if version is None:
        return compute()
    digest = hashlib.sha1(repr(tuple(parts)).encode(), usedforsecurity=False).hexdigest()
    key = f"{_prefix(namespace)}:{version}:{digest}"
    try:
        hit = cache.get(key)
    except Exception:  # noqa: BLE001
        return compute()
    if hit is not None:
        return hit
    value = compute()
    try:
        cache.set(key, value, ttl)
    except Exception:  # noqa: BLE001
        log.warning("could not store %s figures", namespace, exc_info=True)
    return value
