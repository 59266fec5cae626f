"""Publication of a signed 主动公开 reply, redacted."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from replies import selectors
from replies.documents import chinese
from replies.models import (
    LetterVersion,
    Proposal,
    PublishedReply,
    Status,
)
from replies.rules.redaction import redact
from replies.services._common import (
    _audit,
    _lock_version,
)


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
    body = redact(
        selectors.published_text(version, list(version.commitments_snapshot)), terms=version.redaction_list, keep=keep
    )
    title = _published_title(version, proposal)
    published = PublishedReply.objects.create(
        version=version, title=title, body=body.text, redactions=body.count, published_by=actor
    )
    _audit(actor, version, f"公开答复 删除{body.count}处")
    return published
