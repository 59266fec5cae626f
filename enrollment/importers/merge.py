"""Merge SQL: COPY the clean rows into the staging table and merge them into the registry in one statement
per target table; the preview's comparison with the registry (read only)."""

from __future__ import annotations

import io

from django.db import connection
from django.utils.translation import gettext as _

from enrollment.importers.specs import STAGE_COLUMNS, STAGE_TYPES, SourceSpec
from medinsure.core.bulk import linear_plan
from medinsure.core.imports import RowError, inflate_text

# --- staging and merge ------------------------------------------------------------------------------

STAGE_TABLE = "enrollment_import_stage"


def _create_stage(cursor, *, temporary: bool) -> str:
    name = "enrollment_stage_preview" if temporary else STAGE_TABLE
    cols = ", ".join(f"{c} {STAGE_TYPES.get(c, 'text')}" for c in STAGE_COLUMNS)
    if temporary:
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({cols}) ON COMMIT DROP")
    else:
        cursor.execute(f"CREATE UNLOGGED TABLE IF NOT EXISTS {name} (batch_id bigint, {cols})")
    return name


def copy_into(cursor, table: str, checked, *, batch_id: int | None = None) -> None:
    """COPY a batch's checked rows (the packed CSV kept in the database) into ``table``, streaming: the
    blob is expanded as COPY reads it."""
    cols = ", ".join(STAGE_COLUMNS)
    with inflate_text(checked) as fh:
        if batch_id is None:
            cursor.copy_expert(f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv, NULL '')", fh)
        else:
            # prefix each row with the batch id so concurrent imports share the staging table safely
            cursor.copy_expert(
                f"COPY {table} (batch_id, {cols}) FROM STDIN WITH (FORMAT csv, NULL '')",
                _Prefixed(fh, f"{batch_id},"),
            )


class _Prefixed(io.TextIOBase):
    """A file-like reader that prefixes every line (streaming, no copy of the whole file)."""

    def __init__(self, fh, prefix: str):
        self._fh = fh
        self._prefix = prefix

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> str:
        lines = self._fh.readlines(max(size, 65536) if size and size > 0 else -1)
        return "".join(self._prefix + ln for ln in lines)

    def readline(self, size: int = -1) -> str:
        ln = self._fh.readline()
        return self._prefix + ln if ln else ""


# Fields each source owns on the resident row: (column, how to merge). "set" overwrites, "fill" only
# fills an empty value, "keep_date" sets a date only when the file has one.
RESIDENT_FIELDS = {
    "police": {
        "name": "set",
        "hukou_division_id": "set",
        "residence_division_id": "fill_or_set",
        "phone": "fill_or_set",
        "address": "fill_or_set",
        "moved_in_on": "keep_date",
        "moved_out_on": "keep_date",
        "deceased_on": "keep_date",
    },
    "education": {"name": "set", "hukou_division_id": "set", "phone": "fill"},
    "civil": {"special_category": "set", "subsidy_payer": "set"},
    "hr": {},
    "tax": {},
}

_STAGE_SELECT = {
    "name": "s.name",
    "hukou_division_id": "dh.id",
    "residence_division_id": "dr.id",
    "phone": "COALESCE(s.phone, '')",
    "address": "COALESCE(s.address, '')",
    "moved_in_on": "s.moved_in_on",
    "moved_out_on": "s.moved_out_on",
    "deceased_on": "s.deceased_on",
    "special_category": "COALESCE(s.special_category, '')",
    "subsidy_payer": "COALESCE(s.subsidy_payer, '')",
}
_DEFAULTS = {
    "hukou_division_id": "NULL::bigint",
    "residence_division_id": "NULL::bigint",
    "phone": "''",
    "address": "''",
    "moved_in_on": "NULL::date",
    "moved_out_on": "NULL::date",
    "deceased_on": "NULL::date",
    "special_category": "''",
    "subsidy_payer": "''",
}


def _merged_expr(col: str, how: str, r: str | None = None, e: str | None = None) -> str:
    """The value a column takes after the merge: ``r`` the registry's value, ``e`` the file's."""
    r = r or f"r.{col}"
    e = e or f"EXCLUDED.{col}"
    if how == "set":
        return e
    if how == "fill":  # only fill an empty value
        empty = f"({r} IS NULL OR {r}::text = '')"
        return f"CASE WHEN {empty} THEN {e} ELSE {r} END"
    # fill_or_set / keep_date: a value in the file wins, an empty cell keeps what the registry has
    empty_new = f"({e} IS NULL OR {e}::text = '')"
    return f"CASE WHEN {empty_new} THEN {r} ELSE {e} END"


def _stage_value(col: str, owned: dict) -> str:
    return _STAGE_SELECT[col] if col in owned else _DEFAULTS[col]


def merge_resident_rows(cursor, *, source: str, batch_id: int, actor_id: int | None) -> tuple[int, int]:
    """Upsert residents from the staging rows of one batch, writing history. Returns (created, changed)."""
    return _merge_with_counts(
        cursor, resident_merge_sql(source), {"batch": batch_id, "source": source, "actor": actor_id}
    )


def resident_merge_sql(source: str) -> str:
    """The resident merge of one source (parameters: batch, source, actor).

    One statement: ``src`` keeps only the staging rows that are new or would change something (a hash
    anti-join against the registry, so an unchanged row never reaches the upsert); ``up`` upserts them
    (its WHERE repeats the change test, for a row changed concurrently); the history rows record the
    values before and after, with the batch (the source file)."""
    owned = RESIDENT_FIELDS[source]
    value_cols = list(_DEFAULTS)
    src_cols = [
        "s.id_number AS id_number",
        "COALESCE(s.id_number_raw, '') AS id_number_raw",
        "s.name AS name",
        "s.sex AS sex",
        "s.birth_date AS birth_date",
        *[f"{_stage_value(c, owned)} AS {c}" for c in value_cols],
    ]
    tracked = list(owned) or ["name"]
    pre_changed = (
        " OR ".join(
            f"r0.{c} IS DISTINCT FROM {_merged_expr(c, how, r=f'r0.{c}', e=_stage_value(c, owned))}"
            for c, how in owned.items()
        )
        or "FALSE"
    )
    set_parts = [f"{c} = {_merged_expr(c, how)}" for c, how in owned.items()]
    changed_cond = " OR ".join(f"r.{c} IS DISTINCT FROM {_merged_expr(c, how)}" for c, how in owned.items()) or "FALSE"
    on_conflict = (
        f"DO UPDATE SET {', '.join(set_parts)}, source = EXCLUDED.source, batch_id = EXCLUDED.batch_id, "
        f"updated_at = EXCLUDED.updated_at WHERE {changed_cond}"
        if owned
        else "DO NOTHING"
    )
    insert_cols = ["id_number", "id_number_raw", "name", "sex", "birth_date", *value_cols]
    before_json = "jsonb_build_object(" + ", ".join(f"'{c}', src.old_{c}" for c in tracked) + ")"
    after_json = "jsonb_build_object(" + ", ".join(f"'{c}', u.{c}" for c in tracked) + ")"
    sql = f"""
    WITH src AS MATERIALIZED (
        SELECT {", ".join(src_cols)}, r0.id AS old_id, {", ".join(f"r0.{c} AS old_{c}" for c in tracked)}
        FROM {STAGE_TABLE} s
        LEFT JOIN regions_division dh ON dh.code = s.hukou_code
        LEFT JOIN regions_division dr ON dr.code = s.residence_code
        LEFT JOIN enrollment_resident r0 ON r0.id_number = s.id_number
        WHERE s.batch_id = %(batch)s AND (r0.id IS NULL OR {pre_changed})
    ), up AS (
        INSERT INTO enrollment_resident AS r ({", ".join(insert_cols)}, reminder_opt_out, source, batch_id, created_at, updated_at)
        SELECT {", ".join(insert_cols)}, FALSE, %(source)s, %(batch)s, now(), now() FROM src
        ON CONFLICT (id_number) {on_conflict}
        RETURNING r.id, (xmax = 0) AS inserted, {", ".join("r." + c for c in tracked)}
    )
    INSERT INTO enrollment_residenthistory (resident_id, source, batch_id, actor_id, created, field, before, after, changed_at)
    SELECT u.id, %(source)s, %(batch)s, %(actor)s, u.inserted, 'resident',
           CASE WHEN u.inserted THEN NULL ELSE {before_json} END, {after_json}, now()
    FROM up u LEFT JOIN src ON src.old_id = u.id
    RETURNING created
    """
    return sql


def _merge_with_counts(cursor, sql: str, params: dict) -> tuple[int, int]:
    with linear_plan(cursor):  # the registry's statistics may say "empty" just after a big import
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    created = sum(1 for (c,) in rows if c)
    return created, len(rows) - created


def merge_status_rows(cursor, *, source: str, batch_id: int, actor_id: int | None) -> tuple[int, int]:
    """Upsert the yearly insurance status from the batch's staging rows, with history."""
    return _merge_with_counts(cursor, STATUS_MERGE_SQL, {"batch": batch_id, "source": source, "actor": actor_id})


# The status merge (parameters: batch, source, actor).
STATUS_MERGE_SQL = f"""
    WITH src AS (
        SELECT r.id AS resident_id, s.year, s.status, s.status_date FROM {STAGE_TABLE} s
        JOIN enrollment_resident r ON r.id_number = s.id_number WHERE s.batch_id = %(batch)s AND s.status IS NOT NULL
    ), prev AS (
        SELECT st.resident_id, st.status, st.status_date FROM enrollment_insurancestatus st
        JOIN src ON src.resident_id = st.resident_id AND src.year = st.year
    ), up AS (
        INSERT INTO enrollment_insurancestatus AS st (resident_id, year, status, source, status_date, batch_id, updated_at)
        SELECT resident_id, year, status, %(source)s, status_date, %(batch)s, now() FROM src
        ON CONFLICT (resident_id, year) DO UPDATE SET status = EXCLUDED.status, source = EXCLUDED.source,
            status_date = EXCLUDED.status_date, batch_id = EXCLUDED.batch_id, updated_at = now()
        WHERE (st.status, st.status_date) IS DISTINCT FROM (EXCLUDED.status, EXCLUDED.status_date)
          AND NOT (st.status IN ('tier1', 'tier2') AND EXCLUDED.status NOT IN ('tier1', 'tier2'))
        RETURNING st.resident_id, st.year, st.status, st.status_date, (xmax = 0) AS inserted
    )
    INSERT INTO enrollment_residenthistory (resident_id, source, batch_id, actor_id, created, field, before, after, changed_at)
    SELECT u.resident_id, %(source)s, %(batch)s, %(actor)s, FALSE, 'status:' || u.year,
           CASE WHEN p.resident_id IS NULL THEN NULL ELSE jsonb_build_object('status', p.status, 'status_date', p.status_date) END,
           jsonb_build_object('status', u.status, 'status_date', u.status_date), now()
    FROM up u LEFT JOIN prev p ON p.resident_id = u.resident_id
    RETURNING (before IS NULL)
    """

# The payment merge (parameter: batch).
PAYMENT_MERGE_SQL = f"""
    INSERT INTO enrollment_payment (resident_id, year, tier, amount, ltc_amount, paid_on, receipt_no, kind, cover_start, batch_id, created_at)
    SELECT r.id, s.year, s.tier, s.amount, s.ltc_amount, s.paid_on, s.receipt_no, s.kind, s.cover_start, %(batch)s, now()
    FROM {STAGE_TABLE} s JOIN enrollment_resident r ON r.id_number = s.id_number WHERE s.batch_id = %(batch)s
    ON CONFLICT (receipt_no) DO NOTHING
    """


def merge_payment_rows(cursor, *, batch_id: int) -> int:
    with linear_plan(cursor):
        cursor.execute(PAYMENT_MERGE_SQL, {"batch": batch_id})
        return cursor.rowcount


def load_stage(cursor, checked, batch_id: int) -> None:
    """COPY the clean rows (packed blob) into the staging table (created by migration 0002), tagged with the batch."""
    cursor.execute(f"DELETE FROM {STAGE_TABLE} WHERE batch_id = %s", [batch_id])
    copy_into(cursor, STAGE_TABLE, checked, batch_id=batch_id)
    cursor.execute(f"ANALYZE {STAGE_TABLE}")


def clear_stage(cursor, batch_id: int) -> None:
    cursor.execute(f"DELETE FROM {STAGE_TABLE} WHERE batch_id = %s", [batch_id])


# --- preview against the registry (read only) -------------------------------------------------------


def compare_with_registry(checked, spec: SourceSpec, *, limit_errors: int = 10_000) -> tuple[dict, list[RowError]]:
    """Load the clean rows into a temporary table and compare them with the registry: counts of new,
    changed and unchanged rows, and conflicts (a different name under the same ID; a receipt number
    already recorded for someone else). Nothing is written: the temporary table goes with the rollback."""
    from django.db import transaction

    conflicts: list[RowError] = []
    counts = {"new": 0, "changed": 0, "unchanged": 0}
    with transaction.atomic():
        with connection.cursor() as cur, linear_plan(cur):
            table = _create_stage(cur, temporary=True)
            copy_into(cur, table, checked)
            cur.execute(f"ANALYZE {table}")
            if spec.source in ("hr", "tax", "civil"):
                cur.execute(
                    f"""SELECT s.line, s.name, r.name FROM {table} s JOIN enrollment_resident r ON r.id_number = s.id_number
                    WHERE r.name <> s.name ORDER BY s.line LIMIT %s""",
                    [limit_errors],
                )
                for line, new, old in cur.fetchall():
                    conflicts.append(
                        RowError(line, "姓名", new, _("与参保登记库中该身份证号的姓名“%(old)s”不一致") % {"old": old})
                    )
            if spec.source == "tax":
                cur.execute(
                    f"""SELECT s.line, s.receipt_no FROM {table} s JOIN enrollment_payment p ON p.receipt_no = s.receipt_no
                    JOIN enrollment_resident r ON r.id = p.resident_id WHERE r.id_number <> s.id_number ORDER BY s.line LIMIT %s""",
                    [limit_errors],
                )
                for line, receipt in cur.fetchall():
                    conflicts.append(RowError(line, "票据号", receipt, _("该票据号已登记在其他人员名下")))
                cur.execute(
                    f"""SELECT count(*) FILTER (WHERE p.id IS NULL), count(*) FILTER (WHERE p.id IS NOT NULL)
                    FROM {table} s LEFT JOIN enrollment_payment p ON p.receipt_no = s.receipt_no"""
                )
                counts["new"], counts["unchanged"] = cur.fetchone()
            elif spec.source == "hr":
                cur.execute(
                    f"""SELECT count(*) FILTER (WHERE st.id IS NULL),
                               count(*) FILTER (WHERE st.id IS NOT NULL AND (st.status, st.status_date) IS DISTINCT FROM (s.status, s.status_date)),
                               count(*) FILTER (WHERE st.id IS NOT NULL AND (st.status, st.status_date) IS NOT DISTINCT FROM (s.status, s.status_date))
                    FROM {table} s LEFT JOIN enrollment_resident r ON r.id_number = s.id_number
                    LEFT JOIN enrollment_insurancestatus st ON st.resident_id = r.id AND st.year = s.year"""
                )
                counts["new"], counts["changed"], counts["unchanged"] = cur.fetchone()
            else:
                owned = RESIDENT_FIELDS[spec.source]
                from_clause = (
                    f"FROM {table} s LEFT JOIN regions_division dh ON dh.code = s.hukou_code "
                    f"LEFT JOIN regions_division dr ON dr.code = s.residence_code"
                )
                diff = " OR ".join(
                    f"r.{c} IS DISTINCT FROM {_merged_expr(c, how).replace('EXCLUDED.', 'x.')}"
                    for c, how in owned.items()
                )
                sel = ", ".join(f"{_STAGE_SELECT[c]} AS {c}" for c in owned)
                cur.execute(
                    f"""WITH x AS (SELECT s.id_number, {sel} {from_clause})
                    SELECT count(*) FILTER (WHERE r.id IS NULL), count(*) FILTER (WHERE r.id IS NOT NULL AND ({diff})),
                           count(*) FILTER (WHERE r.id IS NOT NULL AND NOT ({diff}))
                    FROM x LEFT JOIN enrollment_resident r ON r.id_number = x.id_number"""
                )
                counts["new"], counts["changed"], counts["unchanged"] = cur.fetchone()
        transaction.set_rollback(True)
    return counts, conflicts
