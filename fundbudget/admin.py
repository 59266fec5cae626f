"""Admin: reference data at a glance; thresholds change through the service (audit row, re-evaluation)."""

from django.contrib import admin

from . import services
from .models import FundBudget, FundWarning, MonthlyStatement, WarningRule


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MonthlyStatement)
class MonthlyStatementAdmin(ReadOnlyAdmin):
    list_display = ["year", "month", "fund", "income_ytd", "expenditure_ytd", "accumulated_balance", "source"]
    list_filter = ["fund", "year"]


@admin.register(FundBudget)
class FundBudgetAdmin(ReadOnlyAdmin):
    list_display = ["year", "fund", "note", "updated_at"]


@admin.register(FundWarning)
class FundWarningAdmin(ReadOnlyAdmin):
    list_display = ["year", "month", "fund", "indicator", "value", "level"]
    list_filter = ["level", "fund", "year"]


@admin.register(WarningRule)
class WarningRuleAdmin(admin.ModelAdmin):
    list_display = ["indicator", "comparison", "threshold", "level", "active"]
    fields = ["indicator", "comparison", "level", "threshold", "active"]
    readonly_fields = ["indicator", "comparison", "level"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.warning_rule_update(actor=request.user, rule_id=obj.pk, threshold=obj.threshold, active=obj.active)
