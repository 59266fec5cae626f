from decimal import Decimal

import factory

from fundbudget.models import Fund, MonthlyStatement


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonthlyStatement

    fund = Fund.EMPLOYEE
    year = 2024
    month = 4
    income_ytd = Decimal("74915100.00")
    expenditure_ytd = Decimal("51730500.00")
    accumulated_balance = Decimal("581000000.00")
    source = MonthlyStatement.Source.FORM


SEED_004 = {
    Fund.EMPLOYEE: {"income_ytd": "74915100", "expenditure_ytd": "51730500", "accumulated_balance": "581000000"},
    Fund.RESIDENT: {"income_ytd": "45548100", "expenditure_ytd": "63866100", "accumulated_balance": "51872000"},
}
