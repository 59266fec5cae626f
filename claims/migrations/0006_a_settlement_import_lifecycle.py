"""The settlement import joins the core's one import lifecycle and storage (medinsure.core.models.ImportRecord):
``content`` becomes ``raw`` (cleared after the retention period), ``queued`` becomes ``accepting``; the
four-eyes fields for a file that disagrees with amounts already paid."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Func, IntegerField

RENAMES = {"queued": "accepting"}


def forwards(apps, schema_editor):
    SettlementImport = apps.get_model("claims", "SettlementImport")
    for old, new in RENAMES.items():
        SettlementImport.objects.filter(status=old).update(status=new)
    SettlementImport.objects.update(
        error_count=Func("errors", function="jsonb_array_length", output_field=IntegerField())
    )


def backwards(apps, schema_editor):
    SettlementImport = apps.get_model("claims", "SettlementImport")
    for old, new in RENAMES.items():
        SettlementImport.objects.filter(status=new).update(status=old)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0005_c_recalculation_approved_by_another"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField("settlementimport", "content", "raw"),
        migrations.AlterField(
            model_name="settlementimport",
            name="raw",
            field=models.BinaryField(blank=True, editable=False, null=True, verbose_name="上传的文件"),
        ),
        migrations.AddField(
            model_name="settlementimport",
            name="checked",
            field=models.BinaryField(blank=True, editable=False, null=True, verbose_name="校验通过的数据"),
        ),
        migrations.AddField(
            model_name="settlementimport",
            name="purged_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="文件删除时间"),
        ),
        migrations.AddField(
            model_name="settlementimport",
            name="error_count",
            field=models.PositiveIntegerField(default=0, verbose_name="错误数"),
        ),
        migrations.AddField(
            model_name="settlementimport",
            name="needs_approval",
            field=models.BooleanField(default=False, verbose_name="须另一人审批"),
        ),
        migrations.AddField(
            model_name="settlementimport",
            name="approved_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="审批时间"),
        ),
        migrations.AddField(
            model_name="settlementimport",
            name="approved_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="审批人",
            ),
        ),
        migrations.AlterField(
            model_name="settlementimport",
            name="status",
            field=models.CharField(
                choices=[
                    ("checking", "校验中"),
                    ("invalid", "有错误"),
                    ("preview", "待确认"),
                    ("accepting", "写入中"),
                    ("done", "已导入"),
                    ("failed", "失败"),
                ],
                default="checking",
                max_length=12,
                verbose_name="状态",
            ),
        ),
        migrations.AlterField(
            model_name="settlementimport",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="上传时间"),
        ),
        migrations.AlterField(
            model_name="settlementimport",
            name="errors",
            field=models.JSONField(blank=True, default=list, verbose_name="错误明细"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
