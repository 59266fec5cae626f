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
