"""Entitlement (待遇资格) of one person on one date, from the portal's own records.

Pure: the selector reads the registry (yearly status, payments with the cover they bought) and the
registers (special categories, registered chronic and special diseases, remote-care filings, stopped
cover) into the frozen records below, and :func:`eligibility` answers for a date. The engine's callers
take tier, continuous years, categories and diseases from the answer, never from a settlement file.

The one reading of each rule:

- Insured on a date: the person's status for the date's contribution year is resident tier 1/2 or
  employee insurance, and the date is on or after the cover start of that year's payment. A year with
  a status but no payment recorded (employee insurance, a department's list) is covered from 1 January.
- Waiting period (待遇等待期): a late payment (补缴) or a newborn enrolled after the grace months buys cover
  from three months after payment (``enrollment.rules.cover`` computes the start and the payment keeps it).
  A date between the payment and the cover start is *in the waiting period*: not paid by the fund, and
  the answer says until when. A date before the payment is simply not insured.
- Newborns enrolled in the birth year or within six months are covered from birth (their payment's cover
  start is the birth date), so a visit before the payment is covered once the payment is recorded.
- Stopped cover (停保) from its date until it is resumed: not paid. Death: not insured after the date.
- Continuous years (连续参保年限): consecutive contribution years ending with the date's year in which the
  person was insured (resident or employee); 0 when not insured in the date's year.
- Categories, registered diseases and remote-care filings count when their period holds the date
  (``end`` None = open). ``poor`` (建档立卡) is the category the health poverty relief pays on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from claims.rules.messages import Message, gettext_noop

INSURED_STATUSES = {"tier1": ("resident", 1), "tier2": ("resident", 2), "employee": ("employee", 1)}
WAITING_KINDS = frozenset({"late", "newborn_late"})
POOR_CATEGORY = "jiandang"  # 建档立卡贫困人口


def cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@dataclass(frozen=True)
class Period:
    start: date
    end: date | None = None  # inclusive; None = open

    def holds(self, on: date) -> bool:
        return self.start <= on and (self.end is None or on <= self.end)


@dataclass(frozen=True)
class CoverYear:
    """One contribution year of the registry: the yearly status and, if any, the payment's cover."""

    year: int
    status: str  # tier1 | tier2 | employee | elsewhere | none
    payment_kind: str = ""  # on_time | late | newborn | newborn_late | subsidised | "" (no payment)
    paid_on: date | None = None
    cover_start: date | None = None


@dataclass(frozen=True)
class Category:
    code: str  # tekun | dibao | jiandang | relapse_risk | …
    payer: str
    period: Period


@dataclass(frozen=True)
class DiseaseRegistration:
    disease: str  # the register's disease name, as the policy's disease groups name it
    kind: str  # chronic | special
    period: Period


@dataclass(frozen=True)
class RemoteFiling:
    kind: str  # living | working | referral | emergency
    period: Period


@dataclass(frozen=True)
class Records:
    birth_date: date
    deceased_on: date | None = None
    years: tuple[CoverYear, ...] = ()
    categories: tuple[Category, ...] = ()
    diseases: tuple[DiseaseRegistration, ...] = ()
    filings: tuple[RemoteFiling, ...] = ()
    stops: tuple[Period, ...] = ()


@dataclass(frozen=True)
class Eligibility:
    on: date
    insured: bool  # has cover in force on the date (waiting period and stopped cover excluded)
    scheme: str  # resident | employee | "" (not insured)
    tier: int | None
    cover_start: date | None
    waiting_until: date | None  # last day of the waiting period, when the date falls in it
    stopped: bool
    continuous_years: int
    categories: tuple[str, ...]
    diseases: tuple[str, ...]
    filings: tuple[str, ...]
    reasons: tuple[Message, ...]

    @property
    def poor(self) -> bool:
        return POOR_CATEGORY in self.categories

    def registered(self, disease: str) -> bool:
        return bool(disease) and disease in self.diseases

    @property
    def remote_filed(self) -> bool:
        return bool(self.filings)


def _continuous_years(by_year: dict[int, CoverYear], year: int) -> int:
    n = 0
    while (row := by_year.get(year - n)) is not None and row.status in INSURED_STATUSES:
        n += 1
    return n


def eligibility(records: Records, on: date) -> Eligibility:
    by_year = {row.year: row for row in records.years}
    row = by_year.get(on.year)
    reasons: list[Message] = []
    scheme, tier, start, waiting_until, insured = "", None, None, None, False
    day = cn_date(on)

    if records.deceased_on is not None and on > records.deceased_on:
        reasons.append(
            Message.of(gettext_noop("%(on)s 已死亡（%(d)s），无参保待遇"), on=day, d=cn_date(records.deceased_on))
        )
    elif on < records.birth_date:
        reasons.append(Message.of(gettext_noop("%(on)s 尚未出生"), on=day))
    elif row is None or row.status not in INSURED_STATUSES:
        if row is not None and row.status == "elsewhere":
            reasons.append(Message.of(gettext_noop("%(y)s 年度在外地参保，不享受本地待遇"), y=on.year))
        else:
            reasons.append(Message.of(gettext_noop("%(y)s 年度未参保"), y=on.year))
    else:
        scheme, tier = INSURED_STATUSES[row.status]
        start = row.cover_start or date(on.year, 1, 1)
        if on >= start:
            insured = True
            reasons.append(Message.of(gettext_noop("%(on)s 在参保期内，待遇自 %(s)s 起"), on=day, s=cn_date(start)))
        elif row.payment_kind in WAITING_KINDS and row.paid_on is not None and on >= row.paid_on:
            waiting_until = start - timedelta(days=1)
            reasons.append(
                Message.of(gettext_noop("%(on)s 在待遇等待期内，等待期至 %(w)s"), on=day, w=cn_date(waiting_until))
            )
        elif row.paid_on is not None and on < row.paid_on:
            reasons.append(
                Message.of(
                    gettext_noop("%(on)s 尚未缴费（%(p)s 缴费），待遇自 %(s)s 起"),
                    on=day,
                    p=cn_date(row.paid_on),
                    s=cn_date(start),
                )
            )
        else:
            reasons.append(Message.of(gettext_noop("%(on)s 不在待遇期内，待遇自 %(s)s 起"), on=day, s=cn_date(start)))

    stopped = any(p.holds(on) for p in records.stops)
    if stopped and insured:
        insured = False
        reasons.append(Message.of(gettext_noop("%(on)s 已停保"), on=day))

    categories = tuple(sorted({c.code for c in records.categories if c.period.holds(on)}))
    diseases = tuple(sorted({d.disease for d in records.diseases if d.period.holds(on)}))
    filings = tuple(sorted({f.kind for f in records.filings if f.period.holds(on)}))
    continuous = _continuous_years(by_year, on.year) if scheme else 0
    return Eligibility(
        on=on,
        insured=insured,
        scheme=scheme,
        tier=tier,
        cover_start=start,
        waiting_until=waiting_until,
        stopped=stopped,
        continuous_years=continuous,
        categories=categories,
        diseases=diseases,
        filings=filings,
        reasons=tuple(reasons),
    )


def not_in_registry(on: date) -> Eligibility:
    """The answer for a number the registry does not hold: not insured here."""
    return Eligibility(
        on=on,
        insured=False,
        scheme="",
        tier=None,
        cover_start=None,
        waiting_until=None,
        stopped=False,
        continuous_years=0,
        categories=(),
        diseases=(),
        filings=(),
        reasons=(Message.of(gettext_noop("不在本区参保登记库中")),),
    )


# --- the engine's visit from the registry --------------------------------------------------------

CHRONIC_KINDS = frozenset({"outpatient_chronic"})


@dataclass(frozen=True)
class Finding:
    """A value a settlement file declared that the registry does not hold (a row-level finding)."""

    field: str  # tier | continuous_years | poor | disease | group
    declared: str
    registry: str
    message: Message


def entitled_visit(visit, e: Eligibility):
    """The engine's visit with tier, continuous years, scheme, 建档立卡, the registered disease and the
    remote-care filing taken from the registry's answer ``e`` for the visit's date, and the declared values
    that differ.

    Returns ``(visit, findings)``. A visit on a date without cover (or in the waiting period, or while
    cover is stopped) carries ``not_entitled``: the fund pays nothing and the reason leads the explanation.
    A chronic-outpatient visit for a disease not registered on that date is not paid at the chronic
    ratio (not entitled); on any other visit an unregistered disease is dropped (paid as an ordinary visit).
    """
    from dataclasses import replace

    findings: list[Finding] = []

    def differs(field: str, declared, registry, msgid: str) -> None:
        if declared != registry:
            findings.append(
                Finding(
                    field,
                    str(declared),
                    str(registry),
                    Message.of(msgid, declared=str(declared), registry=str(registry)),
                )
            )

    tier = e.tier or 1
    group = e.scheme or visit.group
    poor = e.poor
    if e.scheme:
        differs("group", visit.group, group, gettext_noop("人群：文件为 %(declared)s，参保库为 %(registry)s"))
        differs("tier", visit.tier, tier, gettext_noop("缴费档次：文件为 %(declared)s，参保库为 %(registry)s"))
    differs(
        "continuous_years",
        visit.continuous_years,
        e.continuous_years,
        gettext_noop("连续参保年数：文件为 %(declared)s，参保库为 %(registry)s"),
    )
    differs("poor", visit.poor, poor, gettext_noop("建档立卡：文件为 %(declared)s，参保库为 %(registry)s"))
    disease = visit.disease.strip()
    not_entitled = None
    if not e.insured:
        not_entitled = e.reasons[-1] if e.reasons else Message.of(gettext_noop("无参保待遇"))
    elif disease and not e.registered(disease):
        findings.append(
            Finding(
                "disease",
                disease,
                "",
                Message.of(gettext_noop("病种 %(declared)s 未在本人慢特病备案中"), declared=disease),
            )
        )
        if visit.kind in CHRONIC_KINDS:
            not_entitled = Message.of(
                gettext_noop("病种 %(disease)s 未在本人慢特病备案中，不享受门诊慢特病待遇"), disease=disease
            )
        disease = ""
    return (
        replace(
            visit,
            group=group,
            tier=tier,
            continuous_years=e.continuous_years,
            poor=poor,
            disease=disease,
            not_entitled=not_entitled,
            filed=e.remote_filed,
            categories=e.categories,
        ),
        tuple(findings),
    )
