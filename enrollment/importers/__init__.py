"""Department files in (Excel/CSV, UTF-8 or GBK) → validated rows → one bulk write.

Two steps, so nothing is written until a person accepts:
1. ``validate_file``: read the whole upload (the batch's ``raw`` bytes; pandas, python-calamine for xlsx),
   check every row (ID check digit, dates, division codes, choices, duplicates inside the file), write the
   clean rows as a packed CSV (the batch's ``checked`` column) and return the errors (the batch's
   ``errors``); then load the clean rows into a temporary table to compare them with the registry
   (conflicts, new / changed / unchanged counts) and roll that back.
2. ``load_stage`` + ``merge_*_rows``: COPY the checked rows (streamed from the database's bytes) into an
   unlogged staging table, then one merge statement per
   target table (residents with their history, yearly status, payments) — idempotent: unchanged rows are
   not touched, so the same file accepted twice changes nothing the second time.

The package: ``specs`` (the columns of each source, the staging shape, the template workbooks),
``validation`` (reading and checking rows) and ``merge`` (staging, the merge SQL, the preview's
comparison); row errors, the error report, the template workbook, the lifecycle and the storage of the
data between the steps are the core's (``medinsure.core.imports``, ``medinsure.core.models.ImportRecord``):
nothing is written to a disk. Everything is re-exported here: callers use ``importers.X``.
"""

from enrollment.importers.merge import (
    PAYMENT_MERGE_SQL,
    RESIDENT_FIELDS,
    STAGE_TABLE,
    STATUS_MERGE_SQL,
    clear_stage,
    compare_with_registry,
    copy_into,
    load_stage,
    merge_payment_rows,
    merge_resident_rows,
    merge_status_rows,
    resident_merge_sql,
)
from enrollment.importers.specs import (
    CHANGE_TYPES,
    ID,
    ID_MESSAGES,
    NAME,
    SOURCES,
    STAGE_COLUMNS,
    STAGE_TYPES,
    TIER_LABELS,
    Column,
    SourceSpec,
    choice_labels,
    source_template_xlsx,
    template_columns,
    template_csv,
)
from enrollment.importers.validation import (
    EXCEL_EPOCH,
    Context,
    FileUnreadable,
    ValidationResult,
    _format,
    check_headers,
    clean_phone,
    load_context,
    parse_date,
    parse_money,
    read_table,
    validate_file,
)
from medinsure.core.imports import RowError  # the core's one row error, re-exported for callers of importers.X

__all__ = [
    "CHANGE_TYPES",
    "EXCEL_EPOCH",
    "ID",
    "ID_MESSAGES",
    "NAME",
    "PAYMENT_MERGE_SQL",
    "RESIDENT_FIELDS",
    "SOURCES",
    "STAGE_COLUMNS",
    "STAGE_TABLE",
    "STAGE_TYPES",
    "STATUS_MERGE_SQL",
    "TIER_LABELS",
    "Column",
    "Context",
    "FileUnreadable",
    "RowError",
    "SourceSpec",
    "ValidationResult",
    "_format",
    "check_headers",
    "choice_labels",
    "clean_phone",
    "clear_stage",
    "compare_with_registry",
    "copy_into",
    "load_context",
    "load_stage",
    "merge_payment_rows",
    "merge_resident_rows",
    "merge_status_rows",
    "parse_date",
    "parse_money",
    "read_table",
    "resident_merge_sql",
    "source_template_xlsx",
    "template_columns",
    "template_csv",
    "validate_file",
]
