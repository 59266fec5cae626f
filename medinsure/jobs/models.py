import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """Progress of long background work (imports, recalculations), shown as a progress bar."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("类型"), max_length=64)
    title = models.CharField(_("标题"), max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, on_delete=models.SET_NULL)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveBigIntegerField(_("总数"), default=0)
    done = models.PositiveBigIntegerField(_("已完成"), default=0)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_status_display()}）"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class OutboxMessage(models.Model):
    """A task to publish to the broker, written in the same transaction as the work it belongs to
    (a transactional outbox): with Redis down the row stays and is published when Redis is back."""

    task = models.CharField(_("任务"), max_length=200)
    args = models.JSONField(_("位置参数"), default=list, blank=True)
    kwargs = models.JSONField(_("关键字参数"), default=dict, blank=True)
    queue = models.CharField(_("队列"), max_length=64, blank=True)
    countdown = models.PositiveIntegerField(_("延迟秒数"), null=True, blank=True)
    job = models.ForeignKey(Job, verbose_name=_("后台任务"), null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("发送次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("待发送任务")
        verbose_name_plural = _("待发送任务")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["created_at"], condition=models.Q(sent_at__isnull=True), name="outbox_pending_idx")
        ]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk}"
