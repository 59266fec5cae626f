"""Fund budgets, monthly statements, warning rules and warnings (基金预算与运行风险预警).

The fund is pooled at city level and budgeted per district: these rows are district-wide
(no township), so only bureau-wide roles with the fund-budget area read them.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from medinsure.core.models import ImportRecord

from .rules import warnings as wr

MONEY = {"max_digits": 16, "decimal_places": 2}


class Fund(models.TextChoices):
    EMPLOYEE = "employee", _("职工基本医疗保险统筹基金")
    RESIDENT = "resident", _("城乡居民基本医疗保险基金")
    LTC = "ltc", _("长期护理保险基金")


# The claims contract speaks of schemes; long-term care has no settlements in the portal.
FUND_SCHEME = {Fund.EMPLOYEE: "employee", Fund.RESIDENT: "resident"}


class IncomeSource(models.TextChoices):
    PERSONAL = "personal", _("个人缴费")
    EMPLOYER = "employer", _("单位缴费")
    CENTRAL_SUBSIDY = "central_subsidy", _("中央财政补助")
    PROVINCIAL_SUBSIDY = "provincial_subsidy", _("省级财政补助")
    MUNICIPAL_SUBSIDY = "municipal_subsidy", _("市级财政补助")
    COUNTY_SUBSIDY = "county_subsidy", _("县级财政补助")
    INTEREST = "interest", _("利息收入")
    OTHER = "other_income", _("其他收入")


class ExpenditureCategory(models.TextChoices):
    INPATIENT_TOWNSHIP = "inpatient_township", _("乡镇卫生院住院")
    INPATIENT_COUNTY = "inpatient_county", _("县级医院住院")
    INPATIENT_MUNICIPAL = "inpatient_municipal", _("市级医院住院")
    INPATIENT_PROVINCIAL = "inpatient_provincial", _("省级及省外医院住院")
    GENERAL_OUTPATIENT = "general_outpatient", _("普通门诊")
    CHRONIC_OUTPATIENT = "chronic_outpatient", _("门诊慢性病")
    SPECIAL_DISEASE = "special_disease", _("特殊病种")
    CRITICAL_ILLNESS_PREMIUM = "critical_illness_premium", _("大病保险保费")
    OTHER = "other_expenditure", _("其他支出")


class Level(models.TextChoices):
    YELLOW = wr.YELLOW, _("关注")
    ORANGE = wr.ORANGE, _("预警")
    RED = wr.RED, _("严重")


class Indicator(models.TextChoices):
    CURRENT_DEFICIT = wr.CURRENT_DEFICIT, _("当期收不抵支")
    MONTHS_PAYABLE_LOW = wr.MONTHS_PAYABLE_LOW, _("累计结存可支付月数过低")
    MONTHS_PAYABLE_HIGH = wr.MONTHS_PAYABLE_HIGH, _("累计结存过多")
    EXPENDITURE_OUTPACING_INCOME = wr.EXPENDITURE_OUTPACING_INCOME, _("支出增速高于收入增速")
    EXECUTION_AHEAD_OF_TIME = wr.EXECUTION_AHEAD_OF_TIME, _("支出进度快于时间进度")


class Comparison(models.TextChoices):
    LT = wr.LT, "<"
    LE = wr.LE, "≤"
    GT = wr.GT, ">"
    GE = wr.GE, "≥"


class FundBudget(models.Model):
    fund = models.CharField(_("基金"), max_length=16, choices=Fund.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("基金收支预算")
        verbose_name_plural = _("基金收支预算")
        ordering = ["-year", "fund"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "year"], name="fundbudget_budget_fund_year_uniq"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="fundbudget_budget_year_range"),
        ]

    def __str__(self):
        return f"{self.year} {self.get_fund_display()}"


class BudgetLine(models.Model):
    class Kind(models.TextChoices):
        INCOME = "income", _("收入")
        EXPENDITURE = "expenditure", _("支出")

    budget = models.ForeignKey(FundBudget, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("收支"), max_length=12, choices=Kind.choices)
    code = models.CharField(_("项目"), max_length=32)
    amount = models.DecimalField(_("金额(元)"), **MONEY)

    class Meta:
        verbose_name = _("预算明细")
        verbose_name_plural = _("预算明细")
        constraints = [
            models.UniqueConstraint(fields=["budget", "kind", "code"], name="fundbudget_line_uniq"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="fundbudget_line_amount_nonneg"),
            models.CheckConstraint(
                condition=(Q(kind="income", code__in=IncomeSource.values))
                | Q(kind="expenditure", code__in=ExpenditureCategory.values),
                name="fundbudget_line_code_matches_kind",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.label()} {self.amount}"

    def label(self):
        choices = IncomeSource if self.kind == self.Kind.INCOME else ExpenditureCategory
        return dict(choices.choices).get(self.code, self.code)


class MonthlyStatement(models.Model):
    class Source(models.TextChoices):
        IMPORT = "import", _("财务报表导入")
        FORM = "form", _("手工录入")
        API = "api", _("接口")
        DEMO = "demo", _("演示数据")

    fund = models.CharField(_("基金"), max_length=16, choices=Fund.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    income_ytd = models.DecimalField(_("本年累计收入(元)"), **MONEY)
    expenditure_ytd = models.DecimalField(_("本年累计支出(元)"), **MONEY)
    accumulated_balance = models.DecimalField(_("累计结余(元)"), **MONEY)
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("基金月度收支报表")
        verbose_name_plural = _("基金月度收支报表")
        ordering = ["-year", "-month", "fund"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "year", "month"], name="fundbudget_statement_uniq"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="fundbudget_statement_month"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="fundbudget_statement_year_range"),
            models.CheckConstraint(
                condition=Q(income_ytd__gte=0, expenditure_ytd__gte=0), name="fundbudget_statement_ytd_nonneg"
            ),
        ]

    def __str__(self):
        return f"{self.year}-{self.month:02d} {self.get_fund_display()}"

    @property
    def current_balance(self):
        return self.income_ytd - self.expenditure_ytd


class WarningRule(models.Model):
    """A threshold kept as data (defaults from the domain page, editable by the fund department)."""

    indicator = models.CharField(_("指标"), max_length=40, choices=Indicator.choices)
    comparison = models.CharField(_("比较"), max_length=2, choices=Comparison.choices)
    threshold = models.DecimalField(_("阈值"), **MONEY)
    level = models.CharField(_("预警等级"), max_length=8, choices=Level.choices)
    active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("预警规则")
        verbose_name_plural = _("预警规则")
        ordering = ["indicator", "threshold"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "level"], name="fundbudget_rule_indicator_level_uniq"),
        ]

    def __str__(self):
        return f"{self.get_indicator_display()} {self.get_comparison_display()} {self.threshold} → {self.get_level_display()}"

    def as_rule(self) -> wr.Rule:
        return wr.Rule(self.indicator, self.comparison, self.threshold, self.level)


class FundWarning(models.Model):
    """A warning raised by a statement; re-evaluating the statement updates it in place."""

    statement = models.ForeignKey(MonthlyStatement, on_delete=models.CASCADE, related_name="warnings")
    fund = models.CharField(_("基金"), max_length=16, choices=Fund.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    indicator = models.CharField(_("指标"), max_length=40, choices=Indicator.choices)
    value = models.DecimalField(_("指标值"), **MONEY)
    level = models.CharField(_("预警等级"), max_length=8, choices=Level.choices)
    comparison = models.CharField(_("比较"), max_length=2, choices=Comparison.choices)
    threshold = models.DecimalField(_("阈值"), **MONEY)
    raised_at = models.DateTimeField(_("预警时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("基金运行风险预警")
        verbose_name_plural = _("基金运行风险预警")
        ordering = ["-year", "-month", "fund", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "indicator"], name="fundbudget_warning_uniq"),
        ]
        indexes = [models.Index(fields=["year", "month"], name="fundbudget_warning_ym")]

    def __str__(self):
        return f"{self.year}-{self.month:02d} {self.get_fund_display()} {self.get_indicator_display()} {self.get_level_display()}"


class WarningNotice(models.Model):
    """The in-portal message a fund-department user gets for a warning (新预警提醒)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    warning = models.ForeignKey(FundWarning, on_delete=models.CASCADE, related_name="notices")
    level = models.CharField(_("预警等级"), max_length=8, choices=Level.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("预警消息")
        verbose_name_plural = _("预警消息")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "warning", "level"], name="fundbudget_notice_uniq"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="fundbudget_notice_unread")]

    def __str__(self):
        return f"{self.recipient} · {self.warning}"


class StatementImport(ImportRecord):
    """An uploaded finance workbook: its validated rows wait in the database (``checked``, the core's
    ``ImportRecord``) until the user accepts them; ``rows`` reads them back."""

    class Status(models.TextChoices):  # the core's lifecycle (medinsure.rules.imports), fundbudget's labels
        CHECKING = "checking", _("校验中")
        PREVIEW = "preview", _("待确认")
        ACCEPTING = "accepting", _("导入中")
        DONE = "done", _("已导入")
        INVALID = "invalid", _("有错误")
        FAILED = "failed", _("导入失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    filename = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.CHECKING)
    result = models.JSONField(default=dict)  # {"created": n, "updated": n, "unchanged": n}

    class Meta:
        verbose_name = _("报表导入批次")
        verbose_name_plural = _("报表导入批次")
        ordering = ["-created_at"]

    @property
    def rows(self) -> list[dict]:
        """The validated rows (amounts as strings), unpacked from ``checked``."""
        import json

        from medinsure.core.imports import unpack

        return json.loads(unpack(self.checked) or b"[]")

    def __str__(self):
        return self.filename
