"""What every module of the package shares: the durable transaction that bumps the figures' cache
version, and the actor as a user row (None for the system or the public)."""

from __future__ import annotations

from contextlib import contextmanager
from decimal import Decimal

from django.db import transaction

from medinsure.core.figures_cache import bump_on_commit
from supervision.selectors import FIGURES

ZERO = Decimal("0.00")


@contextmanager
def _durable():
    """Every write of the app: one durable transaction; once it commits, the cached statistics
    of the year (selectors.supervision_figures) are stale and the version moves on."""
    with transaction.atomic(durable=True):
        yield
        bump_on_commit(FIGURES)


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None
