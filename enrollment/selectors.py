"""Every read of the enrollment app, already scoped to the user's area, with a fixed number of queries.

Contracts used by other apps (replies inserts these figures into letters):
- ``resident_list(user, …)``, ``resident_by_pk(user, pk)``;
- ``progress_rows(*, user, year, level="township", parent=None)`` → the rows the progress API returns;
- ``guideline_tasks(*, user, year)`` → township code/name, task, last year's task and actual.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Max, Q, QuerySet, Subquery, Sum

from enrollment.access import resident_queryset_for, task_queryset_for
from enrollment.models import (
    Campaign,
    GuidelineTask,
    ImportBatch,
    InsuranceStatus,
    MobilisationTask,
    ProgressDaily,
    ReminderMessage,
    Resident,
)
from enrollment.rules import allocation
from medinsure.accounts import scoping
from medinsure.accounts.models import Role, User
from medinsure.masking import mask_phone, person_view, shown_age, shown_id_number, shown_phone
from medinsure.regions.models import Division
from medinsure.rules.id_numbers import IdNumberError, parse_id_number

PROGRESS_KEYS = ("division_code", "division_name", "task", "insured", "rate", "rank")


# --- residents --------------------------------------------------------------------------------------


def resident_list(
    user, *, q: str = "", division: str = "", year: int | None = None, status: str = ""
) -> QuerySet[Resident]:
    """Residents the user may see. ``q``: an ID number (exact, 15 or 18 digits) or a name prefix;
    ``division``: a code prefix inside the user's area; ``status``: the year's insurance status
    (``none`` also matches no status row)."""
    qs = resident_queryset_for(user).select_related("hukou_division", "residence_division")
    q = (q or "").strip()
    if q:
        try:
            from django.utils import timezone

            number = parse_id_number(q, as_of=timezone.localdate()).number
            qs = qs.filter(id_number=number)
        except IdNumberError:
            qs = qs.filter(name__startswith=q)
    if division:
        qs = qs.filter(Q(hukou_division__code__startswith=division) | Q(residence_division__code__startswith=division))
    if year and status:
        if status == "none":
            qs = qs.exclude(statuses__year=year, statuses__status__in=["tier1", "tier2", "employee", "elsewhere"])
        else:
            qs = qs.filter(statuses__year=year, statuses__status=status)
    return qs.order_by("id_number")


_DIGIT_RUN = re.compile(r"[0-9]{6,}")


def names_a_number(q: str) -> bool:
    """True when a search text holds an ID number or a part of one (six digits or more in a row): such a
    search goes in a POST body, never in a URL, where access logs and the audit path would keep it."""
    return bool(_DIGIT_RUN.search(q or ""))


def resident_by_pk(user, pk: int) -> Resident | None:
    """One resident by its server-side id, or None when missing or outside the user's area."""
    return resident_queryset_for(user).select_related("hukou_division", "residence_division").filter(pk=pk).first()


def resident_statuses(resident: Resident) -> list[InsuranceStatus]:
    return list(resident.statuses.order_by("-year"))


def _shown_birth_text(user, value: str) -> str:
    """A birth date kept as text in a history row: the date, or the age for a masked view."""
    from datetime import date

    try:
        born = date.fromisoformat(value)
    except ValueError:
        return value if person_view(user).full else "****"
    return person_view(user).birth(born)


_NUMBER_KEYS = {
    "phone": shown_phone,
    "id_number": shown_id_number,
    "id_number_raw": shown_id_number,
    "birth_date": _shown_birth_text,
}


def _shown_values(user, values):
    """A history row's before/after values with the phone and ID numbers (and the birth date, which
    rebuilds a masked ID) shown as the user's view of a person allows."""
    if not isinstance(values, dict):
        return values
    return {k: (_NUMBER_KEYS[k](user, v) if k in _NUMBER_KEYS and isinstance(v, str) else v) for k, v in values.items()}


def _history_rows(user, resident: Resident) -> list:
    rows = list(resident.history.select_related("batch", "actor")[:50])
    for h in rows:  # shown only, never saved: the history keeps the real values
        h.before_shown = _shown_values(user, h.before)
        h.after_shown = _shown_values(user, h.after)
    return rows


def resident_detail(user, resident: Resident) -> dict:
    """What a page shows of one resident, as the user's view of a person allows: numbers masked and the
    age instead of the birth date for masked roles (in its change history too)."""
    view = person_view(user)
    return {
        "resident": resident,
        "id_number": view.id_number(resident.id_number),
        "phone": view.phone(resident.phone),
        "birth": view.birth(resident.birth_date),
        "statuses": resident_statuses(resident),
        "payments": list(resident.payments.order_by("-paid_on")[:20]),
        "history": _history_rows(user, resident),
        "tasks": list(resident.tasks.select_related("campaign", "assignee").order_by("-campaign__year")),
    }


def resident_row(user, r: Resident, status: str = "") -> dict:
    """One resident as a row: ``birth_date`` only for roles that see numbers (None otherwise), ``age``
    for everyone, ``birth`` the text a page shows (see medinsure.masking)."""
    view = person_view(user)
    return {
        "id": r.pk,
        "id_number": view.id_number(r.id_number),
        "name": r.name,
        "sex": r.get_sex_display(),
        "birth_date": view.birth_date(r.birth_date),
        "age": shown_age(r.birth_date),
        "birth": view.birth(r.birth_date),
        "hukou_division": r.hukou_division.name if r.hukou_division_id else "",
        "hukou_code": r.hukou_division.code if r.hukou_division_id else "",
        "residence_division": r.residence_division.name if r.residence_division_id else "",
        "phone": view.phone(r.phone),
        "special_category": r.get_special_category_display() if r.special_category else "",
        "deceased_on": r.deceased_on,
        "moved_out_on": r.moved_out_on,
        "status": status,
    }


def resident_rows(user, residents: list[Resident], year: int) -> list[dict]:
    """A page of residents as rows, numbers masked by role, with the year's status label. One query."""
    from django.utils.translation import gettext

    statuses = statuses_for(residents, year)
    labels = dict(InsuranceStatus.Status.choices)
    return [resident_row(user, r, str(labels.get(statuses.get(r.pk), gettext("未参保")))) for r in residents]


def statuses_for(residents: list[Resident], year: int) -> dict[int, str]:
    return dict(
        InsuranceStatus.objects.filter(resident__in=[r.pk for r in residents], year=year).values_list(
            "resident_id", "status"
        )
    )


# --- campaigns and imports --------------------------------------------------------------------------


def campaign_list() -> QuerySet[Campaign]:
    return Campaign.objects.prefetch_related("tiers").order_by("-year")


def current_campaign() -> Campaign | None:
    return Campaign.objects.order_by("-year").first()


def import_batch_list(user) -> QuerySet[ImportBatch]:
    if not (scoping.has_area(user, scoping.Area.ENROLLMENT) and scoping.is_bureau_wide(user)):
        return ImportBatch.objects.none()
    return (
        ImportBatch.objects.select_related("uploaded_by", "job")
        .defer("raw", "checked", "errors")
        .order_by("-created_at")
    )


# --- guideline tasks --------------------------------------------------------------------------------


def _insured_by_township(year: int) -> dict[str, int]:
    with connection.cursor() as cur:
        cur.execute(
            """SELECT substr(d.code, 1, 9) || '000', count(*) FROM enrollment_insurancestatus st
               JOIN enrollment_resident r ON r.id = st.resident_id JOIN regions_division d ON d.id = r.hukou_division_id
               WHERE st.year = %s AND st.status IN ('tier1', 'tier2') GROUP BY 1""",
            [year],
        )
        return dict(cur.fetchall())


def guideline_task_objects(*, user, year: int) -> list[GuidelineTask]:
    qs = (
        GuidelineTask.objects.filter(campaign__year=year)
        .filter(scoping.division_q(user, "township"))
        .select_related("township", "edited_by")
    )
    if not scoping.can_quote_figures(user, scoping.Area.ENROLLMENT):
        return []
    return list(qs.order_by("township__code"))


def guideline_tasks(*, user, year: int) -> list[dict]:
    """Per township: code, name, this year's task (as edited), the computed figure, last year's task and
    last year's actual resident enrollment (by household registration). Three queries."""
    rows = guideline_task_objects(user=user, year=year)
    last = dict(GuidelineTask.objects.filter(campaign__year=year - 1).values_list("township__code", "task"))
    actual = _insured_by_township(year - 1) if rows else {}
    return [
        {
            "id": g.pk,
            "township_code": g.township.code,
            "township_name": g.township.name,
            "raw": g.raw,
            "computed_task": g.computed_task,
            "task": g.task,
            "edit_reason": g.edit_reason,
            "issued": g.issued_at is not None,
            "version": g.version,
            "last_year_task": last.get(g.township.code),
            "last_year_actual": actual.get(g.township.code, 0),
        }
        for g in rows
    ]


def guideline_task_changes(task_ids: list[int], *, limit: int = 5) -> dict[int, list]:
    """The latest ``limit`` changes of each guideline task (the page's history column). Two queries."""
    if not task_ids:
        return {}
    tasks = GuidelineTask.objects.filter(pk__in=task_ids).prefetch_related("changes__actor")
    return {g.pk: list(g.changes.all()[:limit]) for g in tasks}


def township_figures(*, year: int) -> list[allocation.TownshipFigures]:
    """Figures per township from the registry: population registered at the end of the year before last,
    police movements, births and deaths of last year, employee insurance and insured elsewhere."""
    ref_end = date(year - 2, 12, 31)
    last_start, last_end = date(year - 1, 1, 1), date(year - 1, 12, 31)
    towns = list(Division.objects.filter(level=Division.Level.TOWNSHIP).order_by("code"))
    by_prefix = {t.code[:9]: t for t in towns}
    sql = """
    SELECT substr(d.code, 1, 9) AS town,
      count(*) FILTER (WHERE r.birth_date <= %(ref_end)s AND (r.deceased_on IS NULL OR r.deceased_on > %(ref_end)s)
                        AND (r.moved_out_on IS NULL OR r.moved_out_on > %(ref_end)s)
                        AND (r.moved_in_on IS NULL OR r.moved_in_on <= %(ref_end)s)) AS hukou,
      count(*) FILTER (WHERE r.moved_in_on BETWEEN %(ls)s AND %(le)s) AS moved_in,
      count(*) FILTER (WHERE r.moved_out_on BETWEEN %(ls)s AND %(le)s) AS moved_out,
      count(*) FILTER (WHERE r.birth_date BETWEEN %(ls)s AND %(le)s) AS births,
      count(*) FILTER (WHERE r.deceased_on BETWEEN %(ls)s AND %(le)s) AS deaths,
      count(*) FILTER (WHERE st.status = 'employee' AND r.deceased_on IS NULL AND r.moved_out_on IS NULL) AS employee,
      count(*) FILTER (WHERE st.status = 'elsewhere' AND r.deceased_on IS NULL AND r.moved_out_on IS NULL) AS elsewhere
    FROM enrollment_resident r JOIN regions_division d ON d.id = r.hukou_division_id
    LEFT JOIN enrollment_insurancestatus st ON st.resident_id = r.id AND st.year = %(last)s
    GROUP BY 1
    """
    with connection.cursor() as cur:
        cur.execute(sql, {"ref_end": ref_end, "ls": last_start, "le": last_end, "last": year - 1})
        found = {row[0]: row[1:] for row in cur.fetchall()}
    out = []
    for prefix, town in by_prefix.items():
        h, mi, mo, b, d, e, el = found.get(prefix, (0, 0, 0, 0, 0, 0, 0))
        out.append(allocation.TownshipFigures(town.code, town.name, h, mi, mo, b, d, e, el))
    return out


# --- mobilisation tasks -----------------------------------------------------------------------------


def village_list(user) -> QuerySet[Division]:
    """The villages inside the user's area (filters and the split form)."""
    return Division.objects.filter(level=Division.Level.VILLAGE).filter(scoping.division_code_q(user, "code"))


def worker_list(user) -> QuerySet[User]:
    """Active township and village workers inside the user's area, to whom tasks may be assigned."""
    return (
        User.objects.filter(role__in=[Role.VILLAGE, Role.TOWNSHIP], is_active=True)
        .filter(scoping.division_q(user, "division"))
        .select_related("division")
        .order_by("division__code")
    )


# the columns task_row reads: a worker's list spent a quarter of its time building the residents' and
# users' other columns (keep in step with task_row; tests/enrollment/test_task_list_queries.py)
TASK_ROW_FIELDS = (
    *("id", "version", "gap", "status", "outcome", "refusal_reason", "note", "assignee_id"),
    *("resident__name", "resident__id_number", "resident__phone", "resident__address"),
    *("division__code", "division__name"),
    *("assignee__username", "assignee__first_name", "assignee__last_name"),
)


def task_list(
    user, *, year: int, status: str = "", village: str = "", mine: bool = False, outcome: str = ""
) -> QuerySet[MobilisationTask]:
    qs = (
        task_queryset_for(user)
        .filter(campaign__year=year)
        .select_related("resident", "division", "assignee")
        .only(*TASK_ROW_FIELDS)
    )
    if mine or user.role == "village":
        qs = qs.filter(assignee=user)
    if status == "pending":
        qs = qs.exclude(status="closed")
    elif status:
        qs = qs.filter(status=status)
    if village:
        qs = qs.filter(division__code__startswith=village)
    if outcome:
        qs = qs.filter(outcome=outcome)
    return qs.order_by("status", "division__code", "id")


# choice labels looked up once: Model.get_FOO_display() rebuilds a hashable copy of the choices on every
# call (3 per row, most of a worker's list request's time under load)
_TASK_LABELS = {name: dict(MobilisationTask._meta.get_field(name).flatchoices) for name in ("gap", "status", "outcome")}


def _label(name: str, value: str) -> str:
    return str(_TASK_LABELS[name].get(value, value))


def task_row(user, t: MobilisationTask) -> dict:
    """A worker sees the phone number of the people on their own tasks; everyone else by role."""
    r = t.resident
    values = {
        **{f: getattr(t, f) for f in ("id", "version", "gap", "status", "outcome", "refusal_reason", "note")},
        "assignee_id": t.assignee_id,
        **{f"resident__{f}": getattr(r, f) for f in ("name", "id_number", "phone", "address")},
        "division__code": t.division.code,
        "division__name": t.division.name,
    }
    assignee = t.assignee.display_name if t.assignee_id else ""
    return _task_row(user, values, assignee, scoping.may_see_personal_numbers(user))


def task_rows(user, tasks: QuerySet[MobilisationTask]) -> list[dict]:
    """task_row for a list (a page of task_list): plain values, no model instances — building four
    model instances a row was the larger part of a worker's list request."""
    personal_role = scoping.may_see_personal_numbers(user)
    rows = []
    for v in tasks.values(*TASK_ROW_FIELDS):
        # User.display_name: the full name (AbstractUser.get_full_name), else the user name
        full = f"{v['assignee__first_name']} {v['assignee__last_name']}".strip()
        assignee = (full or v["assignee__username"]) if v["assignee_id"] else ""
        rows.append(_task_row(user, v, assignee, personal_role))
    return rows


def task_page(user, tasks: QuerySet[MobilisationTask], *, page, per_page: int) -> tuple[list[dict], int, int]:
    """One page of task rows, the number of tasks and the page's number (Paginator.get_page's rules).
    The first page is read with one row more: when it is not full it is the whole list and no COUNT
    is needed — a worker's own list, a few dozen tasks, is one query."""
    if page in (None, "", 1, "1"):
        rows = task_rows(user, tasks[: per_page + 1])
        if len(rows) <= per_page:
            return rows, len(rows), 1
        return rows[:per_page], tasks.count(), 1
    p = Paginator(tasks, per_page).get_page(page)
    return task_rows(user, p.object_list), p.paginator.count, p.number


def _task_row(user, v: dict, assignee: str, personal_role: bool) -> dict:
    phone = v["resident__phone"]
    personal = v["assignee_id"] == user.pk or personal_role
    return {
        "id": v["id"],
        "version": v["version"],
        "resident_name": v["resident__name"],
        "id_number": shown_id_number(user, v["resident__id_number"]),
        "phone": phone if personal else mask_phone(phone),
        "callable": bool(phone) and personal,
        "address": v["resident__address"],
        "division_code": v["division__code"],
        "division_name": v["division__name"],
        "assignee": assignee,
        "gap": _label("gap", v["gap"]),
        "status": v["status"],
        "status_label": _label("status", v["status"]),
        "outcome": v["outcome"],
        "outcome_label": _label("outcome", v["outcome"]) if v["outcome"] else "",
        "refusal_reason": v["refusal_reason"],
        "note": v["note"],
    }


def task_summary(user, *, year: int) -> list[dict]:
    """Counts per village and status inside the user's area (township's split page)."""
    qs = task_queryset_for(user).filter(campaign__year=year)
    rows = qs.values("division__code", "division__name", "status").order_by("division__code").annotate(n=Count("id"))
    out: dict[str, dict] = {}
    for r in rows:
        code = r["division__code"][:12]
        d = out.setdefault(
            code, {"code": code, "name": r["division__name"], "open": 0, "assigned": 0, "follow_up": 0, "closed": 0}
        )
        d[r["status"]] += r["n"]
    for d in out.values():
        d["total"] = d["open"] + d["assigned"] + d["follow_up"] + d["closed"]
    return list(out.values())


# --- progress ---------------------------------------------------------------------------------------


def _latest_day(year: int):
    return ProgressDaily.objects.filter(year=year).aggregate(d=Max("day"))["d"]


def progress_queryset(*, user, year: int, level: str = "township", parent: str | None = None, day=None):
    if not scoping.can_quote_figures(user, scoping.Area.ENROLLMENT):
        return ProgressDaily.objects.none()
    if level not in ("township", "village"):
        level = "township"
    if day is None:
        # the latest day, inside the same query (one round trip; index year, level, day)
        latest = ProgressDaily.objects.filter(year=year, level=level).order_by("-day").values("day")[:1]
        qs = ProgressDaily.objects.filter(year=year, level=level, day=Subquery(latest))
    else:
        qs = ProgressDaily.objects.filter(year=year, level=level, day=day)
    if parent:
        qs = qs.filter(parent_code=parent)
    qs = qs.filter(scoping.division_code_q(user, "division_code"))
    return qs.order_by("rank", "division_code")


def progress_rows(*, user, year: int, level: str = "township", parent: str | None = None, day=None) -> list[dict]:
    """Rows of division_code, division_name, task, insured, rate (Decimal), rank — the API's rows.
    The latest day's report unless ``day`` is given."""
    return list(progress_queryset(user=user, year=year, level=level, parent=parent, day=day).values(*PROGRESS_KEYS))


def progress_rows_with_change(
    *, user, year: int, level: str = "township", parent: str | None = None, day=None
) -> list[dict]:
    """The bulletin's rows: progress_rows plus the change since the last report, the parent code and the day."""
    return list(
        progress_queryset(user=user, year=year, level=level, parent=parent, day=day).values(
            *PROGRESS_KEYS, "change", "parent_code", "day"
        )
    )


def progress_since(rows: list[dict], *, year: int, days: int) -> list[dict]:
    """Replace each row's ``change`` by the change against the report ``days`` before its day (一周一调度:
    7, 半月一督查: 15, 一月一通报: 30); a division without that report counts from zero. One query."""
    if not rows:
        return rows
    from datetime import timedelta

    then = rows[0]["day"] - timedelta(days=days)
    earlier = (
        ProgressDaily.objects.filter(year=year, day__lte=then, division_code__in=[r["division_code"] for r in rows])
        .order_by("division_code", "-day")
        .distinct("division_code")
        .values_list("division_code", "insured")
    )
    before = dict(earlier)
    for r in rows:
        r["change"] = r["insured"] - before.get(r["division_code"], 0)
    return rows


def progress_series(*, user, year: int, level: str = "township") -> list[dict]:
    """Per day: task, insured and rate summed over the divisions the user may see (the line chart)."""
    if not scoping.can_quote_figures(user, scoping.Area.ENROLLMENT):
        return []
    qs = (
        ProgressDaily.objects.filter(year=year, level=level)
        .filter(scoping.division_code_q(user, "division_code"))
        .values("day")
        .order_by("day")
        .annotate(task=Sum("task"), insured=Sum("insured"))
    )
    from enrollment.rules.progress import rate

    return [
        {"day": r["day"], "task": r["task"], "insured": r["insured"], "rate": rate(r["insured"], r["task"])} for r in qs
    ]


def progress_days(year: int) -> list:
    return list(ProgressDaily.objects.filter(year=year).values_list("day", flat=True).distinct().order_by("-day")[:60])


# --- reminders --------------------------------------------------------------------------------------


def reminder_list(user) -> QuerySet[ReminderMessage]:
    if not (scoping.has_area(user, scoping.Area.ENROLLMENT)):
        return ReminderMessage.objects.none()
    return (
        ReminderMessage.objects.filter(scoping.division_q(user, "resident__hukou_division"))
        .select_related("resident", "campaign")
        .order_by("-created_at")
    )


def reminder_summary(user) -> list[dict]:
    """Counts of the outbox by round, kind and delivery status, inside the user's area."""
    from django.db.models import Count

    return list(
        reminder_list(user)
        .order_by()
        .values("round_id", "kind", "status")
        .annotate(count=Count("id"))
        .order_by("round_id", "kind", "status")
    )


def reminder_counts(user) -> dict:
    from django.db.models import Count

    return dict(reminder_list(user).order_by().values_list("status").annotate(n=Count("id")))
