from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Institution(models.Model):
    """A designated medical institution or retail pharmacy (定点医药机构).

    Shared reference data: claims links settlements to it; supervision keeps its agreements,
    imports and maintenance pages.
    """

    class Kind(models.TextChoices):
        MEDICAL = "medical", _("定点医疗机构")
        PHARMACY = "pharmacy", _("定点零售药店")

    class Level(models.IntegerChoices):
        PRIMARY = 1, _("一级及以下")
        SECONDARY = 2, _("二级")
        TERTIARY = 3, _("三级")
        OUT_OF_AREA = 4, _("市外")

    code = models.CharField(
        _("国家医保编码"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^[HP]\d{11}$", _("编码应为 H 或 P 加 11 位数字"))],
    )
    name = models.CharField(_("机构名称"), max_length=128)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    type = models.CharField(_("机构类型"), max_length=32, blank=True)
    level = models.PositiveSmallIntegerField(_("医院等级"), choices=Level.choices, null=True, blank=True)
    division = models.ForeignKey(
        "regions.Division", verbose_name=_("所在镇街"), null=True, blank=True, on_delete=models.PROTECT
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("定点医药机构")
        verbose_name_plural = _("定点医药机构")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(code__regex=r"^[HP]\d{11}$"), name="institution_code_shape"),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="medical", code__startswith="H") | models.Q(kind="pharmacy", code__startswith="P")
                ),
                name="institution_kind_matches_code",
            ),
        ]

    def __str__(self) -> str:
        return self.name
