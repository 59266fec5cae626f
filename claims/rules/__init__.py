"""Pure reimbursement rules: the policy schema and the one engine (no Django, no ORM, no clock)."""

from .engine import Visit, VisitResult, money, settle, settle_person_year
from .messages import Message
from .policy import KINDS, Policy, PolicyError, parse_policy, policy_summary
from .visits_csv import VisitsError, parse_visits_csv, reimburse_csv

__all__ = [
    "KINDS",
    "Message",
    "Policy",
    "PolicyError",
    "Visit",
    "VisitResult",
    "VisitsError",
    "money",
    "parse_policy",
    "parse_visits_csv",
    "policy_summary",
    "reimburse_csv",
    "settle",
    "settle_person_year",
]
