"""Private helpers the service modules of the enrollment app share."""

from __future__ import annotations

import time
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from medinsure.celery import enqueue_on_commit

STALE = "stale"  # the code of a refusal because someone saved in between (the faces answer it with a 409)


def today() -> date:
    return timezone.localdate()


def stale_version(message: str) -> ValidationError:
    """The refusal of a save made on a version someone else has changed since: on the ``version`` field,
    with code ``stale`` so a page or the API can answer it as a conflict (see ``is_stale``)."""
    return ValidationError({"version": ValidationError(message, code=STALE)})


def is_stale(exc: ValidationError) -> bool:
    """True when a service refused a save because the version the user saw is no longer current."""
    return any(e.code == STALE for e in getattr(exc, "error_dict", {}).get("version", []))


def queue_progress_refresh(year: int) -> None:
    """After commit, ask for a progress refresh a few seconds later: a burst of outcomes or imports
    collapses into one refresh (``progress_refresh_debounced`` skips when a refresh started after the
    request)."""
    delay = int(getattr(settings, "ENROLLMENT_PROGRESS_DEBOUNCE_SECONDS", 5))
    enqueue_on_commit("enrollment.progress_refresh_debounced", year, requested_at=time.time(), countdown=delay)
