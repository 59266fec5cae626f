"""Read-only admin views: every write goes through the pages and their services. Proposals (their text
and proposers) are not here: the replies pages scope and audit them; the admin neither masks nor audits."""

from django.contrib import admin

from replies.models import HolidayDay, HolidayYear, PublishedReply


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HolidayDayInline(admin.TabularInline):
    model = HolidayDay
    extra = 0
    can_delete = False
    readonly_fields = ["day", "kind", "name"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(HolidayYear)
class HolidayYearAdmin(ReadOnly):
    list_display = ["year", "source", "note", "entered_at"]
    inlines = [HolidayDayInline]


@admin.register(PublishedReply)
class PublishedReplyAdmin(ReadOnly):
    list_display = ["title", "published_at", "redactions"]
