"""Every write of the replies app, one module per aggregate: one transaction, row locks, an audit row,
Celery work queued by task name on commit. Callers use ``services.<name>`` as before."""

from replies.services.commitments import commitment_add, commitment_progress
from replies.services.holidays import due_dates_recompute, holiday_year_save
from replies.services.imports import proposals_import_accept, proposals_import_rows, proposals_import_upload
from replies.services.letters import (
    HEADER_FIELDS,
    figure_insert,
    letter_revise,
    letter_send,
    letter_sign,
    letter_start,
    section_add,
    section_delete,
    section_move,
    section_update,
    version_update,
)
from replies.services.proposals import (
    contact_add,
    opinion_add,
    proposal_assign,
    proposal_register,
    proposal_return,
    proposals_import,
)
from replies.services.publishing import letter_publish
from replies.services.receipts import receipt_record
from replies.services.reminders import reminders_run

__all__ = [
    "HEADER_FIELDS",
    "commitment_add",
    "commitment_progress",
    "contact_add",
    "proposals_import_accept",
    "proposals_import_rows",
    "proposals_import_upload",
    "due_dates_recompute",
    "figure_insert",
    "holiday_year_save",
    "letter_publish",
    "letter_revise",
    "letter_send",
    "letter_sign",
    "letter_start",
    "opinion_add",
    "proposal_assign",
    "proposal_register",
    "proposal_return",
    "proposals_import",
    "receipt_record",
    "reminders_run",
    "section_add",
    "section_delete",
    "section_move",
    "section_update",
    "version_update",
]
