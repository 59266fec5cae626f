"""Fund supervision (基金监管): agreements, cases, whistle-blower reports, intelligent audit,
self-inspection. Institutions themselves are the core `medinsure.institutions.Institution`."""

import os
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from medinsure.core.models import ImportRecord
from supervision.rules import audit as audit_rules
from supervision.rules import inspection as inspection_rules
from supervision.rules import penalties as penalty_rules
from supervision.rules import workflow

MONEY = {"max_digits": 16, "decimal_places": 2, "default": 0}


class AgreementStatus(models.TextChoices):
    ACTIVE = workflow.AgreementStatus.ACTIVE.value, _("正常")
    SUSPENDED = workflow.AgreementStatus.SUSPENDED.value, _("中止")
    TERMINATED = workflow.AgreementStatus.TERMINATED.value, _("解除")


class AgreementAction(models.TextChoices):
    NONE = workflow.AgreementAction.NONE.value, _("不涉及协议状态")
    SUSPEND = workflow.AgreementAction.SUSPEND.value, _("中止协议")
    TERMINATE = workflow.AgreementAction.TERMINATE.value, _("解除协议")
    RESTORE = workflow.AgreementAction.RESTORE.value, _("恢复协议")


class Agreement(models.Model):
    """医保服务协议 between the bureau and one designated institution."""

    institution = models.OneToOneField(
        "institutions.Institution",
        verbose_name=_("定点医药机构"),
        on_delete=models.PROTECT,
        related_name="agreement",
    )
    number = models.CharField(_("协议编号"), max_length=40, unique=True)
    signed_on = models.DateField(_("签订日期"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    status = models.CharField(
        _("协议状态"), max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.ACTIVE
    )
    status_from = models.DateField(_("状态起始日"), null=True, blank=True)
    status_until = models.DateField(_("中止截止日"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("医保服务协议")
        verbose_name_plural = _("医保服务协议")
        ordering = ["institution__code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="suspended") | Q(status_from__isnull=False, status_until__isnull=False),
                name="agreement_suspension_has_period",
            ),
            models.CheckConstraint(
                condition=~Q(status="terminated") | Q(status_from__isnull=False),
                name="agreement_termination_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class AgreementEvent(models.Model):
    """协议状态变更记录: every change of an agreement's status, with who, when and why."""

    agreement = models.ForeignKey(Agreement, verbose_name=_("协议"), on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("操作"), max_length=12, choices=[("sign", _("签订")), *AgreementAction.choices[1:]])
    status = models.CharField(_("变更后状态"), max_length=12, choices=AgreementStatus.choices)
    effective_from = models.DateField(_("生效日期"))
    effective_until = models.DateField(_("截止日期"), null=True, blank=True)
    case = models.ForeignKey(
        "Case", verbose_name=_("案件"), null=True, blank=True, on_delete=models.PROTECT, related_name="agreement_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("协议状态变更")
        verbose_name_plural = _("协议状态变更")
        ordering = ["agreement", "effective_from", "id"]
        indexes = [models.Index(fields=["action", "effective_from"])]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.action} {self.effective_from}"


class CaseSource(models.TextChoices):
    ON_SITE = "on_site", _("现场检查")
    FLIGHT = "flight", _("飞行检查")
    JOINT = "joint", _("交叉检查、联合检查")
    INTELLIGENT_AUDIT = "intelligent_audit", _("智能审核")
    BIG_DATA = "big_data", _("大数据筛查")
    REPORT = "report", _("举报线索")
    TRANSFERRED = "transferred", _("国家、省转办")
    THIRD_PARTY = "third_party", _("第三方专项审计")


class Violation(models.TextChoices):
    FICTITIOUS = "fictitious", _("虚构医疗服务")
    SWAPPING = "swapping", _("串换诊疗项目")
    BEYOND_RESTRICTION = "beyond_restriction", _("超限用药")
    DOUBLE_CHARGING = "double_charging", _("重复收费")
    SPLIT_CHARGING = "split_charging", _("分解收费")
    SPLIT_ADMISSION = "split_admission", _("分解住院")
    ABSENT_BED = "absent_bed", _("挂床住院")
    IMPERSONATION = "impersonation", _("冒名住院、借证就医")
    OVER_TREATMENT = "over_treatment", _("小病大治、过度诊疗")
    OUTPATIENT_TO_INPATIENT = "outpatient_to_inpatient", _("门诊转住院")
    REFUSING_DISCHARGE = "refusing_discharge", _("占床拒不出院")
    OTHER = "other", _("其他违规行为")


class CaseStatus(models.TextChoices):
    REGISTERED = workflow.CaseStatus.REGISTERED.value, _("已立案")
    INVESTIGATING = workflow.CaseStatus.INVESTIGATING.value, _("调查中")
    DECIDED = workflow.CaseStatus.DECIDED.value, _("已作出处理决定")
    EXECUTED = workflow.CaseStatus.EXECUTED.value, _("已执行")
    TRANSFERRED = workflow.CaseStatus.TRANSFERRED.value, _("已移交公安")
    CLOSED = workflow.CaseStatus.CLOSED.value, _("已结案")


class TargetKind(models.TextChoices):
    INSTITUTION = penalty_rules.Target.INSTITUTION.value, _("定点医药机构")
    PERSON = penalty_rules.Target.PERSON.value, _("参保人员")


class Case(models.Model):
    """案件: one matter against an institution or an insured person."""

    number = models.CharField(_("案件编号"), max_length=20, unique=True)
    source = models.CharField(_("案件来源"), max_length=20, choices=CaseSource.choices)
    target_kind = models.CharField(_("对象类型"), max_length=12, choices=TargetKind.choices)
    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("定点医药机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_cases",
    )
    person_name = models.CharField(_("参保人姓名"), max_length=50, blank=True)
    person_id_number = models.CharField(_("参保人身份证号"), max_length=18, blank=True)
    violations = ArrayField(
        models.CharField(max_length=30, choices=Violation.choices), verbose_name=_("违规类型"), default=list
    )
    summary = models.TextField(_("案情摘要"))
    status = models.CharField(_("状态"), max_length=14, choices=CaseStatus.choices, default=CaseStatus.REGISTERED)
    registered_on = models.DateField(_("立案日期"))
    inspected_on = models.DateField(_("现场检查日期"), null=True, blank=True)
    report = models.ForeignKey(
        "Report", verbose_name=_("举报线索"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    published_on = models.DateField(_("曝光日期"), null=True, blank=True)
    public_summary = models.TextField(_("公开摘要"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        ordering = ["-registered_on", "-id"]
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["inspected_on"]),
            models.Index(fields=["published_on"]),
            models.Index(fields=["institution", "-registered_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(target_kind="institution", institution__isnull=False)
                    | Q(target_kind="person") & ~Q(person_id_number="")
                ),
                name="case_target_named",
            ),
            models.CheckConstraint(
                condition=Q(published_on__isnull=True) | ~Q(public_summary=""),
                name="case_publication_has_summary",
            ),
            models.CheckConstraint(condition=~Q(violations=[]), name="case_has_violation"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def violation_labels(self) -> list[str]:
        labels = dict(Violation.choices)
        return [str(labels.get(v, v)) for v in self.violations]


class CaseTransition(models.Model):
    """流转记录: who moved a case from one status to the next, and when."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="transitions")
    from_status = models.CharField(_("原状态"), max_length=14, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=14, choices=CaseStatus.choices)
    on = models.DateField(_("日期"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("案件流转记录")
        verbose_name_plural = _("案件流转记录")
        ordering = ["case", "at", "id"]
        indexes = [models.Index(fields=["to_status", "on"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.from_status}->{self.to_status}"


class FineBasis(models.TextChoices):
    NONE = penalty_rules.FineBasis.NONE.value, _("不罚款")
    ART38 = penalty_rules.FineBasis.ART38.value, _("条例第三十八条（造成损失金额1至2倍）")
    ART40 = penalty_rules.FineBasis.ART40.value, _("条例第四十条（骗取金额2至5倍）")
    PERSON_FRAUD = penalty_rules.FineBasis.PERSON_FRAUD.value, _("参保人骗保（骗取金额2至5倍）")
    AGREEMENT = penalty_rules.FineBasis.AGREEMENT.value, _("协议违约金")


class Decision(models.Model):
    """处理决定: penalty and/or agreement handling, amounts, agreement action."""

    case = models.OneToOneField(Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="decision")
    decided_on = models.DateField(_("决定日期"))
    document_number = models.CharField(_("文书编号"), max_length=60, blank=True)
    penalty = models.BooleanField(_("行政处罚"), default=False)
    agreement_handling = models.BooleanField(_("协议处理"), default=False)
    recovered = models.DecimalField(_("追回医保基金（元）"), **MONEY)
    rejected = models.DecimalField(_("拒付（元）"), **MONEY)
    obtained = models.DecimalField(_("造成损失或骗取金额（元）"), **MONEY)
    fine_basis = models.CharField(_("罚款依据"), max_length=14, choices=FineBasis.choices, default=FineBasis.NONE)
    fine_multiple = models.DecimalField(_("罚款倍数"), max_digits=4, decimal_places=2, null=True, blank=True)
    fine = models.DecimalField(_("罚款（违约金）（元）"), **MONEY)
    agreement_action = models.CharField(
        _("协议处理方式"), max_length=12, choices=AgreementAction.choices, default=AgreementAction.NONE
    )
    action_from = models.DateField(_("协议处理生效日"), null=True, blank=True)
    action_until = models.DateField(_("中止截止日"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("决定录入人"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("处理决定")
        verbose_name_plural = _("处理决定")
        indexes = [models.Index(fields=["decided_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(recovered__gte=0, rejected__gte=0, obtained__gte=0, fine__gte=0),
                name="decision_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=(Q(fine_basis__in=["none", "agreement"]) | Q(fine_multiple__isnull=False)),
                name="decision_fine_multiple_given",
            ),
            models.CheckConstraint(
                condition=(Q(fine_basis="none", fine=0) | ~Q(fine_basis="none")),
                name="decision_no_basis_no_fine",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.decided_on}"


class _PrivateEvidenceStorage(FileSystemStorage):
    """Files under PRIVATE_FILES_ROOT (outside the web root), read from settings on each use."""

    @property
    def base_location(self):
        return str(settings.PRIVATE_FILES_ROOT / "supervision" / "evidence")

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


def evidence_storage():
    return _PrivateEvidenceStorage()


class Evidence(models.Model):
    """证据材料: stored outside the web root, served only to supervision staff."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("文件"), storage=evidence_storage, upload_to="%Y/%m/", max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("校验值"), max_length=64)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("证据材料")
        verbose_name_plural = _("证据材料")
        ordering = ["case", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class ReportStatus(models.TextChoices):
    RECEIVED = "received", _("已受理")
    CASE_OPENED = "case_opened", _("已立案调查")
    CLOSED = "closed", _("已办结")


class Report(models.Model):
    """举报线索 from the public form. The reporter's identity is encrypted (Fernet, settings key)
    and shown only to the head of supervision."""

    tracking_code = models.CharField(_("查询码"), max_length=16, unique=True)
    received_at = models.DateTimeField(_("受理时间"))
    subject = models.CharField(_("被举报对象"), max_length=200)
    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("涉及机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    content = models.TextField(_("举报内容"))
    identity_encrypted = models.TextField(_("举报人身份（加密）"), blank=True)
    anonymous = models.BooleanField(_("匿名举报"), default=True)
    status = models.CharField(_("状态"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.RECEIVED)
    handled_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    close_reason = models.TextField(_("办结说明"), blank=True)
    reward = models.DecimalField(_("奖励金额（元）"), **MONEY)
    reward_paid_on = models.DateField(_("奖励发放日期"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("举报线索")
        verbose_name_plural = _("举报线索")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["received_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(close_reason=""), name="report_closed_with_reason"
            ),
            models.CheckConstraint(condition=Q(reward__gte=0), name="report_reward_not_negative"),
            models.CheckConstraint(
                condition=Q(anonymous=True) | ~Q(identity_encrypted=""), name="report_named_has_identity"
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code


class AuditRule(models.Model):
    """智能审核规则: the rule as data; the logic is the pure function for its kind."""

    class Category(models.TextChoices):
        POLICY = "policy", _("政策类")
        MANAGEMENT = "management", _("管理类")
        MEDICAL = "medical", _("医疗类")

    class Kind(models.TextChoices):
        DOUBLE_CHARGING = audit_rules.RuleKind.DOUBLE_CHARGING.value, _("重复收费")
        SPLIT_CHARGING = audit_rules.RuleKind.SPLIT_CHARGING.value, _("分解收费")
        SEX_RESTRICTED = audit_rules.RuleKind.SEX_RESTRICTED.value, _("限性别项目")
        AGE_RESTRICTED = audit_rules.RuleKind.AGE_RESTRICTED.value, _("限年龄项目")
        QUANTITY_LIMIT = audit_rules.RuleKind.QUANTITY_LIMIT.value, _("超日或超住院限量")
        INPATIENT_DAYS = audit_rules.RuleKind.INPATIENT_DAYS.value, _("住院天数异常")
        TWO_INSTITUTIONS_SAME_DAY = audit_rules.RuleKind.TWO_INSTITUTIONS_SAME_DAY.value, _("同日多机构就诊")
        SHORT_ADMISSION = audit_rules.RuleKind.SHORT_ADMISSION.value, _("门诊转住院")
        SPLIT_ADMISSION = audit_rules.RuleKind.SPLIT_ADMISSION.value, _("分解住院")

    class Result(models.TextChoices):
        SUSPICIOUS = audit_rules.ResultType.SUSPICIOUS.value, _("可疑")
        DEFINITE = audit_rules.ResultType.DEFINITE.value, _("明确违规")

    code = models.CharField(_("规则编码"), max_length=20, unique=True)
    name = models.CharField(_("规则名称"), max_length=100)
    category = models.CharField(_("规则分类"), max_length=12, choices=Category.choices)
    kind = models.CharField(_("规则逻辑"), max_length=30, choices=Kind.choices)
    params = models.JSONField(_("规则参数"), default=dict, blank=True)
    result = models.CharField(_("结果类型"), max_length=12, choices=Result.choices, default=Result.SUSPICIOUS)
    basis = models.CharField(_("依据"), max_length=300, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    answer_days = models.PositiveSmallIntegerField(_("机构答复时限（天）"), default=10)

    class Meta:
        verbose_name = _("智能审核规则")
        verbose_name_plural = _("智能审核规则")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def spec(self) -> audit_rules.RuleSpec:
        return audit_rules.RuleSpec(
            self.code, audit_rules.RuleKind(self.kind), self.params, audit_rules.ResultType(self.result)
        )


class AuditRun(models.Model):
    """One run of the rules over a period (日任务 / 月任务)."""

    class Kind(models.TextChoices):
        DAILY = "daily", _("日任务")
        MONTHLY = "monthly", _("月任务")

    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    period_start = models.DateField(_("起始日"))
    period_end = models.DateField(_("截止日"))
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    settlements = models.PositiveIntegerField(_("结算数"), default=0)
    lines = models.PositiveIntegerField(_("明细数"), default=0)
    hits = models.PositiveIntegerField(_("疑点数"), default=0)
    new_flags = models.PositiveIntegerField(_("新增疑点"), default=0)
    job = models.ForeignKey(
        "jobs.Job", verbose_name=_("任务"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("智能审核运行")
        verbose_name_plural = _("智能审核运行")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.period_start}–{self.period_end}"


class FlagStatus(models.TextChoices):
    PUSHED = "pushed", _("待机构答复")
    ANSWERED = "answered", _("机构已答复")
    CONFIRMED = "confirmed", _("确认违规")
    CLEARED = "cleared", _("排除疑点")


class Flag(models.Model):
    """疑点: one hit of one rule on one settlement, pushed to the institution for an answer.

    (rule, settlement, key) is unique, so a re-run of the same rules never duplicates a flag. The
    settlement is claims' `Settlement` by id (no foreign key, so the audit tables do not lock or
    depend on claims' migrations); institution, person and day are copied for scoping and figures.
    """

    rule = models.ForeignKey(AuditRule, verbose_name=_("规则"), on_delete=models.PROTECT, related_name="flags")
    settlement_id = models.BigIntegerField(_("结算编号"))
    key = models.CharField(_("疑点标识"), max_length=80, blank=True)
    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("定点医药机构"),
        on_delete=models.PROTECT,
        related_name="supervision_flags",
    )
    person_id_number = models.CharField(_("参保人身份证号"), max_length=18, blank=True)
    settled_on = models.DateField(_("结算日期"))
    amount = models.DecimalField(_("疑点金额（元）"), **MONEY)
    result = models.CharField(_("结果类型"), max_length=12, choices=AuditRule.Result.choices)
    detail = models.JSONField(_("疑点详情"), default=dict, blank=True)
    line_ids = ArrayField(models.BigIntegerField(), verbose_name=_("涉及明细"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=FlagStatus.choices, default=FlagStatus.PUSHED)
    answer_due = models.DateField(_("答复期限"))
    answer = models.TextField(_("机构答复"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_on = models.DateField(_("审核日期"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_note = models.TextField(_("审核意见"), blank=True)
    deduction = models.DecimalField(_("扣款（拒付）金额（元）"), **MONEY)
    case = models.ForeignKey(
        Case, verbose_name=_("案件"), null=True, blank=True, on_delete=models.PROTECT, related_name="flags"
    )
    run = models.ForeignKey(
        AuditRun, verbose_name=_("发现于"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("发现时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("疑点")
        verbose_name_plural = _("疑点")
        ordering = ["-settled_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "settlement_id", "key"], name="flag_once_per_hit"),
            models.CheckConstraint(condition=Q(deduction__gte=0, amount__gte=0), name="flag_amounts_not_negative"),
            models.CheckConstraint(
                condition=Q(deduction=0) | Q(status="confirmed"), name="flag_deduction_only_confirmed"
            ),
        ]
        indexes = [
            models.Index(fields=["institution", "status"]),
            models.Index(fields=["settled_on"]),
            models.Index(fields=["status", "reviewed_on"]),
            models.Index(fields=["settlement_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.settlement_id} {self.key}"


class SelfInspectionRound(models.Model):
    """A year's self-inspection (自查自纠) with its deadline."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    deadline = models.DateField(_("报送截止日"))
    title = models.CharField(_("名称"), max_length=100)
    checked_at = models.DateTimeField(_("逾期检查时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("年度自查自纠")
        verbose_name_plural = _("年度自查自纠")
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title


class SelfInspection(models.Model):
    """One institution's self-inspection in a year, and the follow-up decided."""

    class Findings(models.TextChoices):
        NONE = inspection_rules.Findings.NONE.value, _("未发现问题")
        UNRECTIFIED = inspection_rules.Findings.UNRECTIFIED.value, _("发现问题尚未整改")
        SERIOUS = inspection_rules.Findings.SERIOUS.value, _("违规情节严重")

    class Outcome(models.TextChoices):
        PENDING = inspection_rules.Outcome.PENDING.value, _("待报送")
        FILED = inspection_rules.Outcome.FILED.value, _("已按时报送")
        FAILING = inspection_rules.Outcome.FAILING.value, _("考核不合格")

    class FollowUp(models.TextChoices):
        NONE = inspection_rules.FollowUp.NONE.value, _("无")
        WARNING = inspection_rules.FollowUp.WARNING.value, _("警告和通报批评")
        SUSPENSION = inspection_rules.FollowUp.SUSPENSION.value, _("暂停定点资格")
        CANCELLATION = inspection_rules.FollowUp.CANCELLATION.value, _("取消定点资格")

    round = models.ForeignKey(
        SelfInspectionRound, verbose_name=_("年度"), on_delete=models.PROTECT, related_name="inspections"
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("定点医药机构"),
        on_delete=models.PROTECT,
        related_name="self_inspections",
    )
    filed_on = models.DateField(_("报送日期"), null=True, blank=True)
    summary = models.TextField(_("自查自纠情况"), blank=True)
    findings = models.CharField(_("检查发现"), max_length=12, choices=Findings.choices, default="none")
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices, default="pending")
    follow_up = models.CharField(_("后续处理"), max_length=12, choices=FollowUp.choices, default="none")
    decided_at = models.DateTimeField(_("判定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("自查自纠报告")
        verbose_name_plural = _("自查自纠报告")
        ordering = ["round", "institution__code"]
        constraints = [
            models.UniqueConstraint(fields=["round", "institution"], name="one_self_inspection_a_year"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id} {self.institution_id}"


class InstitutionImport(ImportRecord):
    """An uploaded institutions workbook (定点医药机构导入): the core's one lifecycle and storage — the
    upload (``raw``) and its errors in the database, checked again as a whole when accepted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file_name = models.CharField(_("文件名"), max_length=200)
    row_count = models.PositiveIntegerField(_("行数"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("定点医药机构导入")
        verbose_name_plural = _("定点医药机构导入")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name
