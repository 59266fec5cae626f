"""The statement import joins the core's one import lifecycle and storage (medinsure.core.models.ImportRecord):
pending → preview, applied → done; the validated rows move from a JSON column into ``checked`` (packed),
the upload is kept as ``raw``; ``uploaded_at`` becomes the core's ``created_at``."""

import json
import zlib

from django.db import migrations, models

RENAMES = {"pending": "preview", "applied": "done"}


def forwards(apps, schema_editor):
    StatementImport = apps.get_model("fundbudget", "StatementImport")
    for old, new in RENAMES.items():
        StatementImport.objects.filter(status=old).update(status=new)
    for batch in StatementImport.objects.all().iterator():
        batch.checked = zlib.compress(json.dumps(batch.rows, ensure_ascii=False).encode("utf-8"), 6)
        batch.save(update_fields=["checked"])


def backwards(apps, schema_editor):
    StatementImport = apps.get_model("fundbudget", "StatementImport")
    for old, new in RENAMES.items():
        StatementImport.objects.filter(status=new).update(status=old)
    for batch in StatementImport.objects.all().iterator():
        batch.rows = json.loads(zlib.decompress(bytes(batch.checked))) if batch.checked else []
        batch.save(update_fields=["rows"])


class Migration(migrations.Migration):
    dependencies = [("fundbudget", "0004_statement_import_errors_as_row_errors")]

    operations = [
        migrations.RenameField("statementimport", "uploaded_at", "created_at"),
        migrations.AlterModelOptions(
            name="statementimport",
            options={
                "ordering": ["-created_at"],
                "verbose_name": "报表导入批次",
                "verbose_name_plural": "报表导入批次",
            },
        ),
        migrations.AlterField(
            model_name="statementimport",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="上传时间"),
        ),
        migrations.AddField(
            model_name="statementimport",
            name="raw",
            field=models.BinaryField(blank=True, editable=False, null=True, verbose_name="上传的文件"),
        ),
        migrations.AddField(
            model_name="statementimport",
            name="checked",
            field=models.BinaryField(blank=True, editable=False, null=True, verbose_name="校验通过的数据"),
        ),
        migrations.AddField(
            model_name="statementimport",
            name="purged_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="文件删除时间"),
        ),
        migrations.AlterField(
            model_name="statementimport",
            name="errors",
            field=models.JSONField(blank=True, default=list, verbose_name="错误明细"),
        ),
        migrations.AlterField(
            model_name="statementimport",
            name="status",
            field=models.CharField(
                choices=[
                    ("checking", "校验中"),
                    ("preview", "待确认"),
                    ("accepting", "导入中"),
                    ("done", "已导入"),
                    ("invalid", "有错误"),
                    ("failed", "导入失败"),
                ],
                default="checking",
                max_length=12,
                verbose_name="状态",
            ),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField("statementimport", "rows"),
    ]
