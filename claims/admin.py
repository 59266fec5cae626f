"""Read-only views of claims data for administrators; every write goes through claims.services
(policy edits: the policy pages; settlements: imports and recalculations)."""

from django.contrib import admin

from claims.models import Policy, PolicyVersion, Settlement


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Policy)
class PolicyAdmin(ReadOnly):
    list_display = ("code", "name", "scheme", "year", "partial")


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnly):
    list_display = ("policy", "number", "note", "created_by", "created_at")
    list_filter = ("policy",)


@admin.register(Settlement)
class SettlementAdmin(ReadOnly):
    list_display = ("number", "institution", "kind", "hospital_level", "settled_on", "fund_paid")
    list_filter = ("kind", "hospital_level", "scheme")
    search_fields = ("number",)
    show_full_result_count = False
