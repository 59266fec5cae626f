"""The daily progress figures by township and village."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

from django.core.cache import cache
from django.db import connection, transaction

from enrollment import selectors
from enrollment.models import GuidelineTask, ProgressDaily
from enrollment.rules import allocation
from enrollment.rules.progress import rank_rows
from enrollment.services._common import today
from enrollment.services.mobilisation import tasks_sync
from medinsure.core.bulk import linear_plan
from medinsure.regions.models import Division


def progress_refresh(*, year: int, day: date | None = None) -> int:
    """Recompute the day's progress rows by township and village (insured counted by household
    registration). Replaces the day's rows in one transaction, one refresh of a year at a time
    (advisory lock taken before reading); safe to run any number of times."""
    day = day or today()
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(hashtext('enrollment.progress'), %s)", [year])
        return _progress_refresh_locked(year=year, day=day)


PROGRESS_STARTED_KEY = "enrollment:progress-started:{year}"


def progress_refresh_debounced(*, year: int, requested_at: float | None = None) -> int:
    """A refresh asked for at ``requested_at`` (``queue_progress_refresh``): skipped when a refresh of the
    same year started after the request (it already saw the change), so a burst collapses into one."""
    key = PROGRESS_STARTED_KEY.format(year=year)
    started = cache.get(key)
    if requested_at is not None and started is not None and started > requested_at:
        return 0
    cache.set(key, time.time(), None)
    return progress_refresh(year=year)


def nightly_refresh() -> dict:
    """Nightly: refresh the to-do lists and the day's progress of the current campaign."""
    campaign = selectors.current_campaign()
    if campaign is None:
        return {}
    result = tasks_sync(year=campaign.year)
    result["progress_rows"] = progress_refresh(year=campaign.year)
    return result


def _progress_refresh_locked(*, year: int, day: date) -> int:
    towns = list(Division.objects.filter(level=Division.Level.TOWNSHIP).order_by("code"))
    villages = list(Division.objects.filter(level=Division.Level.VILLAGE).order_by("code"))
    tasks = dict(GuidelineTask.objects.filter(campaign__year=year).values_list("township__code", "task"))
    with connection.cursor() as cur, linear_plan(cur):
        cur.execute(
            """SELECT substr(d.code, 1, 12) AS village, count(*) FILTER (WHERE st.status IN ('tier1','tier2') AND st.status_date <= %s),
                      count(*) FILTER (WHERE r.deceased_on IS NULL AND r.moved_out_on IS NULL)
               FROM enrollment_resident r JOIN regions_division d ON d.id = r.hukou_division_id
               LEFT JOIN enrollment_insurancestatus st ON st.resident_id = r.id AND st.year = %s
               GROUP BY 1""",
            [day, year],
        )
        per_village = {code: (ins, pop) for code, ins, pop in cur.fetchall()}
    prev_day = (
        ProgressDaily.objects.filter(year=year, day__lt=day).order_by("-day").values_list("day", flat=True).first()
    )
    prev = (
        dict(ProgressDaily.objects.filter(year=year, day=prev_day).values_list("division_code", "insured"))
        if prev_day
        else {}
    )
    out: list[ProgressDaily] = []
    town_rows = []
    for t in towns:
        vs = [v for v in villages if v.code.startswith(t.code[:9])]
        ins = sum(per_village.get(v.code, (0, 0))[0] for v in vs)
        town_rows.append((t.code, t.name, tasks.get(t.code, 0), ins, prev.get(t.code, ins)))
        # the township's task shared over its villages in proportion to their living registered population
        vfig = [allocation.TownshipFigures(v.code, v.name, per_village.get(v.code, (0, 0))[1]) for v in vs]
        vt = {}
        if vfig:
            try:
                vt = {
                    a.township_code: a.task
                    for a in allocation.allocate(vfig, total=tasks.get(t.code, 0), base_ratio=Decimal(1))
                }
            except allocation.AllocationError:
                vt = {}
        vrows = [
            (
                v.code,
                v.name,
                vt.get(v.code, 0),
                per_village.get(v.code, (0, 0))[0],
                prev.get(v.code, per_village.get(v.code, (0, 0))[0]),
            )
            for v in vs
        ]
        for r in rank_rows(vrows):
            out.append(
                ProgressDaily(
                    year=year,
                    day=day,
                    level="village",
                    division_code=r.division_code,
                    division_name=r.division_name,
                    parent_code=t.code,
                    task=r.task,
                    insured=r.insured,
                    rate=r.rate,
                    rank=r.rank,
                    change=r.change,
                )
            )
    district = Division.objects.filter(level=Division.Level.DISTRICT).first()
    for r in rank_rows(town_rows):
        out.append(
            ProgressDaily(
                year=year,
                day=day,
                level="township",
                division_code=r.division_code,
                division_name=r.division_name,
                parent_code=district.code if district else "",
                task=r.task,
                insured=r.insured,
                rate=r.rate,
                rank=r.rank,
                change=r.change,
            )
        )
    ProgressDaily.objects.filter(year=year, day=day).delete()
    ProgressDaily.objects.bulk_create(out, batch_size=2000)
    return len(out)
