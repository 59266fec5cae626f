"""The pre-aggregated monthly statistics (MonthlyStat), rebuilt from the settlements."""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from claims import selectors
from medinsure.core.figures_cache import bump_on_commit


def monthly_stats_refresh(*, year: int | None = None) -> int:
    """Rebuild the pre-aggregated monthly figures of ``year`` (default: this year) from the
    settlements, in one statement. Imports and applied recalculations call it; so does the nightly beat."""
    year = year or timezone.localdate().year
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    with transaction.atomic():
        bump_on_commit(selectors.FIGURES)  # the cached statistics (selectors.settlement_stats)
        with connection.cursor() as cur:
            cur.execute("DELETE FROM claims_monthlystat WHERE year = %s", [year])
            cur.execute(
                """
                INSERT INTO claims_monthlystat (year, month, scheme, kind, hospital_level, township_code,
                    settlements, persons, total_cost, in_scope_cost, fund_paid, critical_paid)
                SELECT %s, EXTRACT(MONTH FROM s.settled_on)::int, s.scheme, s.kind, s.hospital_level,
                       COALESCE(SUBSTRING(d.code, 1, 9) || '000', ''),
                       COUNT(*), COUNT(DISTINCT s.id_number), SUM(s.total_cost), SUM(s.in_scope_cost),
                       SUM(s.fund_paid), SUM(s.critical_paid)
                FROM claims_settlement s LEFT JOIN regions_division d ON d.id = s.division_id
                WHERE s.settled_on >= %s AND s.settled_on < %s
                GROUP BY 2, 3, 4, 5, 6
                """,
                [year, start, end],
            )
            return cur.rowcount
