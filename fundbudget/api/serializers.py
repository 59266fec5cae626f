"""Input/output serializers of the fund-budget API (amounts as decimal strings)."""

from rest_framework import serializers

from ..models import Fund, FundBudget, FundWarning, Indicator, Level, MonthlyStatement, WarningRule

MONEY = {"max_digits": 16, "decimal_places": 2}


def Money(**kw):  # noqa: N802 - reads like a field class
    return serializers.DecimalField(**MONEY, **kw)


def Pct(**kw):  # noqa: N802
    return serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True, **kw)


class StatementInSerializer(serializers.Serializer):
    fund = serializers.ChoiceField(choices=Fund.choices)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    month = serializers.IntegerField(min_value=1, max_value=12)
    income_ytd = Money(min_value=0)
    expenditure_ytd = Money(min_value=0)
    accumulated_balance = Money()


class StatementOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = MonthlyStatement
        fields = [
            "id",
            "fund",
            "year",
            "month",
            "income_ytd",
            "expenditure_ytd",
            "accumulated_balance",
            "source",
            "updated_at",
        ]


class WarningOutSerializer(serializers.ModelSerializer):
    indicator_label = serializers.CharField(source="get_indicator_display")
    level_label = serializers.CharField(source="get_level_display")

    class Meta:
        model = FundWarning
        fields = [
            "fund",
            "year",
            "month",
            "indicator",
            "indicator_label",
            "value",
            "level",
            "level_label",
            "comparison",
            "threshold",
            "raised_at",
        ]


class BudgetLineOutSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    amount = Money()


class BudgetTotalsSerializer(serializers.Serializer):
    income_total = Money()
    expenditure_total = Money()
    available_fund = Money()


class BudgetLinesSerializer(serializers.Serializer):
    income = BudgetLineOutSerializer(many=True)
    expenditure = BudgetLineOutSerializer(many=True)


class BudgetOutSerializer(serializers.ModelSerializer):
    lines = serializers.SerializerMethodField()
    totals = serializers.SerializerMethodField()

    class Meta:
        model = FundBudget
        fields = ["fund", "year", "note", "lines", "totals"]

    def get_lines(self, obj) -> BudgetLinesSerializer:
        from ..selectors import budget_lines

        return BudgetLinesSerializer(budget_lines(obj)).data

    def get_totals(self, obj) -> BudgetTotalsSerializer:
        from ..selectors import budget_totals_of

        return BudgetTotalsSerializer(budget_totals_of(obj)).data


class ExecutionSerializer(serializers.Serializer):
    income_ytd = Money()
    expenditure_ytd = Money()
    current_balance = Money()
    accumulated_balance = Money()
    time_progress = Pct()
    months_payable = Pct()
    income_budget = Money(allow_null=True)
    expenditure_budget = Money(allow_null=True)
    available_fund = Money(allow_null=True)
    income_progress = Pct()
    expenditure_progress = Pct()
    available_fund_used = Pct()
    execution_gap = Pct()
    last_year_income_ytd = Money(allow_null=True)
    last_year_expenditure_ytd = Money(allow_null=True)
    income_growth = Pct()
    expenditure_growth = Pct()
    growth_gap = Pct()


class ProjectionSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=[("seasonal", "seasonal"), ("run_rate", "run_rate")])
    projected = Money(allow_null=True)
    share_of_available = Pct()
    over_available = Money(allow_null=True)


class SeriesSerializer(serializers.Serializer):
    month = serializers.IntegerField()
    income = Money(allow_null=True)
    expenditure = Money(allow_null=True)
    expenditure_ytd = Money(allow_null=True)
    accumulated_balance = Money(allow_null=True)
    last_year_expenditure = Money(allow_null=True)


class ReconciliationSerializer(serializers.Serializer):
    month = serializers.IntegerField()
    statement_expenditure_ytd = Money()
    portal_expenditure_ytd = Money()
    difference = Money()
    difference_share = Pct()


class LevelCostSerializer(serializers.Serializer):
    level = serializers.IntegerField()
    level_label = serializers.CharField()
    count = serializers.IntegerField()
    total_cost = Money()
    fund_paid = Money()
    average_cost = Money(allow_null=True)
    last_year_count = serializers.IntegerField(allow_null=True)
    last_year_average_cost = Money(allow_null=True)
    count_growth = Pct()
    average_cost_growth = Pct()
    last_year_fund_paid = Money(allow_null=True)
    fund_paid_growth = Pct()
    fund_paid_share = Pct()
    budget = Money(allow_null=True)
    budget_progress = Pct()


class FundWarningBriefSerializer(serializers.Serializer):
    indicator = serializers.ChoiceField(choices=Indicator.choices)
    indicator_label = serializers.CharField()
    value = Money()
    level = serializers.ChoiceField(choices=Level.choices)
    level_label = serializers.CharField()
    comparison = serializers.CharField()
    threshold = Money()


class FundFiguresSerializer(serializers.Serializer):
    fund = serializers.ChoiceField(choices=Fund.choices)
    fund_label = serializers.CharField()
    year = serializers.IntegerField()
    month = serializers.IntegerField()
    has_statement = serializers.BooleanField()
    has_budget = serializers.BooleanField()
    execution = ExecutionSerializer(allow_null=True)
    projections = ProjectionSerializer(many=True)
    budget = BudgetLinesSerializer(allow_null=True)
    budget_totals = BudgetTotalsSerializer(allow_null=True)
    series = SeriesSerializer(many=True)
    reconciliation = ReconciliationSerializer(allow_null=True)
    levels = LevelCostSerializer(many=True)
    warnings = FundWarningBriefSerializer(many=True)


class ExecutionReportSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    month = serializers.IntegerField()
    funds = FundFiguresSerializer(many=True)


class PeriodQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    month = serializers.IntegerField(min_value=1, max_value=12)
    fund = serializers.ChoiceField(choices=Fund.choices, required=False)


class WarningRuleOutSerializer(serializers.ModelSerializer):
    indicator_label = serializers.CharField(source="get_indicator_display")
    level_label = serializers.CharField(source="get_level_display")

    class Meta:
        model = WarningRule
        fields = ["id", "indicator", "indicator_label", "comparison", "threshold", "level", "level_label", "active"]
