"""Case status transition table (like django-oscar's order pipeline)."""

from __future__ import annotations

from dataclasses import dataclass


class Status:
    REGISTERED = "registered"  # 已登记
    HANDLING = "handling"  # 办理中
    SIGNED = "signed"  # 已审签
    REPLIED = "replied"  # 已答复
    SECOND = "second"  # 二次办理
    CLOSED = "closed"  # 已办结
    RETURNED = "returned"  # 已退回


class Action:
    START = "start"  # assign department/drafter, begin handling
    RETURN = "return"  # wrongly assigned: return to the assigning office
    SIGN = "sign"  # the director signs the letter
    REVISE = "revise"  # a change to a signed letter: new version, back to handling
    SEND = "send"  # the signed reply is sent to the proposer
    SATISFIED = "satisfied"  # receipt: 满意 / 基本满意
    UNSATISFIED = "unsatisfied"  # receipt: 不满意
    CLOSE = "close"  # after a second reply: the case is closed whatever the opinion


TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.REGISTERED, Action.START): Status.HANDLING,
    (Status.REGISTERED, Action.RETURN): Status.RETURNED,
    (Status.HANDLING, Action.RETURN): Status.RETURNED,
    (Status.REGISTERED, Action.SIGN): Status.SIGNED,
    (Status.HANDLING, Action.SIGN): Status.SIGNED,
    (Status.SECOND, Action.SIGN): Status.SIGNED,
    (Status.SIGNED, Action.REVISE): Status.HANDLING,
    (Status.SIGNED, Action.SEND): Status.REPLIED,
    (Status.REPLIED, Action.SATISFIED): Status.CLOSED,
    (Status.REPLIED, Action.UNSATISFIED): Status.SECOND,
    (Status.REPLIED, Action.CLOSE): Status.CLOSED,
}

OPEN_STATUSES = frozenset({Status.REGISTERED, Status.HANDLING, Status.SIGNED, Status.SECOND})


class TransitionError(ValueError):
    def __init__(self, status: str, action: str):
        super().__init__(f"action {action!r} is not allowed in status {status!r}")
        self.status, self.action = status, action


def next_status(status: str, action: str) -> str:
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise TransitionError(status, action) from None


def allowed_actions(status: str) -> frozenset[str]:
    return frozenset(a for (s, a) in TRANSITIONS if s == status)


def reply_clock_running(status: str) -> bool:
    """The reply due date only matters until the reply is signed and sent."""
    return status in {Status.REGISTERED, Status.HANDLING, Status.SECOND}


@dataclass(frozen=True)
class Outcome:
    status: str
    second_round: bool


OPINIONS = ("satisfied", "basic", "unsatisfied")  # 满意 / 基本满意 / 不满意


def receipt_outcome(opinion: str, *, round_: int) -> Outcome:
    """Where a receipt takes the case: unsatisfied on the first reply → second handling; a second
    reply closes the case whatever the opinion (the deputy-affairs committee takes it from there)."""
    if opinion not in OPINIONS:
        raise ValueError(f"unknown opinion {opinion!r}")
    if opinion == "unsatisfied" and round_ == 1:
        return Outcome(next_status(Status.REPLIED, Action.UNSATISFIED), True)
    action = Action.SATISFIED if opinion != "unsatisfied" else Action.CLOSE
    return Outcome(next_status(Status.REPLIED, action), False)
