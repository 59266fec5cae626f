from django.db import models
from django.utils.translation import gettext_lazy as _

# Digits of the code that a division and all of its descendants share.
PREFIX_LENGTH = {"district": 6, "township": 9, "village": 12, "grid": 15}


def code_scope_prefix(code: str) -> str:
    """The prefix every descendant of a division code shares, read off the code alone (district
    500116000000 → 500116, township 500116101000 → 500116101; a village or grid code is its own)."""
    code = code.strip()
    if len(code) == 12 and code.endswith("000000"):
        return code[: PREFIX_LENGTH["district"]]
    if len(code) == 12 and code.endswith("000"):
        return code[: PREFIX_LENGTH["township"]]
    return code


class Division(models.Model):
    """A node of the district's administrative tree (统计用区划代码, 12 digits; a grid adds 3)."""

    class Level(models.TextChoices):
        DISTRICT = "district", _("区县")
        TOWNSHIP = "township", _("镇街")
        VILLAGE = "village", _("村社区")
        GRID = "grid", _("网格")

    code = models.CharField(_("区划代码"), max_length=15, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["level", "code"]),
            models.Index(fields=["code"], name="division_code_prefix", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(level="grid", code__regex=r"^\d{15}$")
                    | (~models.Q(level="grid") & models.Q(code__regex=r"^\d{12}$"))
                ),
                name="division_code_shape",
            ),
            models.CheckConstraint(
                condition=models.Q(level="district") | models.Q(parent__isnull=False),
                name="division_parent_required",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_prefix(self) -> str:
        return self.code[: PREFIX_LENGTH[self.level]]

    @property
    def township_code(self) -> str | None:
        return None if self.level == self.Level.DISTRICT else self.code[:9] + "000"
