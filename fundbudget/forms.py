from django import forms
from django.utils.translation import gettext_lazy as _

from medinsure.core.uploads import UploadField

from .models import ExpenditureCategory, Fund, IncomeSource, MonthlyStatement

MONEY = {"max_digits": 16, "decimal_places": 2}


class PeriodForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("月份"), min_value=1, max_value=12)


class StatementForm(forms.Form):
    fund = forms.ChoiceField(label=_("基金"), choices=Fund.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("月份"), min_value=1, max_value=12)
    income_ytd = forms.DecimalField(
        label=MonthlyStatement._meta.get_field("income_ytd").verbose_name, min_value=0, **MONEY
    )
    expenditure_ytd = forms.DecimalField(
        label=MonthlyStatement._meta.get_field("expenditure_ytd").verbose_name, min_value=0, **MONEY
    )
    accumulated_balance = forms.DecimalField(
        label=MonthlyStatement._meta.get_field("accumulated_balance").verbose_name, **MONEY
    )


class UploadForm(forms.Form):
    file = UploadField(label=_("财务月报Excel文件（.xlsx）"), kind="fundbudget_statement", allowed=("xlsx",))


class BudgetForm(forms.Form):
    """One field per income source and expenditure category (yuan)."""

    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in IncomeSource.choices:
            self.fields[f"in_{code}"] = forms.DecimalField(label=label, min_value=0, required=False, **MONEY)
        for code, label in ExpenditureCategory.choices:
            self.fields[f"ex_{code}"] = forms.DecimalField(label=label, min_value=0, required=False, **MONEY)

    def income_fields(self):
        return [self[f"in_{c}"] for c in IncomeSource.values]

    def expenditure_fields(self):
        return [self[f"ex_{c}"] for c in ExpenditureCategory.values]

    def lines(self):
        d = self.cleaned_data
        income = {c: d[f"in_{c}"] for c in IncomeSource.values if d.get(f"in_{c}") is not None}
        expenditure = {c: d[f"ex_{c}"] for c in ExpenditureCategory.values if d.get(f"ex_{c}") is not None}
        return income, expenditure


class RuleForm(forms.Form):
    threshold = forms.DecimalField(label=_("阈值"), **MONEY)
    active = forms.BooleanField(label=_("启用"), required=False)
