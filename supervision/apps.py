from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _seed_default_audit_rules(sender, *, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """The default audit rules are seed data, like the replies' holiday years: put back any that is
    missing after ``migrate`` and after ``flush`` (which empties every table, the data migration's rows
    included, then sends post_migrate — a test after a transactional test would otherwise run the audit
    with no rules). A bureau's edits to a rule are kept; only missing codes are added."""
    if using != DEFAULT_DB_ALIAS:
        return
    with connections[using].cursor() as cursor:
        if "supervision_auditrule" not in connections[using].introspection.table_names(cursor):
            return  # supervision is not migrated (yet, or any more)
    from supervision.services import audit_rules_ensure_defaults

    audit_rules_ensure_defaults()


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("基金监管")

    def ready(self) -> None:
        post_migrate.connect(_seed_default_audit_rules, sender=self, dispatch_uid="supervision.seed_audit_rules")
