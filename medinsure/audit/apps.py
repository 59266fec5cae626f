from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "medinsure.audit"
    label = "audit"
    verbose_name = _("审计日志")

    def ready(self):
        from medinsure.audit import signals  # noqa: F401  (sign-in, sign-out and failed sign-in rows)
