from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("系统管理员")
    LEADER = "leader", _("局领导")
    DIRECTOR = "director", _("局长")
    ENROLLMENT = "enrollment", _("参保征缴科")
    CLAIMS = "claims", _("待遇保障科")
    SUPERVISION = "supervision", _("基金监管科")
    SUPERVISION_HEAD = "supervision_head", _("基金监管科科长")
    FUND = "fund", _("规划财务科")
    OFFICE = "office", _("办公室")
    TOWNSHIP = "township", _("镇街经办员")
    VILLAGE = "village", _("村社网格员")
    INSTITUTION = "institution", _("定点机构人员")
    API_CLIENT = "api_client", _("接口用户")


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.OFFICE)
    division = models.ForeignKey(
        "regions.Division",
        verbose_name=_("所属区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("镇街、村社人员只能看到本区域；局机关人员留空"),
    )
    institution = models.ForeignKey(
        "institutions.Institution", verbose_name=_("所属机构"), null=True, blank=True, on_delete=models.PROTECT
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=["township", "village"]) | models.Q(division__isnull=False),
                name="area_worker_has_division",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="institution") | models.Q(institution__isnull=False),
                name="institution_user_has_institution",
            ),
        ]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A REST client's credential (`Authorization: Token <secret>`). Only the SHA-256 digest of the
    secret is stored (the secret is shown once, when it is made); it expires, can be revoked, and
    belongs to one user, who sees and revokes their own on /accounts/tokens/ (accounts/tokens.py)."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100)
    prefix = models.CharField(_("令牌前缀"), max_length=8)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期至"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    def is_usable(self, now) -> bool:
        return self.revoked_at is None and self.expires_at > now
