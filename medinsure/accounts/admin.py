"""Users in the Django admin: accounts, names, area — but a role changes only through
`services.user_role_change` (one audit row; nobody changes their own role, so nobody grants themselves
supervision_head), and superuser/staff status and Django permissions follow the role, never a tick box.
API tokens are listed on each user's own token page, not here. Personal-data models (residents,
settlements, reports, proposals, the audit log) are registered nowhere in the admin: it neither masks
nor audits (tests/core/test_admin_and_roles.py keeps that list honest)."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from medinsure.accounts import services
from medinsure.accounts.models import User
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log

_ROLE_FIELDS = ["role", "division", "institution", "phone"]


class UserChangeForm(BaseUserAdmin.form):
    def clean_role(self):
        role = self.cleaned_data["role"]
        if self.instance.pk and role != self.instance.role:
            try:
                services.check_role_change(actor=self.request_user, user=self.instance, role=role)
            except PermissionDenied:
                raise forms.ValidationError(_("只有系统管理员可以更改角色。")) from None
            except ValidationError as exc:
                raise forms.ValidationError(exc.message_dict.get("role", exc.messages)) from None
        return role


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeForm
    list_display = ["username", "last_name", "first_name", "role", "division", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("业务角色"), {"fields": _ROLE_FIELDS}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("业务角色"), {"fields": ["role", "division", "institution"]}),)
    readonly_fields = ["is_staff", "is_superuser", "last_login", "date_joined"]
    autocomplete_fields = ["division"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        if change and "role" in form.changed_data:
            # the role (with the area it needs) through the service, then everything else as usual
            changed = services.user_role_change(
                actor=request.user,
                user_id=obj.pk,
                role=obj.role,
                division_id=obj.division_id,
                institution_id=obj.institution_id,
            )
            obj.is_staff, obj.is_superuser = changed.is_staff, changed.is_superuser
            super().save_model(request, obj, form, change)
            return
        if not change:
            obj.is_staff = obj.is_superuser = obj.role == "admin"
        super().save_model(request, obj, form, change)
        if not change:
            audit_log(
                actor=request.user,
                verb=AuditLog.Action.CHANGE,
                obj=obj,
                summary=f"创建用户 {obj.username}（{obj.get_role_display()}）",
            )
