from django.contrib import admin

from medinsure.institutions.models import Institution


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "level", "division"]
    list_filter = ["kind", "level"]
    search_fields = ["code", "name"]
