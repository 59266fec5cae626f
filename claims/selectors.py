"""Every read of the claims app: pages, API, reports and other apps (fundbudget, replies).

Reads of personal rows take the user and are scoped with ``division_q``; the district-wide figures
that other apps call (``fund_expenditure_by_month``, ``admissions_by_level``, ``policy_summary``)
hold no personal data and are read by roles that already passed their own area check.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy

from claims.models import (
    INPATIENT_KINDS,
    DiseaseRegistration,
    Kind,
    MonthlyStat,
    Policy,
    PolicyVersion,
    Recalculation,
    RemoteCareFiling,
    Settlement,
    SettlementImport,
)
from claims.policies import PolicyNotFound, engine_policy
from claims.rules import eligibility as rules_eligibility
from claims.rules import policy_summary as _policy_summary
from medinsure.accounts.powers import Power, may_approve
from medinsure.accounts.scoping import Area, division_code_q, division_q, has_area, is_bureau_wide
from medinsure.core.figures_cache import cached_figures
from medinsure.regions.models import code_scope_prefix

ZERO = Decimal("0.00")


# --- policies ---------------------------------------------------------------------------------
def policy_list(user):
    return Policy.objects.order_by("-year", "code")


def policy_versions(policy: Policy):
    return PolicyVersion.objects.filter(policy=policy).select_related("created_by").order_by("-number")


def policy_summary(*, code: str) -> dict:
    """The ratios, deductibles and caps of a policy's current version (or its shipped file), as
    plain data with decimal strings; ``version`` is the stored version number (None = file only)."""
    try:
        policy, version = engine_policy(code)
    except PolicyNotFound:
        raise
    summary = _policy_summary(policy)
    summary["version"] = version.number if version is not None else None
    return summary


# --- settlements --------------------------------------------------------------------------------
def settlement_list(
    user,
    *,
    year: int | None = None,
    month: int | None = None,
    kind: str | None = None,
    level: int | None = None,
    division_code: str | None = None,
    id_number: str | None = None,
    institution_id: int | None = None,
):
    """Settlements in the user's area (bureau-wide roles: all; township users: their township)."""
    rows = Settlement.objects.filter(division_q(user))
    if year:
        rows = rows.filter(settled_on__gte=date(year, 1, 1), settled_on__lt=date(year + 1, 1, 1))
        if month:
            end = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
            rows = rows.filter(settled_on__gte=date(year, month, 1), settled_on__lt=end)
    if kind:
        rows = rows.filter(kind=kind)
    if level:
        rows = rows.filter(hospital_level=level)
    if division_code:
        rows = rows.filter(division__code__startswith=code_scope_prefix(division_code))
    if id_number:
        rows = rows.filter(id_number=id_number.strip().upper())
    if institution_id:
        rows = rows.filter(institution_id=institution_id)
    return rows.select_related("institution", "division", "policy_version__policy").order_by("-settled_on", "-id")


def settlement_lines(settlement: Settlement):
    return settlement.lines.order_by("id")


def person_year_settlements(*, id_numbers, year: int, policy: Policy):
    """Every settlement of these persons in ``year`` under any version of ``policy`` (engine input)."""
    return Settlement.objects.filter(
        id_number__in=list(id_numbers),
        settled_on__gte=date(year, 1, 1),
        settled_on__lt=date(year + 1, 1, 1),
        policy_version__policy=policy,
    ).order_by("id_number", "settled_on", "number")


def existing_settlement_keys(*, numbers) -> set[tuple[str, str]]:
    """(institution code, settlement number) of the stored settlements with these numbers."""
    return set(Settlement.objects.filter(number__in=list(numbers)).values_list("institution__code", "number"))


def stored_settlement_amounts(*, numbers) -> dict[tuple[str, str], dict]:
    """The stored figures of the settlements with these numbers, by (institution code, number): what a
    settlement file is compared with to tell whether it disagrees with amounts already paid."""
    rows = Settlement.objects.filter(number__in=list(numbers)).values(
        "institution__code", "number", "total_cost", "in_scope_cost", "fund_paid", "critical_paid", "relief_paid"
    )
    return {(r.pop("institution__code"), r["number"]): r for r in rows}


def settlement_import_recent(user, *, limit: int = 10):
    """The latest import batches (file content deferred: it can be megabytes)."""
    if not has_area(user, Area.CLAIMS):
        return SettlementImport.objects.none()
    return (
        SettlementImport.objects.select_related("policy", "created_by")
        .defer("raw", "checked", "errors")
        .order_by("-created_at")[:limit]
    )


# --- recalculations ---------------------------------------------------------------------------
# The fields of a settlement the engine reads (claims.visits.visit_from_settlement) and its stored figures.
ENGINE_FIELDS = (
    "id",
    "number",
    "institution_id",
    "id_number",
    "settled_on",
    "kind",
    "hospital_level",
    "in_scope_cost",
    "essential_drug_cost",
    "disease",
    "third_party",
    "group",
    "employment",
    "continuous_years",
    "tier",
    "poor",
    "deductible",
    "fund_paid",
    "critical_paid",
    "relief_paid",
)


def year_settlements(*, policy_id: int, year: int):
    """The settlements of ``year`` stored under any version of the policy (what a recalculation redoes)."""
    return Settlement.objects.filter(
        policy_version__policy_id=policy_id,
        settled_on__gte=date(year, 1, 1),
        settled_on__lt=date(year + 1, 1, 1),
    )


def recalculation_boundaries(*, policy_id: int, year: int, chunk_persons: int) -> list[str]:
    """The first ID number of each chunk of ``chunk_persons`` persons (whole person-years), in order;
    the first boundary is "" (every number sorts after it)."""
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT id_number FROM (
                SELECT id_number, ROW_NUMBER() OVER (ORDER BY id_number) - 1 AS n
                FROM (SELECT DISTINCT s.id_number FROM claims_settlement s
                      JOIN claims_policyversion v ON v.id = s.policy_version_id
                      WHERE v.policy_id = %s AND s.settled_on >= %s AND s.settled_on < %s) persons
            ) numbered WHERE n %% %s = 0 ORDER BY id_number
            """,
            [policy_id, date(year, 1, 1), date(year + 1, 1, 1), chunk_persons],
        )
        found = [row[0] for row in cur.fetchall()]
    return [""] + found[1:] if found else [""]


def recalculation_exists(*, policy_id: int, statuses, year: int | None = None) -> bool:
    """Whether a recalculation of the policy (of ``year``, if given) is in one of ``statuses``."""
    rows = Recalculation.objects.filter(policy_version__policy_id=policy_id, status__in=[str(s) for s in statuses])
    if year is not None:
        rows = rows.filter(year=year)
    return rows.exists()


def recalculation_list(user):
    if not is_bureau_wide(user):
        return Recalculation.objects.none()
    return Recalculation.objects.select_related(
        "policy_version__policy", "created_by", "approved_by", "job", "apply_job"
    ).order_by("-created_at")


def recalculation_may_approve(user, recalculation: Recalculation) -> bool:
    """Whether ``user`` is offered the approval of this recalculation: a ready report, an approving
    role (accounts.powers), and neither its starter nor the author of its policy version."""
    return (
        recalculation.status == Recalculation.Status.READY
        and may_approve(user, Power.RECALCULATION_APPROVE)
        and user.pk not in (recalculation.created_by_id, recalculation.policy_version.created_by_id)
    )


def recalculation_diffs(recalculation: Recalculation, *, order: str = "-delta"):
    return recalculation.diffs.select_related("settlement", "settlement__institution").order_by(order, "id")


# --- figures for other apps -----------------------------------------------------------------------
# Read from the pre-aggregated monthly figures (MonthlyStat), rebuilt after every settlement import and
# applied recalculation — the only ways settlements are written. Summing the settlements themselves took
# 200–320 ms a call at 500,000 settlements a year, three calls for each fund execution page.


def fund_expenditure_by_month(*, year: int, scheme: str) -> dict[int, Decimal]:
    """Fund paid + critical-illness paid per settled month (1–12, every month present)."""
    out = {m: ZERO for m in range(1, 13)}
    rows = (
        MonthlyStat.objects.filter(year=year, scheme=scheme)
        .values("month")
        .annotate(fund=Sum("fund_paid"), critical=Sum("critical_paid"))
    )
    for row in rows:
        out[row["month"]] = (row["fund"] or ZERO) + (row["critical"] or ZERO)
    return out


def admissions_by_level(*, year: int, month_to: int, scheme: str) -> dict[int, dict]:
    """Inpatient admissions (disease and accident) settled in months 1..month_to, by hospital level:
    ``{level: {"count": int, "total_cost": Decimal, "fund_paid": Decimal}}`` (levels 1–4 always present)."""
    out = {level: {"count": 0, "total_cost": ZERO, "fund_paid": ZERO} for level in (1, 2, 3, 4)}
    rows = (
        MonthlyStat.objects.filter(year=year, month__lte=month_to, scheme=scheme, kind__in=INPATIENT_KINDS)
        .values("hospital_level")
        .annotate(count=Sum("settlements"), total_cost=Sum("total_cost"), fund_paid=Sum("fund_paid"))
    )
    for row in rows:
        out[row["hospital_level"]] = {
            "count": row["count"] or 0,
            "total_cost": row["total_cost"] or ZERO,
            "fund_paid": row["fund_paid"] or ZERO,
        }
    return out


# --- statistics (seed 003 篇8) -----------------------------------------------------------------
STAT_GROUPS = (
    ("inpatient", (Kind.INPATIENT, Kind.INPATIENT_ACCIDENT)),
    ("outpatient_general", (Kind.OUTPATIENT_GENERAL,)),
    ("outpatient_chronic", (Kind.OUTPATIENT_CHRONIC,)),
    ("outpatient_accident", (Kind.OUTPATIENT_ACCIDENT,)),
)
STAT_GROUP_LABELS = {
    "inpatient": gettext_lazy("住院（含意外伤害住院）"),
    "outpatient_general": gettext_lazy("普通门诊"),
    "outpatient_chronic": gettext_lazy("门诊慢性病"),
    "outpatient_accident": gettext_lazy("学生儿童意外伤害门诊"),
}


def _stat_rows(user, *, year: int, month_to: int, scheme: str | None, division_code: str | None):
    rows = MonthlyStat.objects.filter(year=year, month__lte=month_to)
    if scheme:
        rows = rows.filter(scheme=scheme)
    rows = rows.filter(division_code_q(user, "township_code"))
    if division_code:
        rows = rows.filter(township_code__startswith=code_scope_prefix(division_code)[:9])
    return rows


def _aggregate(rows, *fields):
    return rows.values(*fields).annotate(
        n=Sum("settlements"),
        cost=Sum("total_cost"),
        fund=Sum("fund_paid"),
        critical=Sum("critical_paid"),
    )


def _growth(now: Decimal | int, before: Decimal | int) -> str | None:
    if not before:
        return None
    return str((Decimal(now) / Decimal(before) * 100 - 100).quantize(Decimal("0.01")))


def _avg(cost, n) -> Decimal:
    return (Decimal(cost) / n).quantize(Decimal("0.01")) if n else ZERO


FIGURES = "claims"  # namespace of the cached statistics; services.monthly_stats_refresh bumps it


def settlement_stats(
    user, *, year: int, month: int | None = None, scheme: str | None = None, division_code: str | None = None
) -> dict:
    """The tables of seed 003 篇8 for ``year`` up to ``month`` (default: 12), with the same period
    of last year and the growth: settlements, admissions by hospital level, fund paid, average cost
    per admission (次均费用), general / chronic outpatient, and fund paid per month.

    Cached per user area and filters until the monthly figures are rebuilt (the only writer of
    MonthlyStat, services.monthly_stats_refresh, bumps the version)."""
    scope = repr(division_code_q(user, "township_code"))
    return cached_figures(
        FIGURES,
        ("stats", scope, year, month, scheme or "", division_code or ""),
        lambda: _settlement_stats_live(user, year=year, month=month, scheme=scheme, division_code=division_code),
    )


def _settlement_stats_live(
    user, *, year: int, month: int | None = None, scheme: str | None = None, division_code: str | None = None
) -> dict:
    month_to = month or 12
    now = _stat_rows(user, year=year, month_to=month_to, scheme=scheme, division_code=division_code)
    before = _stat_rows(user, year=year - 1, month_to=month_to, scheme=scheme, division_code=division_code)
    group_of = {k: g for g, kinds in STAT_GROUPS for k in kinds}

    def by_group_level(rows):
        out = {}
        for r in _aggregate(rows, "kind", "hospital_level"):
            key = (group_of[r["kind"]], r["hospital_level"])
            cur = out.setdefault(key, [0, ZERO, ZERO, ZERO])
            cur[0] += r["n"] or 0
            cur[1] += r["cost"] or ZERO
            cur[2] += r["fund"] or ZERO
            cur[3] += r["critical"] or ZERO
        return out

    cur, prev = by_group_level(now), by_group_level(before)

    def line(values, prev_values, **extra):
        n, cost, fund, critical = values
        pn, pcost, pfund, _pcrit = prev_values
        return {
            **extra,
            "count": n,
            "total_cost": str(cost),
            "fund_paid": str(fund),
            "critical_paid": str(critical),
            "average_cost": str(_avg(cost, n)),
            "last_year_count": pn,
            "last_year_fund_paid": str(pfund),
            "last_year_average_cost": str(_avg(pcost, pn)),
            "count_growth": _growth(n, pn),
            "fund_growth": _growth(fund, pfund),
        }

    empty = [0, ZERO, ZERO, ZERO]

    def summed(d, group):
        tot = [0, ZERO, ZERO, ZERO]
        for (g, _level), vals in d.items():
            if g == group:
                tot = [a + b for a, b in zip(tot, vals, strict=True)]
        return tot

    groups = []
    for group, _kinds in STAT_GROUPS:
        levels = [
            line(cur.get((group, level), empty), prev.get((group, level), empty), hospital_level=level)
            for level in (1, 2, 3, 4)
        ]
        groups.append({"group": group, "levels": levels, "total": line(summed(cur, group), summed(prev, group))})
    all_cur = [sum((v[i] for v in cur.values()), 0 if i == 0 else ZERO) for i in range(4)]
    all_prev = [sum((v[i] for v in prev.values()), 0 if i == 0 else ZERO) for i in range(4)]

    months = []
    cur_m = {r["month"]: r for r in _aggregate(now, "month")}
    prev_m = {r["month"]: r for r in _aggregate(before, "month")}
    for m in range(1, month_to + 1):
        c, p = cur_m.get(m, {}), prev_m.get(m, {})
        months.append(
            {
                "month": m,
                "count": c.get("n") or 0,
                "fund_paid": str((c.get("fund") or ZERO) + (c.get("critical") or ZERO)),
                "last_year_fund_paid": str((p.get("fund") or ZERO) + (p.get("critical") or ZERO)),
            }
        )
    return {
        "year": year,
        "month": month_to,
        "scheme": scheme or "",
        "division": division_code or "",
        "total": line(all_cur, all_prev),
        "groups": groups,
        "months": months,
    }


# --- entitlement (待遇资格) ------------------------------------------------------------------------


def _period(start, end, revoked=None) -> rules_eligibility.Period:
    """A register's period, ended the day before a revocation."""
    if revoked is not None:
        last = revoked - timedelta(days=1)
        end = last if end is None or last < end else end
    return rules_eligibility.Period(start, end)


def eligibility_records(id_numbers, *, up_to: date) -> dict[str, tuple[int, rules_eligibility.Records]]:
    """The registry's and the registers' records of these persons up to a date (``{id_number: (resident
    pk, Records)}``), one query per kind of record whatever the number of persons: residents, yearly
    statuses, payments, registered diseases, remote-care filings, stops (categories are on the resident).
    Persons not in the registry are absent. The pure rule then answers for any date up to ``up_to``."""
    from enrollment.models import CoverStop, InsuranceStatus, Payment, Resident

    people = {
        r["id"]: r
        for r in Resident.objects.filter(id_number__in=set(id_numbers)).values(
            "id", "id_number", "birth_date", "deceased_on", "special_category", "subsidy_payer"
        )
    }
    if not people:
        return {}
    ids = list(people)
    years: dict[int, dict[int, dict]] = {pk: {} for pk in ids}
    for s in InsuranceStatus.objects.filter(resident_id__in=ids, year__lte=up_to.year).values(
        "resident_id", "year", "status"
    ):
        years[s["resident_id"]][s["year"]] = {"status": s["status"]}
    # a year's payment that bought cover: the earliest cover start (a second payment buys nothing more)
    for p in (
        Payment.objects.filter(resident_id__in=ids, year__lte=up_to.year)
        .order_by("resident_id", "year", "cover_start", "paid_on")
        .values("resident_id", "year", "kind", "paid_on", "cover_start")
    ):
        row = years[p["resident_id"]].setdefault(p["year"], {"status": "none"})
        row.setdefault("payment", p)
    started = Q(valid_from__lte=up_to)
    diseases: dict[int, list] = {pk: [] for pk in ids}
    for d in DiseaseRegistration.objects.filter(started, resident_id__in=ids).values(
        "resident_id", "disease", "kind", "valid_from", "valid_to", "revoked_on"
    ):
        diseases[d["resident_id"]].append(
            rules_eligibility.DiseaseRegistration(
                d["disease"], d["kind"], _period(d["valid_from"], d["valid_to"], d["revoked_on"])
            )
        )
    filings: dict[int, list] = {pk: [] for pk in ids}
    for f in RemoteCareFiling.objects.filter(started, resident_id__in=ids).values(
        "resident_id", "kind", "valid_from", "valid_to", "revoked_on"
    ):
        filings[f["resident_id"]].append(
            rules_eligibility.RemoteFiling(f["kind"], _period(f["valid_from"], f["valid_to"], f["revoked_on"]))
        )
    stops: dict[int, list] = {pk: [] for pk in ids}
    for s in CoverStop.objects.filter(stopped_on__lte=up_to, resident_id__in=ids).values(
        "resident_id", "stopped_on", "resumed_on"
    ):
        end = s["resumed_on"] - timedelta(days=1) if s["resumed_on"] else None
        stops[s["resident_id"]].append(rules_eligibility.Period(s["stopped_on"], end))

    out = {}
    for pk, r in people.items():
        cover_years = []
        for year, row in sorted(years[pk].items()):
            pay = row.get("payment") or {}
            cover_years.append(
                rules_eligibility.CoverYear(
                    year, row["status"], pay.get("kind", ""), pay.get("paid_on"), pay.get("cover_start")
                )
            )
        categories = ()
        if r["special_category"]:
            categories = (
                rules_eligibility.Category(
                    r["special_category"], r["subsidy_payer"], rules_eligibility.Period(r["birth_date"])
                ),
            )
        out[r["id_number"]] = (
            pk,
            rules_eligibility.Records(
                birth_date=r["birth_date"],
                deceased_on=r["deceased_on"],
                years=tuple(cover_years),
                categories=categories,
                diseases=tuple(diseases[pk]),
                filings=tuple(filings[pk]),
                stops=tuple(stops[pk]),
            ),
        )
    return out


def eligibility_many(id_numbers, *, on: date) -> dict[str, tuple[int | None, rules_eligibility.Eligibility]]:
    """``{id_number: (resident pk or None, Eligibility)}`` for every number asked, on one date."""
    found = eligibility_records(id_numbers, up_to=on)
    answers = {}
    for number in id_numbers:
        rec = found.get(number)
        if rec is None:
            answers[number] = (None, rules_eligibility.not_in_registry(on))
        else:
            answers[number] = (rec[0], rules_eligibility.eligibility(rec[1], on))
    return answers


def entitled_visits(visits) -> list[tuple[object, tuple]]:
    """Each engine visit with the registry's values for its person on its date, and the declared values
    that differ (``claims.rules.eligibility.entitled_visit``); the records are read once for all."""
    visits = list(visits)
    if not visits:
        return []
    found = eligibility_records({v.person_id for v in visits}, up_to=max(v.date for v in visits))
    out = []
    for v in visits:
        rec = found.get(v.person_id)
        e = rules_eligibility.eligibility(rec[1], v.date) if rec else rules_eligibility.not_in_registry(v.date)
        out.append(rules_eligibility.entitled_visit(v, e))
    return out
