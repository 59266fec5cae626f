"""Read-only views of claims' reference data for administrators; every write goes through claims.services
(policy edits: the policy pages). Settlements are personal data: they are not in the Django admin, which
neither masks nor audits — the claims pages show them, masked and audited."""

from django.contrib import admin

from claims.models import Policy, PolicyVersion


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
