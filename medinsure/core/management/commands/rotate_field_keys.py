"""manage.py rotate_field_keys — re-encrypt every encrypted column under the first key of
settings.FIELD_ENCRYPTION_KEYS (MultiFernet.rotate), after which older keys can leave the list.

An encrypted column is a text field named `*_encrypted` (supervision's `Report.identity_encrypted`);
the core reads the models through the app registry, so it imports no business app. One transaction per
chunk, one audit row per column; a re-run is harmless (already rotated values are rotated again)."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models, transaction

from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.core import crypto

CHUNK = 1000


def encrypted_columns():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.name.endswith("_encrypted") and isinstance(field, models.TextField):
                yield model, field.name


class Command(BaseCommand):
    help = "用第一个密钥重新加密所有加密字段（密钥轮换）"

    def handle(self, *args, **options):
        for model, name in encrypted_columns():
            done, last = 0, 0
            while True:
                with transaction.atomic():
                    rows = list(
                        model._default_manager.select_for_update()
                        .filter(pk__gt=last)
                        .exclude(**{name: ""})
                        .order_by("pk")[:CHUNK]
                    )
                    if not rows:
                        break
                    for row in rows:
                        setattr(row, name, crypto.rotate_text(getattr(row, name)))
                    model._default_manager.bulk_update(rows, [name])
                    last, done = rows[-1].pk, done + len(rows)
            with transaction.atomic():
                audit_log(
                    actor=None,
                    verb=AuditLog.Action.CHANGE,
                    obj=model,
                    key=name,
                    summary=f"加密字段换用新密钥：{model._meta.label} {name} {done} 行",
                )
            self.stdout.write(f"{model._meta.label}.{name}: {done}")
