"""Every supervision read, scoped to the user (see access.py), with a fixed number of queries."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from medinsure.accounts import scoping
from medinsure.core import crypto
from medinsure.core.figures_cache import cached_figures
from medinsure.institutions.models import Institution
from supervision import access
from supervision.models import (
    AgreementEvent,
    AuditRule,
    Case,
    CaseStatus,
    CaseTransition,
    Decision,
    Flag,
    Report,
    SelfInspection,
    SelfInspectionRound,
)
from supervision.rules import audit as audit_rules
from supervision.rules import figures as fig

# --- lists -------------------------------------------------------------------------------------


FIGURES = "supervision"  # namespace of the cached figures; services bump it after every write


def _division_prefix(division: str) -> str:
    """The division filter of lists and figures: a division's code stands for its Division.scope_prefix
    (a township its 9 digits, a village all 12 — not widened to its township); anything else is taken
    as a prefix already."""
    if not division:
        return ""
    from medinsure.regions.models import Division

    found = Division.objects.filter(code=division).only("code", "level").first()
    return found.scope_prefix if found else division


def _in_division(field: str, prefix: str) -> Q:
    return Q(**{f"{field}__code__startswith": prefix}) if prefix else Q()


def institution_list(user, *, q: str = "", kind: str = "", status: str = "", division: str = ""):
    if access.is_staff(user):
        qs = Institution.objects.all()
    elif access.is_institution_user(user):
        qs = Institution.objects.filter(pk=user.institution_id)
    else:
        return Institution.objects.none()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(agreement__status=status) if status != "none" else qs.filter(agreement__isnull=True)
    if division:
        qs = qs.filter(_in_division("division", _division_prefix(division)))
    return qs.select_related("division", "agreement").order_by("code")


def agreement_history(user, institution: Institution):
    return (
        AgreementEvent.objects.filter(agreement__institution=institution)
        .filter(access.institution_q(user, "agreement__institution"))
        .select_related("case", "actor")
        .order_by("effective_from", "id")
    )


def case_list(user, *, status: str = "", source: str = "", institution_id=None, year=None, q: str = ""):
    qs = Case.objects.filter(access.institution_q(user))
    if access.is_institution_user(user):
        qs = qs.filter(target_kind="institution")
    if status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    if institution_id:
        qs = qs.filter(institution_id=institution_id)
    if year:
        qs = qs.filter(registered_on__year=year)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(institution__name__icontains=q) | Q(summary__icontains=q))
    return qs.select_related("institution", "decision").order_by("-registered_on", "-id")


def case_transitions(case: Case):
    return CaseTransition.objects.filter(case=case).select_related("actor").order_by("at", "id")


def published_cases(*, year=None):
    """The public page: decided cases with a public summary — never personal data."""
    qs = Case.objects.filter(published_on__isnull=False).exclude(public_summary="")
    if year:
        qs = qs.filter(published_on__year=year)
    return (
        qs.select_related("institution", "decision")
        .only(
            "number",
            "published_on",
            "public_summary",
            "violations",
            "target_kind",
            "institution__name",
            "institution__kind",
            "decision__recovered",
            "decision__fine",
            "decision__agreement_action",
            "decision__id",
        )
        .order_by("-published_on", "-id")
    )


def report_list(user, *, status: str = ""):
    if not access.is_staff(user):
        return Report.objects.none()
    qs = Report.objects.all().select_related("institution")
    if status:
        qs = qs.filter(status=status)
    return qs.defer("identity_encrypted").order_by("-received_at")


def report_by_tracking_code(code: str):
    """The public status page: status only, never the content's personal data."""
    code = (code or "").strip().upper()
    if not code:
        return None
    return (
        Report.objects.filter(tracking_code=code).only("tracking_code", "received_at", "status", "handled_at").first()
    )


def case_from_named_report(case: Case) -> bool:
    """Whether a case was opened from a named (实名) report — never who the reporter is."""
    return bool(case.report_id) and Report.objects.filter(pk=case.report_id, anonymous=False).exists()


def flag_detail_shown(user, flag: Flag) -> dict:
    """A flag's detail as ``user`` may read it: staff see all of it; an institution user only its own
    side (not which other institutions or settlements the person had that day)."""
    if access.is_staff(user):
        return dict(flag.detail or {})
    return audit_rules.own_side(flag.detail)


def flag_list(user, *, status: str = "", rule_id=None, institution_id=None, month: str = ""):
    qs = Flag.objects.filter(access.institution_q(user))
    if status:
        qs = qs.filter(status=status)
    if rule_id:
        qs = qs.filter(rule_id=rule_id)
    if institution_id:
        qs = qs.filter(institution_id=institution_id)
    if month:
        try:
            y, m = (int(x) for x in month.split("-"))
            qs = qs.filter(settled_on__year=y, settled_on__month=m)
        except ValueError:
            pass
    return qs.select_related("rule", "institution").order_by("-settled_on", "-id")


def rule_list(user):
    if not access.is_staff(user):
        return AuditRule.objects.none()
    return AuditRule.objects.all().order_by("code")


def audit_run_list(user):
    """The intelligent-audit runs, newest first (staff only, like the rules)."""
    from supervision.models import AuditRun

    if not access.is_staff(user):
        return AuditRun.objects.none()
    return AuditRun.objects.order_by("-started_at")


def self_inspection_list(user, *, year=None):
    qs = SelfInspection.objects.filter(access.institution_q(user))
    if year:
        qs = qs.filter(round__year=year)
    return qs.select_related("round", "institution").order_by("-round__year", "institution__code")


def self_inspection_rounds():
    return SelfInspectionRound.objects.all().order_by("-year")


def self_inspection_previous_failures(institution_id: int, year: int) -> int:
    """How many years in a row before `year` the institution's self-inspection was failing."""
    failing = dict(
        SelfInspection.objects.filter(institution_id=institution_id, round__year__lt=year).values_list(
            "round__year", "outcome"
        )
    )
    n, y = 0, year - 1
    while failing.get(y) == "failing":
        n += 1
        y -= 1
    return n


def report_identity(report: Report) -> dict:
    """The reporter's identity, decrypted (callers audit the look: services.report_reveal_identity)."""
    if not report.identity_encrypted:
        return {}
    fernet = crypto.fernet()  # every key of settings.FIELD_ENCRYPTION_KEYS: rows from before a rotation
    return json.loads(fernet.decrypt(report.identity_encrypted.encode()).decode())


# --- figures ------------------------------------------------------------------------------------


def _kind_of(target_kind: str, institution_kind: str | None) -> str:
    if target_kind == "person":
        return "person"
    return institution_kind or "other"


def _day_bounds(year: int):
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(date(year, 1, 1), time.min), tz),
        timezone.make_aware(datetime.combine(date(year + 1, 1, 1), time.min), tz),
    )


def supervision_figures(*, user, year: int, division: str = "") -> fig.Figures:
    """The year's figures by kind and by month, from the records. District-wide, no personal
    data: staff, statistics roles and every bureau-wide role (replies letters quote them)."""
    if not (access.may_read_stats(user) or scoping.is_bureau_wide(user)):
        raise PermissionDenied
    division = _division_prefix(division)
    # the same for every reader (district-wide figures): cached until a supervision write commits
    return cached_figures(FIGURES, ("figures", year, division), lambda: _figures_live(year, division))


def _figures_live(year: int, division: str) -> fig.Figures:
    inst_filter = _in_division("institution__division", division)
    case_filter = inst_filter

    inspections = [
        fig.InspectionRec(i, k, m)
        for i, k, m in Case.objects.filter(case_filter, target_kind="institution", inspected_on__year=year)
        .annotate(month=ExtractMonth("inspected_on"))
        .values_list("institution_id", "institution__kind", "month")
    ]
    decisions = [
        fig.DecisionRec(_kind_of(t, k), m, pen or agr, rec, rej, fine, src == "report")
        for t, k, m, pen, agr, rec, rej, fine, src in Decision.objects.filter(decided_on__year=year)
        .filter(_in_division("case__institution__division", division))
        .annotate(month=ExtractMonth("decided_on"))
        .values_list(
            "case__target_kind",
            "case__institution__kind",
            "month",
            "penalty",
            "agreement_handling",
            "recovered",
            "rejected",
            "fine",
            "case__source",
        )
    ]
    agreements = [
        fig.AgreementRec(k, m, a)
        for k, m, a in AgreementEvent.objects.filter(action__in=["suspend", "terminate"], effective_from__year=year)
        .filter(_in_division("agreement__institution__division", division))
        .annotate(month=ExtractMonth("effective_from"))
        .values_list("agreement__institution__kind", "month", "action")
    ]
    events = [
        fig.EventRec("publicized", _kind_of(t, k), m)
        for t, k, m in Case.objects.filter(case_filter, published_on__year=year)
        .annotate(month=ExtractMonth("published_on"))
        .values_list("target_kind", "institution__kind", "month")
    ]
    start, end = _day_bounds(year)
    events += [
        fig.EventRec("reports_received", k or "other", timezone.localtime(at).month)
        for k, at in Report.objects.filter(inst_filter, received_at__gte=start, received_at__lt=end).values_list(
            "institution__kind", "received_at"
        )
    ]
    events += [
        fig.EventRec("transferred_to_police", _kind_of(t, k), m)
        for t, k, m in CaseTransition.objects.filter(to_status=CaseStatus.TRANSFERRED, on__year=year)
        .filter(_in_division("case__institution__division", division))
        .annotate(month=ExtractMonth("on"))
        .values_list("case__target_kind", "case__institution__kind", "month")
    ]
    flag_scope = Flag.objects.filter(inst_filter)
    raised = (
        flag_scope.filter(settled_on__year=year)
        .annotate(month=ExtractMonth("settled_on"))
        .values("institution__kind", "month")
        .annotate(n=Count("id"))
    )
    confirmed = (
        flag_scope.filter(status="confirmed", reviewed_on__year=year)
        .annotate(month=ExtractMonth("reviewed_on"))
        .values("institution__kind", "month")
        .annotate(n=Count("id"), amount=Sum("deduction"))
    )
    flags = [fig.FlagRec(r["institution__kind"], r["month"], raised=r["n"]) for r in raised]
    flags += [
        fig.FlagRec(r["institution__kind"], r["month"], confirmed=r["n"], deducted=r["amount"] or Decimal("0.00"))
        for r in confirmed
    ]
    return fig.yearly_figures(
        year, inspections=inspections, decisions=decisions, agreements=agreements, events=events, flags=flags
    )


def _stats_dict(values: dict, by_kind: dict | None = None) -> dict:
    out = {k: values[k] for k in fig.KEYS if k not in ("agreements_suspended", "agreements_terminated")}
    for key in ("agreements_suspended", "agreements_terminated"):
        out[key] = {
            "total": values[key],
            "medical": by_kind["medical"][key] if by_kind else None,
            "pharmacy": by_kind["pharmacy"][key] if by_kind else None,
        }
    return out


def supervision_stats(*, user, year: int, month: int | None = None, division: str = "") -> dict:
    """The figures the API returns for `GET /api/v1/supervision/stats/?year=`: counts as int,
    amounts as Decimal yuan; `agreements_suspended` / `agreements_terminated` are
    {"total", "medical", "pharmacy"}. With `month`, that month's figures."""
    f = supervision_figures(user=user, year=year, division=division)
    if month:
        values = f.by_month[month]
        prefix = _division_prefix(division)
        by_kind = cached_figures(
            FIGURES, ("month_agreements", year, month, prefix), lambda: _month_agreements(year, month, prefix)
        )
        out = _stats_dict(values, by_kind)
    else:
        out = _stats_dict(f.total, f.by_kind)
    return {"year": year, "month": month, **out}


def _month_agreements(year: int, month: int, prefix: str) -> dict:
    """The month's split by kind is not kept per month; recount the agreements for it."""
    by_kind = {k: {"agreements_suspended": 0, "agreements_terminated": 0} for k in fig.KINDS}
    for action, key in (("suspend", "agreements_suspended"), ("terminate", "agreements_terminated")):
        for kind, n in (
            AgreementEvent.objects.filter(action=action, effective_from__year=year, effective_from__month=month)
            .filter(_in_division("agreement__institution__division", prefix))
            .values_list("agreement__institution__kind")
            .annotate(n=Count("id"))
        ):
            by_kind[kind][key] = n
    return by_kind


def supervision_stats_table(*, user, year: int, division: str = "") -> dict:
    """The printable page and the Excel file: totals, by kind, by month."""
    f = supervision_figures(user=user, year=year, division=division)
    return {"year": year, "total": f.total, "by_kind": f.by_kind, "by_month": f.by_month}


def flag_counts_by_status(user) -> dict:
    rows = Flag.objects.filter(access.institution_q(user)).values("status").annotate(n=Count("id"))
    return {r["status"]: r["n"] for r in rows}


def cases_by_status(user) -> dict:
    rows = Case.objects.filter(access.institution_q(user)).values("status").annotate(n=Count("id"))
    return {r["status"]: r["n"] for r in rows}


# --- claims' settlements as the audit rules' plain dataclasses ------------------------------------

SEX_CODES = {"M": "M", "F": "F", "1": "M", "2": "F", "male": "M", "female": "F", "男": "M", "女": "F"}


def settlement_visit_chunks(*, start: date, end: date, chunk_settlements: int = 5000, lookback_days: int = 0):
    """Yield (visits, total) for the settlements settled from start to end, in chunks of whole
    persons: headers ordered by person, then their lines in one query per chunk (two queries a chunk,
    whatever its size). With lookback_days, the same persons' earlier settlements come along as
    context (a readmission, a stay elsewhere)."""
    from datetime import timedelta

    from claims.models import INPATIENT_KINDS, Settlement, SettlementLine
    from supervision.rules.audit import Line, Visit

    in_period = Settlement.objects.filter(settled_on__gte=start, settled_on__lte=end)
    if lookback_days:
        base = Settlement.objects.filter(
            settled_on__gte=start - timedelta(days=lookback_days),
            settled_on__lte=end,
            id_number__in=in_period.values("id_number"),
        )
    else:
        base = in_period
    headers = base.order_by("id_number", "id").values_list(
        "id",
        "id_number",
        "sex",
        "birth_date",
        "institution_id",
        "institution__kind",
        "kind",
        "settled_on",
        "admitted_on",
        "discharged_on",
    )
    total = headers.count()
    INPATIENT = {str(k) for k in INPATIENT_KINDS}  # noqa: N806
    chunk: list[tuple] = []

    def build(rows):
        ids = [r[0] for r in rows]
        lines: dict[int, list] = {i: [] for i in ids}
        for lid, sid, code, name, cat, qty, price, amount, charged in (
            SettlementLine.objects.filter(settlement_id__in=ids)
            .order_by("settlement_id", "id")
            .values_list(
                "id", "settlement_id", "item_code", "item_name", "category", "quantity", "price", "amount", "charged_on"
            )
            .iterator(chunk_size=20000)
        ):
            lines[sid].append(Line(lid, code, name, cat or "", qty, price, amount, charged))
        return [
            Visit(
                sid,
                idn,
                SEX_CODES.get(str(sex or ""), ""),
                birth,
                inst,
                ikind or "medical",
                kind,
                settled,
                adm if kind in INPATIENT else None,
                dis if kind in INPATIENT else None,
                tuple(lines[sid]),
            )
            for sid, idn, sex, birth, inst, ikind, kind, settled, adm, dis in rows
        ]

    for row in headers.iterator(chunk_size=chunk_settlements):
        if len(chunk) >= chunk_settlements and row[1] != chunk[-1][1]:
            yield build(chunk), total
            chunk = []
        chunk.append(row)
    if chunk:
        yield build(chunk), total
