from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _seed_catalogue(sender, *, using=DEFAULT_DB_ALIAS, apps=None, **kwargs) -> None:
    """The catalogue is seed data: put back what is missing after ``migrate`` and ``flush`` (which empties
    every table, the data migration's rows included). The bureau's edits are never touched."""
    if using != DEFAULT_DB_ALIAS:
        return
    if apps is None:
        from django.apps import apps
    try:
        HandlingItem = apps.get_model("handling", "HandlingItem")
        Disease = apps.get_model("handling", "Disease")
    except LookupError:
        return
    from handling.catalogue import load

    load(HandlingItem, Disease)


class HandlingConfig(AppConfig):
    name = "handling"
    verbose_name = _("经办服务")

    def ready(self) -> None:
        post_migrate.connect(_seed_catalogue, sender=self, dispatch_uid="handling.seed_catalogue")
