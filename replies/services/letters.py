"""Reply letters: the draft, its header and sections, cited figures, signing, new versions, sending."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from medinsure.accounts.models import Role
from replies import selectors
from replies.documents import chinese
from replies.models import (
    FrozenFigure,
    Letter,
    LetterVersion,
    Proposal,
    Section,
    Status,
)
from replies.rules import deadlines
from replies.rules.status import Action
from replies.services._common import (
    _audit,
    _check_draft,
    _issuing_office,
    _lock,
    _lock_version,
    _transition,
)


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
    problems = selectors.sign_off_messages(version)
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
