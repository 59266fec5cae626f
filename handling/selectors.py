"""Every read of the handling app, scoped to the user's area (the service point's division)."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from handling.access import application_queryset_for, point_queryset_for
from handling.models import Application, Disease, HandlingItem, Level, ServicePoint
from handling.rules import figures as rules_figures
from handling.rules.workflow import is_overdue, missing_papers
from medinsure.masking import shown_id_number, shown_phone

# which item levels a point of each level handles (an item is handled at its level and above)
HANDLED_AT = {
    Level.DISTRICT: {Level.DISTRICT, Level.TOWNSHIP, Level.VILLAGE},
    Level.TOWNSHIP: {Level.TOWNSHIP, Level.VILLAGE},
    Level.VILLAGE: {Level.VILLAGE},
}


def item_list(*, point: ServicePoint | None = None) -> QuerySet[HandlingItem]:
    qs = HandlingItem.objects.filter(active=True)
    if point is not None:
        qs = qs.filter(level__in=HANDLED_AT[point.level])
    return qs.order_by("code")


def disease_list() -> QuerySet[Disease]:
    return Disease.objects.filter(active=True)


def point_list(user) -> QuerySet[ServicePoint]:
    return point_queryset_for(user).select_related("division").order_by("level", "division__code", "name")


def default_point(user) -> ServicePoint | None:
    """The point a user works at: a worker's own division's point, else the district's service centre."""
    points = list(point_list(user))
    if getattr(user, "division_id", None):
        for p in points:
            if p.division_id == user.division_id:
                return p
    for p in points:
        if p.level == Level.DISTRICT:
            return p
    return points[0] if points else None


def _local_day_bounds(day: date):
    tz = timezone.get_current_timezone()
    return datetime.combine(day, time.min, tzinfo=tz), datetime.combine(day, time.max, tzinfo=tz)


def application_list(
    user,
    *,
    point_id: int | None = None,
    status: str = "",
    day: date | None = None,
    resident_id: int | None = None,
    year: int | None = None,
) -> QuerySet[Application]:
    qs = application_queryset_for(user)
    if point_id:
        qs = qs.filter(point_id=point_id)
    if status:
        qs = qs.filter(status=status)
    if day is not None:
        start, end = _local_day_bounds(day)
        qs = qs.filter(received_at__gte=start, received_at__lte=end)
    if resident_id:
        qs = qs.filter(resident_id=resident_id)
    if year:
        qs = qs.filter(received_at__year=year)
    return qs.select_related("item", "point", "resident", "disease").order_by("-received_at")


def desk_list(user, *, point_id: int, today: date) -> list[Application]:
    """A window's desk: what was received today, and everything still open at the point (oldest due first)."""
    start, _end = _local_day_bounds(today)
    qs = (
        application_queryset_for(user)
        .filter(point_id=point_id)
        .exclude(status="finished", finished_at__lt=start)
        .exclude(status="returned", received_at__lt=start)
        .select_related("item", "resident", "disease")
        .order_by("due_on", "received_at")
    )
    return list(qs[:200])


def application_row(user, a: Application, *, today: date) -> dict:
    """What a page or the API shows of an application (ID and phone masked for roles that may not see them)."""
    finished_on = timezone.localdate(a.finished_at) if a.finished_at else None
    return {
        "tracking_number": a.tracking_number,
        "item": a.item.name,
        "item_code": a.item.code,
        "point": a.point.name,
        "resident_name": a.resident.name,
        "id_number": shown_id_number(user, a.resident.id_number),
        "phone": shown_phone(user, a.resident.phone),
        "applicant_name": a.applicant_name,
        "applicant_relation": a.applicant_relation,
        "channel": a.channel,
        "status": a.status,
        "status_label": a.get_status_display(),
        "received_at": a.received_at,
        "accepted_on": a.accepted_on,
        "due_on": a.due_on,
        "finished_at": a.finished_at,
        "overdue": is_overdue(status=a.status, due=a.due_on, finished_on=finished_on, as_of=today),
        "missing_papers": list(missing_papers(a.item.papers, a.papers_received)),
        "papers_received": list(a.papers_received),
        "decision_reason": a.decision_reason,
        "result_ref": a.result_ref,
        "disease": str(a.disease) if a.disease_id else "",
        "round": f"{a.round_year}-{a.round_half}" if a.round_year else "",
        "evidence_years": a.evidence_years,
        "expert_passed": a.expert_passed,
        "expert_opinion": a.expert_opinion,
    }


def chronic_round(user, *, year: int, half: int) -> list[Application]:
    return list(
        application_queryset_for(user)
        .filter(item__kind="chronic", round_year=year, round_half=half)
        .select_related("item", "point", "resident", "disease")
        .order_by("status", "received_at")
    )


def stats(user, *, year: int, today: date, month: int | None = None, division_code: str | None = None) -> dict:
    """Volumes and on-time rate per service point and per item, for applications received in ``year`` (and
    ``month``, and the division whose code starts with ``division_code``), the user's area only. One query."""
    qs = application_queryset_for(user).filter(received_at__year=year)
    if month:
        qs = qs.filter(received_at__month=month)
    if division_code:
        qs = qs.filter(division__code__startswith=division_code)
    rows = list(qs.values_list("point__name", "item__name", "status", "due_on", "finished_at"))

    def fin(ts):
        return timezone.localdate(ts) if ts else None

    by_point = rules_figures.figures(
        (rules_figures.Row(p, s, d, fin(f)) for p, _i, s, d, f in sorted(rows, key=lambda r: r[0])), as_of=today
    )
    by_item = rules_figures.figures(
        (rules_figures.Row(i, s, d, fin(f)) for _p, i, s, d, f in sorted(rows, key=lambda r: r[1])), as_of=today
    )
    return {
        "year": year,
        "month": month,
        "division": division_code or "",
        "points": by_point,
        "items": by_item,
        "total": rules_figures.total(by_point, key="合计"),
    }


def figures_json(f: rules_figures.Figures) -> dict:
    rate = f.on_time_rate
    return {
        "name": f.key,
        "received": f.received,
        "returned": f.returned,
        "open": f.open,
        "finished": f.finished,
        "finished_on_time": f.finished_on_time,
        "overdue": f.overdue,
        "on_time_rate": None if rate is None else f"{rate}",
    }
