"""The one way a page gets a single row: the same 404 whether missing or outside the user's area."""

from django.shortcuts import get_object_or_404

from claims import selectors


def access_policy_by_code(user, code: str):
    return get_object_or_404(selectors.policy_list(user), code=code)


def access_settlement_by_id(user, pk: int):
    return get_object_or_404(selectors.settlement_list(user), pk=pk)


def access_recalculation_by_id(user, pk):
    return get_object_or_404(selectors.recalculation_list(user), pk=pk)


def access_import_by_id(user, pk):
    from claims.models import SettlementImport
    from medinsure.accounts.scoping import Area, has_area

    if not has_area(user, Area.CLAIMS):
        return get_object_or_404(SettlementImport.objects.none(), pk=pk)
    return get_object_or_404(SettlementImport.objects.select_related("policy", "job").defer("raw", "checked"), pk=pk)
