"""Every read of the replies app: pages, API, tasks and stats. Scoped to the user's area."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy

from medinsure.accounts import scoping
from medinsure.accounts.scoping import Area
from replies.models import (
    Commitment,
    HolidayDay,
    HolidayYear,
    LetterVersion,
    Proposal,
    PublishedReply,
    Receipt,
    Reminder,
    Section,
    Status,
)
from replies.rules import deadlines
from replies.rules.calendar import ComputedDate, HolidaySchedule
from replies.rules.letters import CommitmentDraft, LetterDraft, SectionDraft, sign_off_problems
from replies.rules.stats import rate
from replies.rules.status import OPEN_STATUSES


def holiday_schedule() -> HolidaySchedule:
    """The holiday schedule as the rules want it: two queries."""
    years = frozenset(HolidayYear.objects.values_list("year", flat=True))
    holidays, workdays = set(), set()
    for day, kind in HolidayDay.objects.values_list("day", "kind"):
        (workdays if kind == HolidayDay.Kind.WORKDAY else holidays).add(day)
    return HolidaySchedule(years=years, holidays=frozenset(holidays), makeup_workdays=frozenset(workdays))


# --- due dates -----------------------------------------------------------------------------------------
def deadline_policy(kind: str, year: int | None = None) -> deadlines.DeadlinePolicy:
    """Deadlines per body and per year: settings.REPLIES_DEADLINES = {"cppcc": {...}, "cppcc:2027": {...}}
    override the domain page's defaults (e.g. {"cppcc": {"reply_months": 2}} for a CPPCC with a
    shorter cycle); a "<kind>:<year>" entry applies to items assigned in that year."""
    configured = getattr(settings, "REPLIES_DEADLINES", {})
    overrides = {**configured.get(kind, {}), **(configured.get(f"{kind}:{year}", {}) if year else {})}
    return deadlines.policy_from(overrides)


def compute_due(proposal: Proposal, schedule: HolidaySchedule) -> ComputedDate:
    return deadlines.case_due(
        proposal.clock_start,
        round_=proposal.round,
        urgent=proposal.urgent,
        hard=proposal.hard,
        co_handler=proposal.handler_role == "co",
        schedule=schedule,
        policy=deadline_policy(proposal.kind, proposal.assigned_on.year),
    )


# --- a letter's sign-off check and its published text ---------------------------------------------------
PROBLEM_MESSAGES = {
    "empty": gettext_lazy("不能为空"),
    "invalid": gettext_lazy("取值无效"),
    "required_for_b": gettext_lazy("B类答复须附承诺事项列表"),
}


def _classes() -> tuple[str, ...]:
    return tuple(getattr(settings, "REPLIES_CLASSES", ("A", "B", "C")))


def _draft_of(version: LetterVersion) -> LetterDraft:
    proposal = version.letter.proposal
    return LetterDraft(
        sections=tuple(SectionDraft(s.heading, s.body) for s in version.sections.order_by("order")),
        classification=version.classification,
        publication=version.publication,
        document_number=version.document_number,
        contact_person=version.contact_person,
        contact_phone=version.contact_phone,
        commitments=tuple(
            CommitmentDraft(c.content, c.due_text, c.unit) for c in proposal.commitments.order_by("number")
        ),
    )


def sign_off_messages(version: LetterVersion) -> dict[str, str]:
    problems = sign_off_problems(_draft_of(version), classes=_classes())
    return {p.field: str(PROBLEM_MESSAGES.get(p.code, p.code)) for p in problems}


def published_text(version: LetterVersion, commitments: list[dict]) -> str:
    from replies.documents import letter_plain_text

    return letter_plain_text(version, commitments, for_publication=True)


def holiday_year_list() -> QuerySet[HolidayYear]:
    return HolidayYear.objects.annotate(
        holiday_count=Count("days", filter=Q(days__kind=HolidayDay.Kind.HOLIDAY)),
        workday_count=Count("days", filter=Q(days__kind=HolidayDay.Kind.WORKDAY)),
    ).order_by("-year")


def holiday_year_initial(year: int) -> dict:
    """A year's schedule as the edit form's text (one date a line), to correct or extend it."""
    hy = HolidayYear.objects.filter(year=year).first()
    days = list(HolidayDay.objects.filter(day__year=year).order_by("day").values_list("day", "kind", "name"))
    return {
        "year": year,
        "note": hy.note if hy else "",
        "holidays": "\n".join(f"{d.isoformat()} {n}".strip() for d, k, n in days if k == HolidayDay.Kind.HOLIDAY),
        "workdays": "\n".join(d.isoformat() for d, k, _n in days if k == HolidayDay.Kind.WORKDAY),
    }


def holiday_years_with_days() -> QuerySet[HolidayYear]:
    return HolidayYear.objects.prefetch_related(Prefetch("days", queryset=HolidayDay.objects.order_by("day"))).order_by(
        "-year"
    )


def _visible(user) -> Q:
    """Cases are bureau business: the replies area sees every case; nobody else sees any."""
    return Q() if scoping.has_area(user, Area.REPLIES) else Q(pk__in=[])


def proposal_list(
    user,
    *,
    status: str | None = None,
    kind: str | None = None,
    year: int | None = None,
    open_only: bool = False,
) -> QuerySet[Proposal]:
    """Cases sorted by due date (the most pressing first)."""
    qs = Proposal.objects.filter(_visible(user)).select_related("drafter", "department_head")
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(assigned_on__year=year)
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    return qs.order_by("due_on", "id")


def proposal_get(user, pk: int) -> Proposal | None:
    return (
        Proposal.objects.filter(_visible(user), pk=pk)
        .select_related("drafter", "department_head", "created_by")
        .prefetch_related("contacts", "opinions", "commitments__progress", "receipts")
        .first()
    )


def letter_versions(proposal: Proposal) -> QuerySet[LetterVersion]:
    return (
        LetterVersion.objects.filter(letter__proposal=proposal)
        .select_related("letter", "signed_by")
        .order_by("letter__round", "number")
    )


def current_version(proposal: Proposal, round_: int | None = None) -> LetterVersion | None:
    return (
        LetterVersion.objects.filter(letter__proposal=proposal, letter__round=round_ or proposal.round)
        .select_related("letter__proposal", "signed_by")
        .order_by("-number")
        .first()
    )


def version_detail(user, pk: int) -> LetterVersion | None:
    return (
        LetterVersion.objects.filter(pk=pk, letter__proposal__in=Proposal.objects.filter(_visible(user)))
        .select_related("letter__proposal", "signed_by")
        .prefetch_related(Prefetch("sections", queryset=Section.objects.prefetch_related("figures")))
        .first()
    )


def section_get(user, pk: int) -> Section | None:
    return (
        Section.objects.filter(pk=pk, version__letter__proposal__in=Proposal.objects.filter(_visible(user)))
        .select_related("version")
        .first()
    )


def commitment_get(user, proposal_id: int, pk: int) -> Commitment | None:
    return Commitment.objects.filter(
        proposal__in=Proposal.objects.filter(_visible(user)), proposal_id=proposal_id, pk=pk
    ).first()


def version_commitments(version: LetterVersion) -> list[dict]:
    """The attachment: frozen at sign-off, live while the letter is a draft."""
    if version.locked:
        return list(version.commitments_snapshot)
    return [
        c.as_snapshot() for c in Commitment.objects.filter(proposal_id=version.letter.proposal_id).order_by("number")
    ]


def published_list() -> QuerySet[PublishedReply]:
    """Public: every published reply (already redacted)."""
    return PublishedReply.objects.select_related("version__letter__proposal").order_by("-published_at")


def published_get(pk: int) -> PublishedReply | None:
    return published_list().filter(pk=pk).first()


def published_feedback(published: PublishedReply) -> QuerySet[Receipt]:
    """The proposer's opinion of a published reply (the opinion only: reasons may be private)."""
    letter = published.version.letter
    return Receipt.objects.filter(proposal_id=letter.proposal_id, round=letter.round).only(
        "opinion", "received_on", "round"
    )


def reminder_list(user, *, unread_only: bool = False) -> QuerySet[Reminder]:
    qs = Reminder.objects.filter(recipient=user).select_related("proposal", "commitment")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at")


def commitment_list(user, *, open_only: bool = False) -> QuerySet[Commitment]:
    qs = Commitment.objects.filter(proposal__in=Proposal.objects.filter(_visible(user))).select_related("proposal")
    if open_only:
        qs = qs.filter(state=Commitment.State.OPEN)
    return qs.order_by("due_on", "proposal_id", "number")


def case_clocks(proposal: Proposal, schedule: HolidaySchedule | None = None) -> list[dict]:
    """The other clocks of a case, from the domain page: co-handler opinion (1 month), return of a
    wrongly assigned item (10 working days), the proposer's feedback (15 working days) and publication
    (20 working days) after the reply."""
    from replies.rules import deadlines

    schedule = schedule or holiday_schedule()
    clocks = []

    def add(key, label, computed):
        clocks.append({"key": key, "label": label, "on": computed.on, "provisional": computed.provisional})

    from django.utils.translation import gettext as _

    if proposal.status in (Status.REGISTERED, Status.HANDLING) and proposal.round == 1:
        add("return", _("交办不当的退回期限"), deadlines.return_due(proposal.assigned_on, schedule=schedule))
        add("co_handler", _("协办意见期限"), deadlines.co_handler_opinion_due(proposal.assigned_on, schedule=schedule))
    if proposal.replied_on:
        add("feedback", _("回执反馈期限"), deadlines.feedback_due(proposal.replied_on, schedule=schedule))
        add("publish", _("网上公开期限"), deadlines.publish_due(proposal.replied_on, schedule=schedule))
    return clocks


def replies_stats(user, *, year: int) -> dict:
    """Counts by kind and status, on-time rate, satisfaction rate, commitments open and done.

    Fixed number of queries (three), whatever the number of cases. Statistics are read by the
    replies area and by the roles that read every statistic (leaders, API clients).
    """
    if not scoping.can_read_stats(user, Area.REPLIES):
        base = Proposal.objects.none()
    else:
        base = Proposal.objects.filter(assigned_on__year=year)
    by = {}
    for row in base.values("kind", "status").annotate(n=Count("id")).order_by():
        by.setdefault(row["kind"], {})[row["status"]] = row["n"]
    totals = base.aggregate(
        total=Count("id"),
        replied=Count("id", filter=Q(replied_on__isnull=False)),
        on_time=Count("id", filter=Q(replied_on__isnull=False, overdue=False)),
        overdue_open=Count("id", filter=Q(overdue=True, status__in=OPEN_STATUSES)),
    )
    receipts = Receipt.objects.filter(proposal__in=base).aggregate(
        total=Count("id"),
        satisfied=Count("id", filter=Q(opinion=Receipt.Opinion.SATISFIED)),
        basic=Count("id", filter=Q(opinion=Receipt.Opinion.BASIC)),
        unsatisfied=Count("id", filter=Q(opinion=Receipt.Opinion.UNSATISFIED)),
    )
    commitments = Commitment.objects.filter(proposal__in=base).aggregate(
        open=Count("id", filter=Q(state=Commitment.State.OPEN)),
        done=Count("id", filter=Q(state=Commitment.State.DONE)),
    )
    from replies.models import Kind

    return {
        "year": year,
        "total": totals["total"],
        "by_kind": [
            {
                "kind": k.value,
                "label": str(k.label),
                "total": sum(by.get(k.value, {}).values()),
                "by_status": {s.value: by.get(k.value, {}).get(s.value, 0) for s in Status},
            }
            for k in Kind
        ],
        "replied": totals["replied"],
        "on_time": totals["on_time"],
        "on_time_rate": rate(totals["on_time"], totals["replied"]),
        "overdue_open": totals["overdue_open"],
        "receipts": receipts,
        "satisfaction_rate": rate(receipts["satisfied"] + receipts["basic"], receipts["total"]),
        "commitments_open": commitments["open"],
        "commitments_done": commitments["done"],
    }


def open_cases_for_reminders() -> QuerySet[Proposal]:
    return Proposal.objects.filter(status__in=OPEN_STATUSES).select_related("drafter", "department_head")


def open_commitments_for_reminders() -> QuerySet[Commitment]:
    return Commitment.objects.filter(state=Commitment.State.OPEN, due_on__isnull=False).select_related(
        "proposal__drafter", "proposal__department_head"
    )


def sent_levels(proposal_ids: list[int]) -> dict[tuple[int, int | None, int], set[str]]:
    out: dict = {}
    for pid, cid, rnd, level in Reminder.objects.filter(proposal_id__in=proposal_ids).values_list(
        "proposal_id", "commitment_id", "round", "level"
    ):
        out.setdefault((pid, cid, rnd), set()).add(level)
    return out


def today_in(as_of: date | None = None) -> date:
    from django.utils import timezone

    return as_of or timezone.localdate()
