from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect

from enrollment import services
from enrollment.forms import tier_inputs
from enrollment.models import Campaign, CampaignTier

_FIELDS = (
    "name",
    "collection_start",
    "collection_end",
    "city_target",
    "township_total",
    "base_ratio",
    "reminder_round_days",
)


class TierInline(admin.TabularInline):
    model = CampaignTier
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Campaigns are written through services.campaign_create/update, as in the portal (rules, lock, audit row)."""

    list_display = ("year", "name", "collection_start", "collection_end", "city_target", "township_total", "base_ratio")
    inlines = [TierInline]

    def get_readonly_fields(self, request, obj=None):
        return ("year",) if obj is not None else ()

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # not wrapped in the admin's own transaction: the services open a durable one
        try:
            return self._changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        pass  # written with its tiers in save_related, through the service

    def save_related(self, request, form, formsets, change):
        tiers = []
        for formset in formsets:
            # the admin's change message reads these, which formset.save() would have set
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            if formset.model is CampaignTier:
                tiers += tier_inputs(formset)
        obj = form.instance
        values = {f: getattr(obj, f) for f in _FIELDS}
        if change:
            saved = services.campaign_update(actor=request.user, campaign=obj, tiers=tiers, **values)
        else:
            saved = services.campaign_create(actor=request.user, year=obj.year, tiers=tiers, **values)
        obj.pk = saved.pk
        obj.created_at = saved.created_at
