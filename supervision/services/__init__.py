"""Every supervision write: one durable transaction, row locks for read-check-write, an audit row,
Celery work queued on commit by task name. Errors are ValidationError naming the field.

One module per aggregate; callers use ``services.case_decide`` (or ``from supervision.services import …``)
and never need to know which module holds it. Reads live in ``supervision.selectors``."""

from .agreements import agreement_change, agreement_sign, agreements_restore_expired
from .audit import (
    audit_daily,
    audit_monthly,
    audit_rules_ensure_defaults,
    audit_run,
    audit_run_request,
    flag_answer,
    flag_open_case,
    flag_review,
    rule_update,
)
from .cases import (
    EVIDENCE_TYPES,
    case_decide,
    case_publish,
    case_publish_refused,
    case_register,
    case_transition,
    evidence_add,
)
from .institutions import institution_import_accept, institution_import_upload, institution_save
from .reports import (
    encrypt_identity,
    report_close,
    report_open_case,
    report_reveal_identity,
    report_reward,
    report_submit,
)
from .self_inspection import (
    self_inspection_check_deadlines,
    self_inspection_file,
    self_inspection_record_findings,
    self_inspection_round_create,
)

__all__ = [
    "EVIDENCE_TYPES",
    "agreement_change",
    "agreement_sign",
    "agreements_restore_expired",
    "audit_daily",
    "audit_monthly",
    "audit_rules_ensure_defaults",
    "audit_run",
    "audit_run_request",
    "case_decide",
    "case_publish",
    "case_publish_refused",
    "case_register",
    "case_transition",
    "encrypt_identity",
    "evidence_add",
    "flag_answer",
    "flag_open_case",
    "flag_review",
    "institution_import_accept",
    "institution_import_upload",
    "institution_save",
    "report_close",
    "report_open_case",
    "report_reveal_identity",
    "report_reward",
    "report_submit",
    "rule_update",
    "self_inspection_check_deadlines",
    "self_inspection_file",
    "self_inspection_record_findings",
    "self_inspection_round_create",
]
