from datetime import date

from medinsure.accounts.models import Role
from replies import services
from tests.factories import UserFactory


def office_user(**kw):
    return UserFactory(role=Role.OFFICE, **kw)


def director(**kw):
    return UserFactory(role=Role.DIRECTOR, last_name="丁润清", **kw)


def register(actor, *, number="166", assigned_on=date(2025, 3, 10), urgent=False, **kw):
    data = dict(
        kind="npc",
        session="江津区第十八届人民代表大会第五次会议",
        number=number,
        title="关于全社会共同参与实现全民医保的建议",
        proposers=["梁筱钟", "况文凤"],
        assigned_on=assigned_on,
        urgent=urgent,
    )
    data.update(kw)
    return services.proposal_register(actor=actor, **data)


def signable_letter(
    actor, proposal, *, sections=(("一、关于明确部门责任加强协作的建议", "2024年以来，我区积极探索。"),)
):
    version = services.letter_start(actor=actor, proposal_id=proposal.pk)
    for heading, body in sections:
        services.section_add(actor=actor, version_id=version.pk, heading=heading, body=body)
    services.version_update(
        actor=actor,
        version_id=version.pk,
        classification="A",
        document_number="江医保函〔2025〕12号",
        contact_person="王静",
        contact_phone="023-47521234",
    )
    version.refresh_from_db()
    return version
