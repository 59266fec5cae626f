"""Every write of the enrollment app, one module per aggregate: one transaction each, row locks for
read-check-write, an audit row, Celery work queued by task name after commit. Refusals are Django
``ValidationError``s naming the field; a save on a stale version is refused on ``version`` with code
``stale`` (``is_stale``). Callers use ``services.<name>``; the modules are an arrangement of this package.

- ``imports``: department files (upload, validate, accept, merge);
- ``guideline_tasks``: the townships' guideline tasks (compute, edit, issue);
- ``mobilisation``: the to-do lists (nightly sync, split, outcomes);
- ``progress``: the daily progress figures (and the nightly refresh);
- ``reminders``: reminders to pay, delivery receipts, a resident's opt-out;
- ``campaigns``: contribution-year campaigns and their tiers;
- ``cover_stops``: stopping and resuming cover, bank direct-debit agreements.
"""

from enrollment.services._common import is_stale, queue_progress_refresh, today
from enrollment.services.campaigns import CAMPAIGN_LOCK_KEY, TIER_LABELS, TierInput, campaign_create, campaign_update
from enrollment.services.cover_stops import cover_resume, cover_stop, debit_agreement_cancel, debit_agreement_sign
from enrollment.services.guideline_tasks import guideline_task_edit, guideline_tasks_compute, guideline_tasks_issue
from enrollment.services.imports import (
    IMPORT_EXTENSIONS,
    import_accept,
    import_merge,
    import_upload,
    import_validate,
    sync_max_bytes,
)
from enrollment.services.mobilisation import SplitPlan, task_record_outcome, tasks_split, tasks_sync
from enrollment.services.progress import nightly_refresh, progress_refresh, progress_refresh_debounced
from enrollment.services.reminders import (
    reminders_enqueue,
    reminders_record_receipts,
    reminders_send,
    resident_set_opt_out,
)

__all__ = [
    "CAMPAIGN_LOCK_KEY",
    "IMPORT_EXTENSIONS",
    "TIER_LABELS",
    "SplitPlan",
    "TierInput",
    "campaign_create",
    "campaign_update",
    "cover_resume",
    "cover_stop",
    "debit_agreement_cancel",
    "debit_agreement_sign",
    "guideline_task_edit",
    "guideline_tasks_compute",
    "guideline_tasks_issue",
    "import_accept",
    "import_merge",
    "import_upload",
    "import_validate",
    "is_stale",
    "nightly_refresh",
    "progress_refresh",
    "progress_refresh_debounced",
    "queue_progress_refresh",
    "reminders_enqueue",
    "reminders_record_receipts",
    "reminders_send",
    "resident_set_opt_out",
    "sync_max_bytes",
    "task_record_outcome",
    "tasks_split",
    "tasks_sync",
    "today",
]
