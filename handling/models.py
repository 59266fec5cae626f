"""经办服务: the catalogue of handling items (经办事项), the service points (医保之窗) and the
applications received at them, with their papers, legal time limit and decision."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    DISTRICT = "district", _("区县医保服务中心")
    TOWNSHIP = "township", _("乡镇（街道）")
    VILLAGE = "village", _("村（社区）")


class Channel(models.TextChoices):
    WINDOW = "window", _("窗口办理")
    MACHINE = "machine", _("医保自助机")
    ONLINE = "online", _("全程网办")
    PHONE = "phone", _("村级代办（手机）")


class Workflow(models.TextChoices):
    CHRONIC = "chronic", _("慢特病申报")
    REMOTE = "remote", _("异地就医备案")
    MANUAL_CLAIM = "manual_claim", _("零星报销")
    COVER_STOP = "cover_stop", _("停保")
    COVER_RESUME = "cover_resume", _("续保")
    DIRECT_DEBIT = "direct_debit", _("银行代扣协议")
    GENERIC = "generic", _("一般事项")


class HandlingItem(models.Model):
    """An item of the catalogue (经办事项目录): its papers, legal time limit in working days, the lowest
    level that handles it (a village item is handled at township and district too), its channels."""

    code = models.SlugField(_("事项编码"), max_length=32, unique=True)
    name = models.CharField(_("事项名称"), max_length=100)
    level = models.CharField(_("下放层级"), max_length=10, choices=Level.choices)
    channels = models.JSONField(_("办理渠道"), default=list)
    cross_province = models.BooleanField(_("跨省通办"), default=False)
    papers = models.JSONField(_("申请材料"), default=list)
    time_limit_workdays = models.PositiveSmallIntegerField(_("法定时限（工作日）"))
    kind = models.CharField(_("办理流程"), max_length=16, choices=Workflow.choices, default=Workflow.GENERIC)
    demo_guess = models.BooleanField(_("演示数据（非种子文件所列）"), default=False)
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("经办事项")
        verbose_name_plural = _("经办事项")
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=Q(time_limit_workdays__gte=1), name="handling_limit_positive")]

    def __str__(self) -> str:
        return self.name


class Disease(models.Model):
    """A disease a chronic application may name (慢特病病种), with its condition (e.g. 类风湿性关节炎: 活动期).
    ``kind`` is the register it goes into (claims.RegisterKind: chronic / special)."""

    name = models.CharField(_("病种"), max_length=64)
    kind = models.CharField(
        _("类别"), max_length=8, choices=[("chronic", _("门诊慢性病")), ("special", _("门诊特殊病种"))]
    )
    condition = models.CharField(_("认定条件"), max_length=100, blank=True)
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("慢特病病种")
        verbose_name_plural = _("慢特病病种")
        ordering = ["kind", "id"]
        constraints = [models.UniqueConstraint(fields=["name", "kind"], name="handling_disease_unique")]

    def __str__(self) -> str:
        return f"{self.name}（{self.condition}）" if self.condition else self.name


class ServicePoint(models.Model):
    """A service point (医保之窗): the district's service centre, a township centre or a village point."""

    name = models.CharField(_("服务点名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    division = models.ForeignKey(
        "regions.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("医保服务点")
        verbose_name_plural = _("医保服务点")
        ordering = ["level", "name"]
        constraints = [models.UniqueConstraint(fields=["division", "name"], name="handling_point_unique")]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    RECEIVED = "received", _("已收件")
    RETURNED = "returned", _("材料不全已退回")
    ACCEPTED = "accepted", _("已受理")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("不予批准")
    FINISHED = "finished", _("已办结")


class Half(models.IntegerChoices):
    FIRST = 1, _("上半年")
    SECOND = 2, _("下半年")


class Application(models.Model):
    """An application received at a service point, or filed on a resident's behalf by a village worker.
    ``tracking_number`` is what the resident quotes; ``due_on`` is counted in working days from acceptance."""

    tracking_number = models.CharField(_("受理编号"), max_length=20, unique=True)
    item = models.ForeignKey(HandlingItem, verbose_name=_("经办事项"), on_delete=models.PROTECT, related_name="+")
    point = models.ForeignKey(
        ServicePoint, verbose_name=_("受理点"), on_delete=models.PROTECT, related_name="applications"
    )
    division = models.ForeignKey(
        "regions.Division", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+"
    )
    resident = models.ForeignKey(
        "enrollment.Resident", verbose_name=_("参保人员"), on_delete=models.PROTECT, related_name="applications"
    )
    applicant_name = models.CharField(_("申请人"), max_length=64)
    applicant_relation = models.CharField(_("与参保人关系"), max_length=20, default="本人")
    channel = models.CharField(_("办理渠道"), max_length=10, choices=Channel.choices, default=Channel.WINDOW)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    papers_received = models.JSONField(_("已收材料"), default=list, blank=True)
    details = models.JSONField(_("申请内容"), default=dict, blank=True)
    received_at = models.DateTimeField(_("收件时间"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("收件人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    due_on = models.DateField(_("办结时限"), null=True, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_reason = models.CharField(_("决定理由"), max_length=300, blank=True)
    finished_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    result_ref = models.CharField(_("办理结果"), max_length=100, blank=True)
    # chronic and special diseases (慢特病申报)
    round_year = models.PositiveSmallIntegerField(_("申报年度"), null=True, blank=True)
    round_half = models.PositiveSmallIntegerField(_("申报批次"), choices=Half.choices, null=True, blank=True)
    disease = models.ForeignKey(
        Disease, verbose_name=_("申报病种"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence_years = models.PositiveSmallIntegerField(_("病历年限（年）"), null=True, blank=True)
    expert_opinion = models.CharField(_("专家评审意见"), max_length=300, blank=True)
    expert_passed = models.BooleanField(_("专家评审通过"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评审录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("经办申请")
        verbose_name_plural = _("经办申请")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["point", "received_at"], name="handling_app_point_day"),
            models.Index(fields=["status", "due_on"], name="handling_app_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(round_half__isnull=True) | Q(round_half__in=[1, 2]), name="handling_app_round_half"
            )
        ]

    def __str__(self) -> str:
        return self.tracking_number
