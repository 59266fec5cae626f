from django.contrib import admin

from enrollment.models import Campaign, CampaignTier
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log


class TierInline(admin.TabularInline):
    model = CampaignTier
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("year", "name", "collection_start", "collection_end", "city_target", "township_total", "base_ratio")
    inlines = [TierInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_log(
            actor=request.user,
            action=AuditLog.Action.CHANGE,
            object_type="enrollment.Campaign",
            object_id=obj.pk,
            summary=f"admin save {obj.year}",
            request=request,
        )
