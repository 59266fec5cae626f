"""Services on PostgreSQL: due dates from the schedule rows, sign-off lock, versions, receipts,
publication with redaction, reminders, and the audit rows."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from medinsure.accounts.models import Role
from medinsure.audit.models import AuditLog
from medinsure.jobs.models import OutboxMessage
from replies import selectors, services
from replies.models import HolidayDay, HolidayYear, LetterVersion, Proposal, Reminder, Section, Status

from .factories import director, office_user, register, signable_letter

pytestmark = [pytest.mark.django_db, pytest.mark.service]

D = date.fromisoformat


def test_schedule_is_seeded_from_the_package():
    assert set(range(2004, 2027)) <= set(HolidayYear.objects.values_list("year", flat=True))
    assert HolidayDay.objects.get(day=D("2025-10-11")).kind == HolidayDay.Kind.WORKDAY
    assert HolidayDay.objects.get(day=D("2025-10-08")).name == "国庆节"


@pytest.mark.parametrize(
    "assigned, urgent, due, provisional",
    [
        ("2025-03-10", False, "2025-06-10", False),
        ("2025-01-31", True, "2025-02-28", False),
        ("2025-07-08", False, "2025-10-09", False),
        ("2026-11-24", False, "2027-02-24", True),
    ],
)
def test_register_computes_due_date_from_the_schedule_rows(assigned, urgent, due, provisional):
    actor = office_user()
    p = register(actor, assigned_on=D(assigned), urgent=urgent)
    assert (p.due_on, p.due_provisional) == (D(due), provisional)
    assert AuditLog.objects.filter(object_type="replies.proposal", object_id=str(p.pk), action="change").exists()


def test_duplicate_number_is_refused_naming_the_field():
    actor = office_user()
    register(actor)
    with pytest.raises(ValidationError) as exc:
        register(actor)
    assert "number" in exc.value.message_dict
    assert Proposal.objects.count() == 1


def test_entering_a_year_recomputes_provisional_due_dates(django_capture_on_commit_callbacks):
    actor = office_user()
    p = register(actor, assigned_on=D("2026-11-24"))
    assert p.due_provisional and p.provisional_years == [2027]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.holiday_year_save(
            actor=actor, year=2027, holidays=[(D("2027-02-24"), "春节")], workdays=[D("2027-02-20")], note="测试安排"
        )
    assert len(callbacks) == 1  # the recompute is queued after commit
    assert OutboxMessage.objects.filter(task="replies.due_dates_recompute").count() == 1  # by its registered name
    assert services.due_dates_recompute() == 1
    p.refresh_from_db()
    assert (p.due_on, p.due_provisional, p.provisional_years) == (D("2027-02-25"), False, [])
    assert services.due_dates_recompute() == 0  # safe to run twice


def test_holiday_year_rejects_dates_of_another_year():
    with pytest.raises(ValidationError) as exc:
        services.holiday_year_save(actor=office_user(), year=2027, holidays=[(D("2026-01-01"), "元旦")], workdays=[])
    assert "days" in exc.value.message_dict
    assert not HolidayYear.objects.filter(year=2027).exists()


def test_signed_letter_refuses_edits_and_a_change_makes_a_new_version():
    clerk, boss = office_user(), director()
    p = register(clerk)
    v = signable_letter(clerk, p)
    with pytest.raises(PermissionDenied):
        services.letter_sign(actor=clerk, version_id=v.pk)  # only the director signs
    services.letter_sign(actor=boss, version_id=v.pk, signed_on=D("2025-04-15"))
    v.refresh_from_db()
    assert v.state == LetterVersion.State.SIGNED and v.signer_name == boss.display_name
    p.refresh_from_db()
    assert p.status == Status.SIGNED
    section = v.sections.get()
    for call in (
        lambda: services.section_update(actor=clerk, section_id=section.pk, heading="x", body="改"),
        lambda: services.section_add(actor=clerk, version_id=v.pk, heading="二、", body="新"),
        lambda: services.section_delete(actor=clerk, section_id=section.pk),
        lambda: services.version_update(actor=clerk, version_id=v.pk, classification="C"),
        lambda: services.letter_sign(actor=boss, version_id=v.pk),
    ):
        with pytest.raises(ValidationError):
            call()
    assert Section.objects.get(pk=section.pk).body == "2024年以来，我区积极探索。"

    new = services.letter_revise(actor=clerk, version_id=v.pk)
    assert new.number == 2 and new.state == LetterVersion.State.DRAFT
    services.section_update(actor=clerk, section_id=new.sections.get().pk, heading="一、", body="修改后的正文")
    assert Section.objects.get(pk=section.pk).body == "2024年以来，我区积极探索。"  # the signed text stays
    v.refresh_from_db()
    assert v.state == LetterVersion.State.SUPERSEDED and v.signer_name
    p.refresh_from_db()
    assert p.status == Status.HANDLING


def test_sign_off_names_what_is_missing():
    clerk, boss = office_user(), director()
    p = register(clerk)
    v = services.letter_start(actor=clerk, proposal_id=p.pk)
    services.version_update(actor=clerk, version_id=v.pk, classification="B")
    with pytest.raises(ValidationError) as exc:
        services.letter_sign(actor=boss, version_id=v.pk)
    assert {"sections", "document_number", "contact_person", "contact_phone", "commitments"} <= set(
        exc.value.message_dict
    )
    assert LetterVersion.objects.get(pk=v.pk).state == LetterVersion.State.DRAFT


def test_commitments_are_frozen_at_sign_off():
    clerk, boss = office_user(), director()
    p = register(clerk)
    services.commitment_add(
        actor=clerk, proposal_id=p.pk, content="积极向上级部门反映", due_text="2025年底", unit="区医保局"
    )
    v = signable_letter(clerk, p)
    services.letter_sign(actor=boss, version_id=v.pk)
    services.commitment_add(actor=clerk, proposal_id=p.pk, content="后加的", due_text="2026年", unit="区医保局")
    v.refresh_from_db()
    assert [c["content"] for c in selectors.version_commitments(v)] == ["积极向上级部门反映"]


def test_receipt_unsatisfied_opens_second_handling_with_its_own_due_date():
    clerk, boss = office_user(), director()
    p = register(clerk)
    services.letter_sign(actor=boss, version_id=signable_letter(clerk, p).pk, signed_on=D("2025-05-20"))
    services.letter_send(actor=clerk, proposal_id=p.pk, sent_on=D("2025-05-20"))
    with pytest.raises(ValidationError) as exc:
        services.receipt_record(actor=clerk, proposal_id=p.pk, opinion="unsatisfied", received_on=D("2025-06-03"))
    assert "reasons" in exc.value.message_dict
    services.receipt_record(
        actor=clerk, proposal_id=p.pk, opinion="unsatisfied", received_on=D("2025-06-03"), reasons="未回应档次问题"
    )
    p.refresh_from_db()
    assert (p.status, p.round, p.due_on, p.replied_on) == (Status.SECOND, 2, D("2025-07-03"), None)
    v2 = signable_letter(clerk, p)
    assert v2.letter.round == 2
    services.letter_sign(actor=boss, version_id=v2.pk, signed_on=D("2025-06-30"))
    services.letter_send(actor=clerk, proposal_id=p.pk, sent_on=D("2025-06-30"))
    services.receipt_record(actor=clerk, proposal_id=p.pk, opinion="basic", received_on=D("2025-07-10"))
    p.refresh_from_db()
    assert (p.status, p.closed_on, p.overdue) == (Status.CLOSED, D("2025-07-10"), False)


def test_late_reply_is_marked_overdue():
    clerk, boss = office_user(), director()
    p = register(clerk, assigned_on=D("2025-01-31"), urgent=True)
    services.letter_sign(actor=boss, version_id=signable_letter(clerk, p).pk, signed_on=D("2025-03-03"))
    services.letter_send(actor=clerk, proposal_id=p.pk, sent_on=D("2025-03-03"))
    p.refresh_from_db()
    assert p.overdue


def test_publication_redacts_the_published_copy_only():
    clerk, boss = office_user(), director()
    p = register(clerk)
    v = signable_letter(
        clerk,
        p,
        sections=(
            ("一、关于医疗机构监管的建议", "举报人张三（电话13912345678，住江津区几江街道1号）反映的问题已查实。"),
        ),
    )
    services.version_update(
        actor=clerk, version_id=v.pk, redaction_terms="张三\n江津区几江街道1号", contact_phone="19122865531"
    )
    services.letter_sign(actor=boss, version_id=v.pk, signed_on=D("2025-05-20"))
    with pytest.raises(ValidationError) as exc:
        services.letter_publish(actor=clerk, version_id=v.pk)  # not before the proposer has it
    assert "status" in exc.value.message_dict
    services.letter_send(actor=clerk, proposal_id=p.pk, sent_on=D("2025-05-20"))
    published = services.letter_publish(actor=clerk, version_id=v.pk)
    assert "13912345678" not in published.body and "张三" not in published.body and "几江街道1号" not in published.body
    assert "19122865531" in published.body  # the bureau's contact number is published
    assert published.redactions == 3
    assert "13912345678" in Section.objects.get(version=v).body  # the record keeps everything
    with pytest.raises(ValidationError):
        services.letter_publish(actor=clerk, version_id=v.pk)


def test_unsigned_or_withheld_letters_are_not_published():
    clerk, boss = office_user(), director()
    p = register(clerk)
    v = signable_letter(clerk, p)
    with pytest.raises(ValidationError):
        services.letter_publish(actor=clerk, version_id=v.pk)
    services.version_update(actor=clerk, version_id=v.pk, publication="withheld")
    services.letter_sign(actor=boss, version_id=v.pk)
    with pytest.raises(ValidationError) as exc:
        services.letter_publish(actor=clerk, version_id=v.pk)
    assert "publication" in exc.value.message_dict


def test_reminders_go_to_drafter_and_head_once_and_overdue_is_marked():
    clerk, head = office_user(), office_user()
    p = register(clerk, assigned_on=D("2025-03-10"))
    services.proposal_assign(
        actor=clerk, proposal_id=p.pk, department="enrollment", drafter=clerk, department_head=head
    )
    c = services.commitment_add(
        actor=clerk, proposal_id=p.pk, content="研究", due_text="2025年5月", unit="区医保局", due_on=D("2025-05-31")
    )
    assert services.reminders_run(as_of=D("2025-05-01")) == {"reminders": 0, "overdue": 0}
    assert services.reminders_run(as_of=D("2025-05-27"))["reminders"] == 4  # case d15 + commitment d7, two people
    assert services.reminders_run(as_of=D("2025-05-27"))["reminders"] == 0  # the batch may run twice
    assert Reminder.objects.count() == 4
    assert set(Reminder.objects.filter(commitment=c).values_list("level", flat=True)) == {"d7"}
    services.reminders_run(as_of=D("2025-06-11"))
    p.refresh_from_db()
    assert p.overdue
    assert set(Reminder.objects.filter(commitment=None, recipient=head).values_list("level", flat=True)) == {
        "d15",
        "overdue",
    }
    assert selectors.reminder_list(clerk).count() == selectors.reminder_list(head).count()


def test_returning_a_wrongly_assigned_case():
    clerk = office_user()
    p = register(clerk)
    with pytest.raises(ValidationError):
        services.proposal_return(actor=clerk, proposal_id=p.pk, reason=" ")
    services.proposal_return(actor=clerk, proposal_id=p.pk, reason="属市级事权")
    p.refresh_from_db()
    assert p.status == Status.RETURNED
    with pytest.raises(ValidationError):
        services.letter_start(actor=clerk, proposal_id=p.pk)


def test_deadlines_per_body_from_settings(settings):
    settings.REPLIES_DEADLINES = {"cppcc": {"reply_months": 2}}
    clerk = office_user()
    assert register(clerk, number="1", kind="cppcc").due_on == D("2025-05-12")
    assert register(clerk, number="2", kind="npc").due_on == D("2025-06-10")
    assert register(clerk, number="3", handler_role="co", lead_unit="区卫生健康委").due_on == D("2025-04-10")


def test_sections_move_and_renumber():
    clerk = office_user()
    v = services.letter_start(actor=clerk, proposal_id=register(clerk).pk)
    a, b, c = (
        services.section_add(actor=clerk, version_id=v.pk, heading=h, body="x") for h in ("一、", "二、", "三、")
    )
    services.section_move(actor=clerk, section_id=c.pk, up=True)
    assert list(v.sections.order_by("order").values_list("heading", flat=True)) == ["一、", "三、", "二、"]
    services.section_move(actor=clerk, section_id=a.pk, up=True)  # already first: nothing moves
    services.section_delete(actor=clerk, section_id=a.pk)
    assert list(v.sections.order_by("order").values_list("order", "heading")) == [(1, "三、"), (2, "二、")]


def test_deadlines_per_year_from_settings(settings):
    settings.REPLIES_DEADLINES = {"npc:2025": {"reply_months": 2}}
    clerk = office_user()
    assert register(clerk, number="1", assigned_on=D("2025-03-10")).due_on == D("2025-05-12")
    assert register(clerk, number="2", assigned_on=D("2024-03-11")).due_on == D("2024-06-11")


def test_drafter_must_be_able_to_see_the_case(make_user):
    clerk = office_user()
    p = register(clerk)
    with pytest.raises(ValidationError) as exc:
        services.proposal_assign(actor=clerk, proposal_id=p.pk, department="claims", drafter=make_user(Role.CLAIMS))
    assert "drafter" in exc.value.message_dict
    services.proposal_assign(
        actor=clerk, proposal_id=p.pk, department="claims", drafter=clerk, department_head=director()
    )


def test_a_section_withheld_from_the_published_copy_only():
    clerk, boss = office_user(), director()
    p = register(clerk)
    v = signable_letter(clerk, p)
    services.section_add(
        actor=clerk, version_id=v.pk, heading="二、关于内部研究的情况", body="局务会研究意见：暂缓。", withheld=True
    )
    services.letter_sign(actor=boss, version_id=v.pk, signed_on=D("2025-05-20"))
    services.letter_send(actor=clerk, proposal_id=p.pk, sent_on=D("2025-05-20"))
    published = services.letter_publish(actor=clerk, version_id=v.pk)
    assert "局务会研究意见" not in published.body and "（此部分内容不予公开）" in published.body
    assert "二、关于内部研究的情况" in published.body
    assert Section.objects.get(version=v, order=2).body == "局务会研究意见：暂缓。"


def test_dates_in_order():
    clerk, boss = office_user(), director()
    p = register(clerk)
    services.letter_sign(actor=boss, version_id=signable_letter(clerk, p).pk, signed_on=D("2025-05-10"))
    with pytest.raises(ValidationError) as exc:
        services.letter_send(actor=clerk, proposal_id=p.pk, sent_on=D("2025-05-09"))
    assert "sent_on" in exc.value.message_dict
    services.letter_send(actor=clerk, proposal_id=p.pk, sent_on=D("2025-05-12"))
    with pytest.raises(ValidationError) as exc:
        services.receipt_record(actor=clerk, proposal_id=p.pk, opinion="satisfied", received_on=D("2025-05-11"))
    assert "received_on" in exc.value.message_dict
    assert Proposal.objects.get(pk=p.pk).status == Status.REPLIED
