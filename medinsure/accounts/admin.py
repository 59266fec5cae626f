from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from medinsure.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "last_name", "first_name", "role", "division", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("业务角色"), {"fields": ["role", "division", "institution", "phone"]}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("业务角色"), {"fields": ["role", "division", "institution"]}),)
    autocomplete_fields = ["division"]
