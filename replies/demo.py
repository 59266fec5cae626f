"""Demo data: the three seed letters as real cases split into sections (with Jiangjin's commitments
list), published with redaction, and two open cases to show the clocks. Idempotent."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import yaml
from django.conf import settings
from django.utils import timezone

from medinsure.accounts.models import Role, User
from replies import services
from replies.models import Proposal

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "replies" / "seed_letters.yaml"


def _user(role: str, username: str) -> User:
    return (
        User.objects.filter(username=username).first()
        or User.objects.filter(role=role, is_active=True).order_by("id").first()
    )


def _letter(data: dict, clerk: User, boss: User) -> Proposal:
    p = services.proposal_register(
        actor=clerk,
        kind=data["kind"],
        session=data["session"],
        number=data["number"],
        title=data["title"],
        proposers=data["proposers"],
        assigned_on=date.fromisoformat(data["assigned_on"]),
        urgent=data.get("urgent", False),
        department=data.get("department", ""),
        drafter=clerk,
    )
    services.contact_add(
        actor=clerk,
        proposal_id=p.pk,
        contacted_on=date.fromisoformat(data["assigned_on"]) + timedelta(days=10),
        stage="before",
        method="meeting",
        person=p.proposers_display,
        summary="办前面商：听取提出人对建议办理的意见。",
    )
    for c in data.get("commitments", []):
        services.commitment_add(
            actor=clerk,
            proposal_id=p.pk,
            content=c["content"],
            due_text=c["due_text"],
            unit=c["unit"],
            due_on=c.get("due_on"),
        )
    v = services.letter_start(actor=clerk, proposal_id=p.pk)
    services.version_update(
        actor=clerk,
        version_id=v.pk,
        # The seeds carry every letter header except the redaction terms (set by hand before publishing).
        **{k: data[k] for k in services.HEADER_FIELDS if k != "redaction_terms"},
    )
    for s in data["sections"]:
        services.section_add(actor=clerk, version_id=v.pk, heading=s["heading"], body=s["body"])
    services.letter_sign(
        actor=boss,
        version_id=v.pk,
        signed_on=date.fromisoformat(data["issued_on"]),
        signer_name=data.get("signer_name"),
    )
    services.letter_send(actor=clerk, proposal_id=p.pk, sent_on=date.fromisoformat(data["sent_on"]))
    if data.get("published"):
        services.letter_publish(actor=clerk, version_id=v.pk)
    return p


def load(*, stdout=None) -> None:
    clerk, boss = _user(Role.OFFICE, "office"), _user(Role.DIRECTOR, "director")
    if clerk is None or boss is None:
        raise RuntimeError("replies demo needs the demo users (office, director): run load_demo")
    letters = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))["letters"]
    created = 0
    for data in letters:
        if not Proposal.objects.filter(kind=data["kind"], session=data["session"], number=data["number"]).exists():
            _letter(data, clerk, boss)
            created += 1
    today = timezone.localdate()
    session = "江津区政协十五届五次会议"
    for number, title, proposers, assigned, urgent in (
        ("12", "关于推进医保电子凭证全场景应用的提案", ["张明"], today - timedelta(days=100), False),
        ("21", "关于做好新生儿参保登记的提案", ["刘红", "陈军"], today - timedelta(days=20), True),
        ("30", "关于加强村卫生室医保结算服务的提案", ["王丽"], today, False),
    ):
        if not Proposal.objects.filter(kind="cppcc", session=session, number=number).exists():
            p = services.proposal_register(
                actor=clerk,
                kind="cppcc",
                session=session,
                number=number,
                title=title,
                proposers=proposers,
                assigned_on=assigned,
                urgent=urgent,
                department="office",
                drafter=clerk,
            )
            created += 1
            if number == "12":
                services.letter_start(actor=clerk, proposal_id=p.pk)
    services.reminders_run(as_of=today)
    if stdout is not None:
        stdout.write(f"replies: {created} cases created ({Proposal.objects.count()} in all)\n")
