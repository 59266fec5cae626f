"""Letter checks before sign-off, classification, and the commitment clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

DEFAULT_CLASSES = ("A", "B", "C")  # A 已解决或基本解决, B 正在解决或列入规划, C 需待以后解决; D optional
PUBLICATION = ("public", "on_request", "withheld")  # 主动公开 / 依申请公开 / 不予公开


@dataclass(frozen=True)
class SectionDraft:
    heading: str
    body: str


@dataclass(frozen=True)
class CommitmentDraft:
    content: str
    due_text: str
    unit: str


@dataclass(frozen=True)
class LetterDraft:
    sections: tuple[SectionDraft, ...]
    classification: str
    publication: str
    document_number: str
    contact_person: str
    contact_phone: str
    commitments: tuple[CommitmentDraft, ...] = ()


@dataclass(frozen=True)
class Problem:
    field: str
    code: str


def sign_off_problems(letter: LetterDraft, *, classes: tuple[str, ...] = DEFAULT_CLASSES) -> tuple[Problem, ...]:
    """Everything that stops the director from signing, each naming the field."""
    problems: list[Problem] = []
    if not letter.sections:
        problems.append(Problem("sections", "empty"))
    for i, s in enumerate(letter.sections):
        if not s.body.strip():
            problems.append(Problem(f"sections[{i}].body", "empty"))
    if letter.classification not in classes:
        problems.append(Problem("classification", "invalid"))
    if letter.publication not in PUBLICATION:
        problems.append(Problem("publication", "invalid"))
    for name in ("document_number", "contact_person", "contact_phone"):
        if not getattr(letter, name).strip():
            problems.append(Problem(name, "empty"))
    if letter.classification == "B" and not letter.commitments:
        problems.append(Problem("commitments", "required_for_b"))
    for i, c in enumerate(letter.commitments):
        for name in ("content", "due_text", "unit"):
            if not getattr(c, name).strip():
                problems.append(Problem(f"commitments[{i}].{name}", "empty"))
    return tuple(problems)


def commitment_open(done_on: date | None) -> bool:
    return done_on is None
