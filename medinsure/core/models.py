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
