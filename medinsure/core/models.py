from django.db import models
from django.utils.translation import gettext_lazy as _


class FormSubmission(models.Model):
    """A one-time form token seen once (medinsure.core.once): a second POST with the same token — a
    double click, a browser resubmitting — gets the first one's redirect instead of a second record."""

    owner = models.CharField(_("提交人"), max_length=64)  # user id, else "anon"
    token = models.CharField(_("表单令牌"), max_length=64)
    path = models.CharField(_("地址"), max_length=500)
    location = models.CharField(_("跳转地址"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("表单提交")
        verbose_name_plural = _("表单提交")
        constraints = [models.UniqueConstraint(fields=["owner", "token"], name="form_submission_once")]

    def __str__(self) -> str:
        return f"{self.path} {self.token}"


class ImportRecord(models.Model):
    """What every import keeps (abstract; each importer's model inherits it): the one lifecycle's status
    (``medinsure.rules.imports``) and the data handed from the check to the write, in the database so
    any worker on any host can continue an import — nothing of it on a disk.

    - ``raw``: the upload as sent (bytes); ``checked``: the checked rows as the importer needs them for
      its write (zlib-compressed: ``medinsure.core.imports.pack``/``unpack``/``inflate_text``);
      ``errors``: the row errors as ``RowError.as_dict()``.
    - ``purged_at``: when ``imports_retention`` cleared ``raw``, ``checked`` and ``errors`` (after
      ``MEDINSURE_RETENTION_IMPORT_DAYS``); the row, its counts, who and when stay.

    A model may redeclare ``status`` to give a status its own label, never its own value."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("校验中")
        PREVIEW = "preview", _("待确认")
        ACCEPTING = "accepting", _("导入中")
        DONE = "done", _("已导入")
        INVALID = "invalid", _("有错误")
        FAILED = "failed", _("导入失败")

    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.CHECKING)
    raw = models.BinaryField(_("上传的文件"), null=True, blank=True, editable=False)
    checked = models.BinaryField(_("校验通过的数据"), null=True, blank=True, editable=False)
    errors = models.JSONField(_("错误明细"), default=list, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True, db_index=True)
    purged_at = models.DateTimeField(_("文件删除时间"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def purged(self) -> bool:
        return self.purged_at is not None

    @property
    def retention_days(self) -> int:
        from django.conf import settings

        return settings.MEDINSURE_RETENTION_IMPORT_DAYS

    def row_errors(self):
        from medinsure.rules.imports import RowError

        return [RowError(**e) for e in self.errors or []]
