"""Reminders, overdue, status transitions, receipts, sign-off checks, redaction, rates."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from replies.rules.deadlines import OVERDUE, Reminder, is_overdue, reminder_decision
from replies.rules.letters import CommitmentDraft, LetterDraft, Problem, SectionDraft, sign_off_problems
from replies.rules.redaction import MASK, PATTERNS, redact
from replies.rules.stats import rate
from replies.rules.status import (
    Action,
    Status,
    TransitionError,
    allowed_actions,
    next_status,
    receipt_outcome,
)

D = date.fromisoformat
DUE = D("2025-06-10")


@pytest.mark.parametrize(
    "as_of, sent, expected",
    [
        ("2025-05-01", set(), None),  # 40 days left
        ("2025-05-26", set(), Reminder("d15", 15)),
        ("2025-05-30", set(), Reminder("d15", 11)),
        ("2025-05-30", {"d15"}, None),  # already sent: the batch may run twice
        ("2025-06-05", {"d15"}, Reminder("d7", 5)),
        ("2025-06-08", set(), Reminder("d3", 2)),  # missed levels are not sent late
        ("2025-06-09", {"d15", "d7", "d3"}, Reminder("d1", 1)),
        ("2025-06-10", {"d15", "d7", "d3"}, Reminder("d1", 0)),
        ("2025-06-10", {"d1"}, None),
        ("2025-06-11", {"d1"}, Reminder(OVERDUE, -1)),
        ("2025-07-11", {"d1", OVERDUE}, None),
    ],
)
def test_reminder_decision(as_of, sent, expected):
    assert reminder_decision(DUE, as_of=D(as_of), sent=frozenset(sent)) == expected


def test_no_reminder_for_a_closed_case():
    assert reminder_decision(DUE, as_of=D("2025-07-01"), open_=False) is None


@pytest.mark.parametrize(
    "as_of, done_on, expected",
    [
        ("2025-06-10", None, False),
        ("2025-06-11", None, True),
        ("2025-07-01", "2025-06-10", False),
        ("2025-07-01", "2025-06-11", True),
    ],
)
def test_is_overdue(as_of, done_on, expected):
    assert is_overdue(DUE, as_of=D(as_of), done_on=D(done_on) if done_on else None) is expected


@pytest.mark.parametrize(
    "status, action, expected",
    [
        (Status.REGISTERED, Action.START, Status.HANDLING),
        (Status.REGISTERED, Action.RETURN, Status.RETURNED),
        (Status.HANDLING, Action.SIGN, Status.SIGNED),
        (Status.SECOND, Action.SIGN, Status.SIGNED),
        (Status.SIGNED, Action.REVISE, Status.HANDLING),
        (Status.SIGNED, Action.SEND, Status.REPLIED),
        (Status.REPLIED, Action.SATISFIED, Status.CLOSED),
        (Status.REPLIED, Action.UNSATISFIED, Status.SECOND),
    ],
)
def test_transitions(status, action, expected):
    assert next_status(status, action) == expected


@pytest.mark.parametrize(
    "status, action",
    [
        (Status.CLOSED, Action.SIGN),
        (Status.RETURNED, Action.START),
        (Status.REPLIED, Action.SIGN),
        (Status.HANDLING, Action.SEND),  # an unsigned letter is never sent
        (Status.SIGNED, Action.SIGN),
        (Status.SECOND, Action.SATISFIED),
    ],
)
def test_forbidden_transitions(status, action):
    with pytest.raises(TransitionError):
        next_status(status, action)


def test_allowed_actions():
    assert allowed_actions(Status.SIGNED) == {Action.REVISE, Action.SEND}
    assert allowed_actions(Status.CLOSED) == set()


@pytest.mark.parametrize(
    "opinion, round_, status, second",
    [
        ("satisfied", 1, Status.CLOSED, False),
        ("basic", 1, Status.CLOSED, False),
        ("unsatisfied", 1, Status.SECOND, True),
        ("unsatisfied", 2, Status.CLOSED, False),
        ("satisfied", 2, Status.CLOSED, False),
    ],
)
def test_receipt_outcome(opinion, round_, status, second):
    out = receipt_outcome(opinion, round_=round_)
    assert (out.status, out.second_round) == (status, second)


def test_receipt_rejects_unknown_opinion():
    with pytest.raises(ValueError):
        receipt_outcome("meh", round_=1)


GOOD = LetterDraft(
    sections=(SectionDraft("一、关于明确部门责任加强协作的建议", "正文"),),
    classification="A",
    publication="public",
    document_number="明医保函〔2023〕20号",
    contact_person="王静",
    contact_phone="023-47521234",
)


@pytest.mark.parametrize(
    "changes, problems",
    [
        ({}, ()),
        ({"sections": ()}, (Problem("sections", "empty"),)),
        ({"sections": (SectionDraft("一、", "  "),)}, (Problem("sections[0].body", "empty"),)),
        ({"classification": "D"}, (Problem("classification", "invalid"),)),
        ({"classification": ""}, (Problem("classification", "invalid"),)),
        ({"publication": "secret"}, (Problem("publication", "invalid"),)),
        ({"document_number": ""}, (Problem("document_number", "empty"),)),
        ({"classification": "B"}, (Problem("commitments", "required_for_b"),)),
        ({"classification": "B", "commitments": (CommitmentDraft("研究", "2025年底", "区医保局"),)}, ()),
        ({"commitments": (CommitmentDraft("研究", "", "区医保局"),)}, (Problem("commitments[0].due_text", "empty"),)),
    ],
)
def test_sign_off_problems(changes, problems):
    from dataclasses import replace

    assert sign_off_problems(replace(GOOD, **changes)) == problems


def test_d_class_when_the_setting_allows_it():
    from dataclasses import replace

    assert sign_off_problems(replace(GOOD, classification="D"), classes=("A", "B", "C", "D")) == ()


@pytest.mark.parametrize(
    "text, terms, keep, expected, count",
    [
        ("联系电话:19122865531", (), (), f"联系电话:{MASK}", 1),
        ("联系电话:19122865531", (), ("19122865531",), "联系电话:19122865531", 0),
        ("患者身份证号500381199001011234已核实", (), (), f"患者身份证号{MASK}已核实", 1),
        ("邮箱 abc.d@example.com。", (), (), f"邮箱 {MASK}。", 1),
        ("家住江津区几江街道1号,谈判价格30元", ("江津区几江街道1号", "30元"), (), f"家住{MASK},谈判价格{MASK}", 2),
        # issue 15: a landline is masked too (it used to be published), unless it is the bureau's own
        ("追回医保基金652.98万元,电话0598-8299160", (), (), f"追回医保基金652.98万元,电话{MASK}", 1),
        (
            "追回医保基金652.98万元,电话0598-8299160",
            (),
            ("0598-8299160",),
            "追回医保基金652.98万元,电话0598-8299160",
            0,
        ),
        ("137.82万人", (), (), "137.82万人", 0),
    ],
)
def test_redact(text, terms, keep, expected, count):
    out = redact(text, terms=terms, keep=keep)
    assert (out.text, out.count) == (expected, count)


@pytest.mark.parametrize(
    "part, whole, expected",
    [(0, 0, None), (1, 3, Decimal("33.3")), (2, 3, Decimal("66.7")), (5, 5, Decimal("100.0"))],
)
def test_rate(part, whole, expected):
    assert rate(part, whole) == expected


MOBILE = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
TEXT = st.text(alphabet="关于医保基金的建议，。电话 ", max_size=30)


@given(TEXT, MOBILE, TEXT, MOBILE)
def test_no_mobile_number_survives_redaction(a, phone, b, kept):
    out = redact(f"{a}{phone}{b}联系电话{kept}", keep=(kept,))
    assert kept in out.text
    assert not any(p.search(out.text.replace(kept, "")) for _n, p in PATTERNS)
