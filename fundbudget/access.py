"""The one way a page gets a single row: the same 404 whether missing or not visible."""

from django.http import Http404

from . import selectors
from .models import Fund, FundBudget


def access_budget_by_fund_year(user, fund: str, year: int) -> FundBudget | None:
    """The budget, None if not yet made; 404 for a user who may not read fund figures or a bad fund."""
    if fund not in Fund.values or not selectors.can_read(user):
        raise Http404
    return selectors.budget_list(user, year=year, fund=fund).first()


def access_statement_import_by_id(user, import_id):
    batch = selectors.statement_import_get(user, import_id)
    if batch is None:
        raise Http404
    return batch
