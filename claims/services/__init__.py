"""Every write of the claims app, one module per aggregate: one transaction each, row locks for
read-check-write, an audit row, Celery work queued on commit by task name. Amounts always come from
the engine (claims.rules), its input always from claims.visits.

- ``policies``: policy versions (edit, shipped files);
- ``settlement_import``: a settlement file checked, previewed, accepted and written in bulk;
- ``recalculation``: a year's settlements under a new version (difference report, approval, apply);
- ``stats``: the pre-aggregated monthly statistics;
- ``registers``: disease registrations, remote-care filings and manual claims (零星报销).

Callers use ``services.<name>`` (or ``from claims.services import <name>``); the modules are the
package's inside.
"""

from claims.services._settlement_copy import SETTLEMENT_COPY_COLUMNS
from claims.services.policies import policies_load_files, policy_version_create
from claims.services.recalculation import (
    CHUNK_PERSONS,
    recalculation_apply,
    recalculation_approve,
    recalculation_compute,
    recalculation_discard,
    recalculation_failed,
    recalculation_start,
)
from claims.services.registers import (
    disease_register,
    disease_revoke,
    manual_claim_settle,
    remote_filing_create,
    remote_filing_revoke,
)
from claims.services.settlement_import import (
    settlement_import_accept,
    settlement_import_apply,
    settlement_import_approve,
    settlement_import_create,
    settlement_import_failed,
)
from claims.services.stats import monthly_stats_refresh

__all__ = [
    "CHUNK_PERSONS",
    "SETTLEMENT_COPY_COLUMNS",
    "disease_register",
    "disease_revoke",
    "manual_claim_settle",
    "monthly_stats_refresh",
    "policies_load_files",
    "policy_version_create",
    "recalculation_apply",
    "recalculation_approve",
    "recalculation_compute",
    "recalculation_discard",
    "recalculation_failed",
    "recalculation_start",
    "remote_filing_create",
    "remote_filing_revoke",
    "settlement_import_accept",
    "settlement_import_apply",
    "settlement_import_approve",
    "settlement_import_create",
    "settlement_import_failed",
]
