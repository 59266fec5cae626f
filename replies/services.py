"""Every write of the replies app: one transaction, row locks, an audit row, Celery on commit."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from medinsure.accounts.models import Role
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.celery import enqueue_on_commit
from replies import selectors
from replies.documents import chinese
from replies.models import (
    CoHandlerOpinion,
    Commitment,
    CommitmentProgress,
    ContactLog,
    FrozenFigure,
    HolidayDay,
    HolidayYear,
    Letter,
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
from replies.rules.redaction import redact
from replies.rules.status import OPEN_STATUSES, Action, TransitionError, next_status, receipt_outcome

PROBLEM_MESSAGES = {
    "empty": gettext_lazy("不能为空"),
    "invalid": gettext_lazy("取值无效"),
    "required_for_b": gettext_lazy("B类答复须附承诺事项列表"),
}


FIELD_LABELS = {
    "sections": gettext_lazy("段落"),
    "body": gettext_lazy("正文"),
    "classification": gettext_lazy("答复类别"),
    "publication": gettext_lazy("公开属性"),
    "document_number": gettext_lazy("文号"),
    "contact_person": gettext_lazy("联系人"),
    "contact_phone": gettext_lazy("联系电话"),
    "commitments": gettext_lazy("承诺事项列表"),
    "content": gettext_lazy("承诺事项具体内容"),
    "due_text": gettext_lazy("承诺落实时间"),
    "unit": gettext_lazy("责任单位"),
    "status": gettext_lazy("状态"),
    "version": gettext_lazy("答复函"),
    "number": gettext_lazy("编号"),
    "proposers": gettext_lazy("提出人"),
    "lead_unit": gettext_lazy("主办单位"),
    "reasons": gettext_lazy("具体理由"),
    "reason": gettext_lazy("退回理由"),
    "drafter": gettext_lazy("承办人"),
    "sent_on": gettext_lazy("送达日期"),
    "received_on": gettext_lazy("收到日期"),
    "department_head": gettext_lazy("科室负责人"),
    "opinion": gettext_lazy("意见"),
    "note": gettext_lazy("进展"),
    "days": gettext_lazy("日期"),
    "source": gettext_lazy("数据来源"),
    "year": gettext_lazy("年度"),
    "month": gettext_lazy("月份"),
    "fund": gettext_lazy("基金"),
    "level": gettext_lazy("层级"),
    "code": gettext_lazy("政策编码"),
}


def field_label(field: str) -> str:
    """The Chinese name of an error's field: "sections[1].body" → "第2段 正文"."""
    import re

    m = re.fullmatch(r"(sections|commitments)\[(\d+)\]\.(\w+)", field)
    if m:
        n = int(m.group(2)) + 1
        head = _("第%(n)s段") % {"n": n} if m.group(1) == "sections" else _("承诺事项%(n)s") % {"n": n}
        return f"{head} {FIELD_LABELS.get(m.group(3), m.group(3))}"
    return str(FIELD_LABELS.get(field, field))


def _classes() -> tuple[str, ...]:
    return tuple(getattr(settings, "REPLIES_CLASSES", ("A", "B", "C")))


@chinese
def _issuing_office() -> str:
    return getattr(settings, "REPLIES_ISSUING_OFFICE", "") or _("区医疗保障局")


def _audit(actor, obj, summary: str, action=AuditLog.Action.CHANGE) -> None:
    audit_log(
        actor=actor,
        action=action,
        object_type=f"replies.{type(obj).__name__.lower()}",
        object_id=obj.pk,
        summary=summary,
    )


def _lock(proposal_id: int) -> Proposal:
    return Proposal.objects.select_for_update().get(pk=proposal_id)


def _transition(proposal: Proposal, action: str) -> None:
    try:
        proposal.status = next_status(proposal.status, action)
    except TransitionError:
        raise ValidationError(
            {"status": _("当前状态“%(status)s”不能进行此操作") % {"status": proposal.get_status_display()}}
        ) from None


def _apply_due(proposal: Proposal, due: ComputedDate) -> None:
    proposal.due_on = due.on
    proposal.due_provisional = due.provisional
    proposal.provisional_years = list(due.provisional_years)


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


def _check_handlers(drafter, department_head) -> None:
    """Reminders go to the drafter and the head: both must be able to open the case."""
    from medinsure.accounts.scoping import Area, has_area

    for name, person in (("drafter", drafter), ("department_head", department_head)):
        if person is not None and not has_area(person, Area.REPLIES):
            raise ValidationError({name: _("此人无权使用建议提案办理，收不到提醒")})


# --- cases ---------------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def proposal_register(
    *,
    actor,
    kind: str,
    session: str,
    number: str,
    title: str,
    proposers: list[str],
    assigned_on: date,
    urgent: bool = False,
    hard: bool = False,
    handler_role: str = "lead",
    lead_unit: str = "",
    department: str = "",
    drafter=None,
    department_head=None,
) -> Proposal:
    _check_handlers(drafter, department_head)
    proposers = [p.strip() for p in proposers if p and p.strip()]
    if not proposers:
        raise ValidationError({"proposers": _("至少填写一名提出人")})
    if handler_role == "co" and not lead_unit.strip():
        raise ValidationError({"lead_unit": _("我局为协办单位时须填写主办单位")})
    if not 2000 <= assigned_on.year <= 2100:
        # A year like 0282 has no holiday calendar and no four-digit ISO date: refuse it here.
        raise ValidationError({"assigned_on": _("交办日期须在 2000 年至 2100 年之间")})
    if Proposal.objects.filter(kind=kind, session=session, number=number).exists():
        raise ValidationError({"number": _("该会议已登记此编号的建议提案")})
    proposal = Proposal(
        kind=kind,
        session=session.strip(),
        number=number.strip(),
        title=title.strip(),
        proposers=proposers,
        assigned_on=assigned_on,
        clock_start=assigned_on,
        urgent=urgent,
        hard=hard,
        handler_role=handler_role,
        lead_unit=lead_unit,
        department=department,
        drafter=drafter,
        department_head=department_head,
        created_by=actor,
    )
    _apply_due(proposal, compute_due(proposal, selectors.holiday_schedule()))
    if drafter is not None:
        _transition(proposal, Action.START)
    proposal.full_clean(validate_constraints=False)  # the database checks them; a clash is answered on "number"
    try:
        with transaction.atomic():
            proposal.save()
    except IntegrityError as exc:
        if "replies_proposal_unique_number" not in str(exc):
            raise
        raise ValidationError({"number": _("该会议已登记此编号的建议提案")}) from None
    _audit(actor, proposal, f"登记 {proposal}")
    return proposal


@transaction.atomic(durable=True)
def proposals_import(*, actor, rows) -> dict:
    """Accept a validated list: one bulk write; numbers already registered are left as they are, so
    the same file accepted twice changes nothing the second time."""
    from replies.rules.intake import IntakeRow

    rows = [r for r in rows if isinstance(r, IntakeRow)]
    keys = {(r.kind, r.session, r.number) for r in rows}
    existing = set(Proposal.objects.filter(number__in={k[2] for k in keys}).values_list("kind", "session", "number"))
    schedule = selectors.holiday_schedule()
    new, seen = [], set(existing)
    for r in rows:
        if r.key in seen:  # registered already, or repeated in the file (the first row wins)
            continue
        seen.add(r.key)
        p = Proposal(
            kind=r.kind,
            session=r.session,
            number=r.number,
            title=r.title,
            proposers=list(r.proposers),
            assigned_on=r.assigned_on,
            clock_start=r.assigned_on,
            urgent=r.urgent,
            hard=r.hard,
            created_by=actor,
        )
        _apply_due(p, compute_due(p, schedule))
        new.append(p)
    Proposal.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    # count what was really written: a row another import registered meanwhile was skipped by the conflict
    numbers = {k[2] for k in keys}
    now_there = set(Proposal.objects.filter(number__in=numbers).values_list("kind", "session", "number")) & keys
    created = len(now_there) - len(existing & keys)
    audit_log(
        actor=actor,
        action=AuditLog.Action.CHANGE,
        object_type="replies.proposal",
        summary=f"导入交办清单：新增 {created} 件，已存在 {len(rows) - created} 件",
    )
    return {"created": created, "existing": len(rows) - created}


@transaction.atomic(durable=True)
def proposal_assign(*, actor, proposal_id: int, department: str, drafter, department_head=None) -> Proposal:
    _check_handlers(drafter, department_head)
    proposal = _lock(proposal_id)
    if proposal.status == Status.REGISTERED:
        _transition(proposal, Action.START)
    elif not proposal.is_open:
        raise ValidationError({"status": _("已办结或已退回的件不能再交办")})
    proposal.department, proposal.drafter, proposal.department_head = department, drafter, department_head
    proposal.save()
    _audit(actor, proposal, f"交办 {proposal.get_department_display()} {drafter}")
    return proposal


@transaction.atomic(durable=True)
def proposal_return(*, actor, proposal_id: int, reason: str) -> Proposal:
    if not reason.strip():
        raise ValidationError({"reason": _("请说明退回理由")})
    proposal = _lock(proposal_id)
    _transition(proposal, Action.RETURN)
    proposal.closed_on = timezone.localdate()
    proposal.save()
    _audit(actor, proposal, f"退回：{reason[:200]}")
    return proposal


@transaction.atomic(durable=True)
def contact_add(
    *, actor, proposal_id: int, contacted_on: date, stage: str, method: str, person: str, summary: str
) -> ContactLog:
    proposal = _lock(proposal_id)
    contact = ContactLog(
        proposal=proposal,
        contacted_on=contacted_on,
        stage=stage,
        method=method,
        person=person,
        summary=summary,
        created_by=actor,
    )
    contact.full_clean()
    contact.save()
    _audit(actor, proposal, f"沟通记录 {contacted_on}")
    return contact


@transaction.atomic(durable=True)
def opinion_add(
    *, actor, proposal_id: int, direction: str, unit: str, opinion: str, given_on: date
) -> CoHandlerOpinion:
    proposal = _lock(proposal_id)
    due = deadlines.co_handler_opinion_due(proposal.assigned_on, schedule=selectors.holiday_schedule())
    row = CoHandlerOpinion(
        proposal=proposal,
        direction=direction,
        unit=unit,
        opinion=opinion,
        given_on=given_on,
        due_on=due.on,
        created_by=actor,
    )
    row.full_clean()
    row.save()
    _audit(actor, proposal, f"协办意见 {unit}")
    return row


# --- the holiday schedule -------------------------------------------------------------------------
@transaction.atomic(durable=True)
def holiday_year_save(
    *, actor, year: int, holidays: list[tuple[date, str]], workdays: list[date], note: str = ""
) -> HolidayYear:
    """Enter (or replace) one year's schedule, then recompute the open cases' due dates."""
    errors = [d for d, _n in holidays if d.year != year] + [d for d in workdays if d.year != year]
    if errors:
        raise ValidationError(
            {"days": _("日期 %(day)s 不属于 %(year)s 年") % {"day": errors[0].isoformat(), "year": year}}
        )
    both = {d for d, _n in holidays} & set(workdays)
    if both:
        raise ValidationError({"days": _("日期 %(day)s 既是放假日又是调休上班日") % {"day": min(both).isoformat()}})
    hy, _created = HolidayYear.objects.select_for_update().get_or_create(
        year=year, defaults={"source": HolidayYear.Source.STAFF, "note": note, "entered_by": actor}
    )
    hy.note, hy.entered_by, hy.source = note, actor, HolidayYear.Source.STAFF
    hy.save()
    hy.days.all().delete()
    HolidayDay.objects.bulk_create(
        [HolidayDay(year=hy, day=d, kind=HolidayDay.Kind.HOLIDAY, name=n) for d, n in holidays]
        + [HolidayDay(year=hy, day=d, kind=HolidayDay.Kind.WORKDAY, name="") for d in workdays]
    )
    audit_log(
        actor=actor,
        action=AuditLog.Action.CHANGE,
        object_type="replies.holidayyear",
        object_id=year,
        summary=f"录入{year}年放假安排",
    )
    from replies.tasks import due_dates_recompute_task

    enqueue_on_commit(due_dates_recompute_task)
    return hy


@transaction.atomic(durable=True)
def due_dates_recompute(*, actor=None) -> int:
    """Recompute the due dates of open cases under the current schedule. Safe to run twice."""
    schedule = selectors.holiday_schedule()
    changed = []
    for proposal in Proposal.objects.select_for_update().filter(status__in=OPEN_STATUSES):
        due = compute_due(proposal, schedule)
        if (proposal.due_on, proposal.due_provisional, list(proposal.provisional_years)) != (
            due.on,
            due.provisional,
            list(due.provisional_years),
        ):
            _apply_due(proposal, due)
            changed.append(proposal)
    Proposal.objects.bulk_update(changed, ["due_on", "due_provisional", "provisional_years"])
    if changed:
        audit_log(
            actor=actor,
            action=AuditLog.Action.CHANGE,
            object_type="replies.proposal",
            summary=f"重算答复期限 {len(changed)} 件",
            username="system",
        )
    return len(changed)


# --- letters -------------------------------------------------------------------------------------
def _check_draft(version: LetterVersion) -> None:
    if version.locked:
        raise ValidationError({"version": _("答复函已审签，不能修改；如需修改请生成新版本")})


def _lock_version(version_id: int) -> LetterVersion:
    version = LetterVersion.objects.select_for_update().select_related("letter__proposal").get(pk=version_id)
    return version


@chinese
def _addressee(proposal: Proposal) -> str:
    suffix = _("代表") if proposal.kind == "npc" else _("委员")
    return f"{proposal.proposers_display}{suffix}"


@chinese
def _opening(proposal: Proposal) -> str:
    return _("您提出的《%(title)s》（第%(number)s号）收悉。我局高度重视，经认真研究办理，现答复如下：") % {
        "title": proposal.title.strip("《》"),
        "number": proposal.number,
    }


@chinese
def _closing() -> str:
    return _("感谢您对医疗保障工作的关心和支持！")


@transaction.atomic(durable=True)
def letter_start(*, actor, proposal_id: int) -> LetterVersion:
    """The current round's draft, created with the official opening if there is none yet."""
    proposal = _lock(proposal_id)
    if not proposal.is_open:
        raise ValidationError(
            {"status": _("当前状态“%(status)s”不能起草答复") % {"status": proposal.get_status_display()}}
        )
    letter, _c = Letter.objects.get_or_create(proposal=proposal, round=proposal.round)
    current = letter.versions.order_by("-number").first()
    if current is not None:
        return current
    if proposal.status == Status.REGISTERED:
        _transition(proposal, Action.START)
        proposal.save(update_fields=["status"])
    version = LetterVersion.objects.create(
        letter=letter,
        number=1,
        addressee=_addressee(proposal),
        opening=_opening(proposal),
        closing=_closing(),
        issuing_office=_issuing_office(),
        created_by=actor,
    )
    _audit(actor, version, f"起草答复函 第{letter.round}轮 第1版")
    return version


HEADER_FIELDS = (
    "addressee",
    "opening",
    "closing",
    "classification",
    "publication",
    "document_number",
    "issuing_office",
    "contact_person",
    "contact_phone",
    "redaction_terms",
)


@transaction.atomic(durable=True)
def version_update(*, actor, version_id: int, **fields) -> LetterVersion:
    version = _lock_version(version_id)
    _check_draft(version)
    unknown = set(fields) - set(HEADER_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("不能修改此项")})
    for name, value in fields.items():
        setattr(version, name, value)
    version.full_clean(exclude=["letter", "created_by", "signed_by"])
    version.save()
    _audit(actor, version, "修改答复函")
    return version


@transaction.atomic(durable=True)
def section_add(*, actor, version_id: int, heading: str, body: str = "", withheld: bool = False) -> Section:
    version = _lock_version(version_id)
    _check_draft(version)
    order = (version.sections.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    section = Section.objects.create(
        version=version, order=order, heading=heading.strip(), body=body, withheld=withheld
    )
    _audit(actor, version, f"新增段落 {order}")
    return section


@transaction.atomic(durable=True)
def section_update(*, actor, section_id: int, heading: str, body: str, withheld: bool | None = None) -> Section:
    section = Section.objects.select_related("version").get(pk=section_id)
    version = _lock_version(section.version_id)
    _check_draft(version)
    section.heading, section.body = heading.strip(), body
    if withheld is not None:
        section.withheld = withheld
    section.save(update_fields=["heading", "body", "withheld"])
    _audit(actor, version, f"修改段落 {section.order}")
    return section


@transaction.atomic(durable=True)
def section_move(*, actor, section_id: int, up: bool) -> Section:
    """Swap a section with its neighbour (the points keep the suggestion's order)."""
    section = Section.objects.get(pk=section_id)
    version = _lock_version(section.version_id)
    _check_draft(version)
    siblings = version.sections.order_by("-order" if up else "order")
    neighbour = (
        siblings.filter(order__lt=section.order).first() if up else siblings.filter(order__gt=section.order).first()
    )
    if neighbour is None:
        return section
    a, b = section.order, neighbour.order
    Section.objects.filter(pk=section.pk).update(order=0)
    Section.objects.filter(pk=neighbour.pk).update(order=a)
    Section.objects.filter(pk=section.pk).update(order=b)
    section.order = b
    _audit(actor, version, f"调整段落顺序 {a}→{b}")
    return section


@transaction.atomic(durable=True)
def section_delete(*, actor, section_id: int) -> None:
    section = Section.objects.get(pk=section_id)
    version = _lock_version(section.version_id)
    _check_draft(version)
    order = section.order
    section.delete()
    for i, s in enumerate(version.sections.order_by("order"), start=1):
        if s.order != i:
            Section.objects.filter(pk=s.pk).update(order=i)
    _audit(actor, version, f"删除段落 {order}")


@transaction.atomic(durable=True)
def figure_insert(*, actor, section_id: int, source: str, params: dict) -> FrozenFigure:
    """Read a figure through the source app's selector and freeze it into the section."""
    from replies import figures

    section = Section.objects.get(pk=section_id)
    version = _lock_version(section.version_id)
    _check_draft(version)
    value = figures.fetch(source, user=actor, params=params)
    figure = FrozenFigure.objects.create(
        section=section,
        source=source,
        params=value.params,
        label=value.label,
        text=value.text,
        data=value.data,
        as_of=value.as_of,
        captured_by=actor,
    )
    section.body = (section.body.rstrip() + value.text) if section.body.strip() else value.text
    section.save(update_fields=["body"])
    _audit(actor, version, f"引用数据 {value.label}")
    return figure


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


@transaction.atomic(durable=True)
def letter_sign(
    *, actor, version_id: int, signed_on: date | None = None, signer_name: str | None = None
) -> LetterVersion:
    """The director signs: the version is locked, its commitments list frozen. ``signer_name``
    records a historical letter's signer when its text is entered afterwards (demo, imports)."""
    if getattr(actor, "role", None) != Role.DIRECTOR:
        raise PermissionDenied(_("只有局长可以审签答复函"))
    version = _lock_version(version_id)
    proposal = _lock(version.letter.proposal_id)
    _check_draft(version)
    if version.letter.round != proposal.round:
        raise ValidationError({"version": _("这不是本轮办理的答复函")})
    problems = sign_off_messages(version)
    if problems:
        raise ValidationError(problems)
    _transition(proposal, Action.SIGN)
    proposal.save(update_fields=["status"])
    version.state = LetterVersion.State.SIGNED
    version.signed_by = actor
    version.signer_name = signer_name or actor.display_name
    version.signed_at = timezone.now()
    version.issued_on = signed_on or timezone.localdate()
    version.commitments_snapshot = [c.as_snapshot() for c in proposal.commitments.order_by("number")]
    version.save()
    _audit(actor, version, f"审签 第{version.letter.round}轮 第{version.number}版")
    return version


@transaction.atomic(durable=True)
def letter_revise(*, actor, version_id: int) -> LetterVersion:
    """A change to a signed letter makes a new draft version; the signed one stays as it was."""
    version = _lock_version(version_id)
    proposal = _lock(version.letter.proposal_id)
    if version.state != LetterVersion.State.SIGNED:
        raise ValidationError({"version": _("只有已审签的版本可以生成新版本")})
    _transition(proposal, Action.REVISE)
    proposal.save(update_fields=["status"])
    version.state = LetterVersion.State.SUPERSEDED
    version.save(update_fields=["state"])
    new = LetterVersion.objects.create(
        letter=version.letter,
        number=version.number + 1,
        **{name: getattr(version, name) for name in HEADER_FIELDS},
        created_by=actor,
    )
    for s in version.sections.prefetch_related("figures").order_by("order"):
        copy = Section.objects.create(version=new, order=s.order, heading=s.heading, body=s.body, withheld=s.withheld)
        FrozenFigure.objects.bulk_create(
            [
                FrozenFigure(
                    section=copy,
                    source=f.source,
                    params=f.params,
                    label=f.label,
                    text=f.text,
                    data=f.data,
                    as_of=f.as_of,
                    captured_by=f.captured_by,
                )
                for f in s.figures.all()
            ]
        )
    _audit(actor, new, f"生成新版本 第{new.number}版")
    return new


@transaction.atomic(durable=True)
def letter_send(*, actor, proposal_id: int, sent_on: date) -> Proposal:
    proposal = _lock(proposal_id)
    _transition(proposal, Action.SEND)
    signed = (
        LetterVersion.objects.filter(
            letter__proposal=proposal, letter__round=proposal.round, state=LetterVersion.State.SIGNED
        )
        .values_list("issued_on", flat=True)
        .first()
    )
    if signed and sent_on < signed:
        raise ValidationError({"sent_on": _("送达日期不能早于成文日期 %(day)s") % {"day": signed.isoformat()}})
    proposal.replied_on = sent_on
    proposal.overdue = deadlines.is_overdue(proposal.due_on, as_of=sent_on, done_on=sent_on)
    proposal.save()
    _audit(actor, proposal, f"答复已送达 {sent_on}")
    return proposal


# --- commitments ---------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def commitment_add(
    *, actor, proposal_id: int, content: str, due_text: str, unit: str, due_on: date | None = None
) -> Commitment:
    proposal = _lock(proposal_id)
    number = (proposal.commitments.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    c = Commitment(proposal=proposal, number=number, content=content, due_text=due_text, unit=unit, due_on=due_on)
    c.full_clean()
    c.save()
    _audit(actor, proposal, f"新增承诺事项 {number}")
    return c


@transaction.atomic(durable=True)
def commitment_progress(*, actor, commitment_id: int, on: date, note: str, done: bool = False) -> Commitment:
    c = Commitment.objects.select_for_update().get(pk=commitment_id)
    if not note.strip():
        raise ValidationError({"note": _("请填写落实进展")})
    CommitmentProgress.objects.create(commitment=c, on=on, note=note, by=actor)
    if done and c.state == Commitment.State.OPEN:
        c.state, c.done_on = Commitment.State.DONE, on
        c.save(update_fields=["state", "done_on"])
    _audit(actor, c, f"承诺事项{c.number}进展" + ("（已落实）" if done else ""))
    return c


# --- receipts and second handling ------------------------------------------------------------------
@transaction.atomic(durable=True)
def receipt_record(*, actor, proposal_id: int, opinion: str, received_on: date, reasons: str = "") -> Receipt:
    proposal = _lock(proposal_id)
    if opinion not in Receipt.Opinion.values:
        raise ValidationError({"opinion": _("取值无效")})
    if opinion == Receipt.Opinion.UNSATISFIED and not reasons.strip():
        raise ValidationError({"reasons": _("不满意时须填写具体理由")})
    if proposal.status != Status.REPLIED:
        raise ValidationError({"status": _("答复送达后才能登记回执")})
    if received_on < proposal.replied_on:
        raise ValidationError(
            {"received_on": _("收到日期不能早于答复送达日期 %(day)s") % {"day": proposal.replied_on.isoformat()}}
        )
    receipt = Receipt.objects.create(
        proposal=proposal,
        round=proposal.round,
        opinion=opinion,
        reasons=reasons,
        received_on=received_on,
        recorded_by=actor,
    )
    outcome = receipt_outcome(opinion, round_=proposal.round)
    proposal.status = outcome.status
    if outcome.second_round:
        proposal.round = 2
        proposal.clock_start = received_on
        proposal.replied_on = None
        proposal.overdue = False
        _apply_due(proposal, compute_due(proposal, selectors.holiday_schedule()))
    else:
        proposal.closed_on = received_on
    proposal.save()
    _audit(actor, proposal, f"回执：{receipt.get_opinion_display()}")
    return receipt


# --- publication -----------------------------------------------------------------------------------
def published_text(version: LetterVersion, commitments: list[dict]) -> str:
    from replies.documents import letter_plain_text

    return letter_plain_text(version, commitments, for_publication=True)


@chinese
def _published_title(version: LetterVersion, proposal: Proposal) -> str:
    return _("%(office)s对%(session)s第%(number)s号%(kind)s的答复") % {
        "office": version.issuing_office,
        "session": proposal.session,
        "number": proposal.number,
        "kind": _("建议") if proposal.kind == "npc" else _("提案"),
    }


@transaction.atomic(durable=True)
def letter_publish(*, actor, version_id: int) -> PublishedReply:
    """Publish a signed 主动公开 letter: the published copy is redacted, the record is not."""
    version = _lock_version(version_id)
    if version.state != LetterVersion.State.SIGNED:
        raise ValidationError({"version": _("只有已审签的答复函可以公开")})
    if version.publication != "public":
        raise ValidationError({"publication": _("该答复函的公开属性不是主动公开")})
    proposal = version.letter.proposal
    sent = version.letter.round < proposal.round or proposal.replied_on is not None or proposal.status == Status.CLOSED
    if not sent:
        raise ValidationError({"status": _("答复送达提出人后才能公开")})
    if PublishedReply.objects.filter(version=version).exists():
        raise ValidationError({"version": _("该答复函已公开")})
    keep = (version.contact_phone,) if version.contact_phone else ()
    body = redact(published_text(version, list(version.commitments_snapshot)), terms=version.redaction_list, keep=keep)
    title = _published_title(version, proposal)
    published = PublishedReply.objects.create(
        version=version, title=title, body=body.text, redactions=body.count, published_by=actor
    )
    _audit(actor, version, f"公开答复 删除{body.count}处")
    return published


# --- reminders -------------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def reminders_run(*, as_of: date) -> dict:
    """Reminders to the drafter and the department head as the due date approaches, the overdue
    mark after it, and the commitments' reminders. Running it twice sends nothing twice."""
    cases = list(selectors.open_cases_for_reminders())
    commitments = list(selectors.open_commitments_for_reminders())
    sent = selectors.sent_levels([p.pk for p in cases] + [c.proposal_id for c in commitments])
    new: list[Reminder] = []
    overdue_ids = []
    for p in cases:
        if deadlines.is_overdue(p.due_on, as_of=as_of) and not p.overdue:
            overdue_ids.append(p.pk)
        if p.status == Status.SIGNED:
            continue  # signed and waiting to be sent: no reply reminder
        decision = deadlines.reminder_decision(
            p.due_on, as_of=as_of, sent=frozenset(sent.get((p.pk, None, p.round), ()))
        )
        if decision is None:
            continue
        message = (
            _("“%(title)s”已超过答复期限（%(due)s）")
            if decision.level == deadlines.OVERDUE
            else _("“%(title)s”距答复期限（%(due)s）还有%(days)s天")
        ) % {"title": p.title[:80], "due": p.due_on.isoformat(), "days": decision.days_left}
        for user in {u for u in (p.drafter, p.department_head) if u is not None}:
            new.append(
                Reminder(
                    proposal=p, round=p.round, level=decision.level, recipient=user, due_on=p.due_on, message=message
                )
            )
    for c in commitments:
        decision = deadlines.reminder_decision(
            c.due_on, as_of=as_of, sent=frozenset(sent.get((c.proposal_id, c.pk, 0), ()))
        )
        if decision is None:
            continue
        message = _("承诺事项“%(content)s”落实期限%(due)s") % {"content": c.content[:60], "due": c.due_on.isoformat()}
        for user in {u for u in (c.proposal.drafter, c.proposal.department_head) if u is not None}:
            new.append(
                Reminder(
                    proposal_id=c.proposal_id,
                    commitment=c,
                    round=0,
                    level=decision.level,
                    recipient=user,
                    due_on=c.due_on,
                    message=message,
                )
            )
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    if overdue_ids:
        Proposal.objects.filter(pk__in=overdue_ids).update(overdue=True)
    return {"reminders": len(new), "overdue": len(overdue_ids)}
