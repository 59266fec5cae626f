"""Every write of the handling app, one module per aggregate:

- ``applications``: receive (tracking number, papers), accept (一次性告知, time limit), return, the expert
  review of a chronic application, finish;
- ``decisions``: approve or refuse, an approval written through claims' and enrollment's services.
"""

from handling.services.applications import (
    application_accept,
    application_finish,
    application_receive,
    application_return,
    application_review,
)
from handling.services.decisions import application_decide, may_decide

__all__ = [
    "application_accept",
    "application_decide",
    "application_finish",
    "application_receive",
    "application_return",
    "application_review",
    "may_decide",
]
