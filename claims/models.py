"""Reimbursement policies (as versioned documents), settlements (结算单) with their line items,
batch recalculations and the pre-aggregated monthly statistics."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from medinsure.core.models import ImportRecord

MONEY = {"max_digits": 16, "decimal_places": 2}


class Scheme(models.TextChoices):
    RESIDENT = "resident", _("城乡居民医保")
    EMPLOYEE = "employee", _("职工医保")


class Kind(models.TextChoices):
    INPATIENT = "inpatient", _("疾病住院")
    INPATIENT_ACCIDENT = "inpatient_accident", _("意外伤害住院")
    OUTPATIENT_GENERAL = "outpatient_general", _("普通门诊")
    OUTPATIENT_CHRONIC = "outpatient_chronic", _("门诊慢性病")
    OUTPATIENT_ACCIDENT = "outpatient_accident", _("学生儿童意外伤害门诊")


INPATIENT_KINDS = (Kind.INPATIENT, Kind.INPATIENT_ACCIDENT)


class HospitalLevel(models.IntegerChoices):
    PRIMARY = 1, _("乡镇卫生院及一级以下")
    COUNTY = 2, _("县级（二级）")
    MUNICIPAL = 3, _("市级（三级）")
    PROVINCIAL = 4, _("省级及省外")


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Group(models.TextChoices):
    RESIDENT = "resident", _("普通居民")
    STUDENT = "student", _("学生儿童")


class Employment(models.TextChoices):
    NONE = "", _("—")
    IN_SERVICE = "in_service", _("在职")
    RETIRED = "retired", _("退休")


class Policy(models.Model):
    """A reimbursement policy (报销政策): scheme + year + region; its content lives in versions."""

    code = models.SlugField(_("政策编码"), max_length=64, unique=True)
    name = models.CharField(_("政策名称"), max_length=128)
    scheme = models.CharField(_("险种"), max_length=10, choices=Scheme.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    partial = models.BooleanField(_("部分政策"), default=False)

    class Meta:
        verbose_name = _("报销政策")
        verbose_name_plural = _("报销政策")
        ordering = ["-year", "code"]

    def __str__(self) -> str:
        return self.name


class PolicyVersion(models.Model):
    """One version of a policy's document. A change makes a new version; settled claims keep theirs."""

    policy = models.ForeignKey(Policy, verbose_name=_("政策"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    document = models.JSONField(_("政策文件"))
    digest = models.CharField(_("摘要"), max_length=64)
    note = models.CharField(_("变更说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("政策版本")
        verbose_name_plural = _("政策版本")
        ordering = ["policy", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="claims_policy_version_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="claims_policy_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.policy.code} v{self.number}"


class Settlement(models.Model):
    """A settlement record (结算单) of a designated institution, with the engine's breakdown."""

    number = models.CharField(_("结算单号"), max_length=40)
    institution = models.ForeignKey(
        "institutions.Institution", verbose_name=_("定点医疗机构"), on_delete=models.PROTECT, related_name="settlements"
    )
    id_number = models.CharField(_("身份证号"), max_length=18, db_index=True)
    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    division = models.ForeignKey(
        "regions.Division", verbose_name=_("参保地"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scheme = models.CharField(_("险种"), max_length=10, choices=Scheme.choices)
    kind = models.CharField(_("就诊类别"), max_length=24, choices=Kind.choices)
    hospital_level = models.PositiveSmallIntegerField(_("医院等级"), choices=HospitalLevel.choices)
    admitted_on = models.DateField(_("入院（就诊）日期"))
    discharged_on = models.DateField(_("出院日期"), null=True, blank=True)
    settled_on = models.DateField(_("结算日期"))
    # engine inputs besides the cost
    essential_drug_cost = models.DecimalField(_("基本药物费用"), default=0, **MONEY)
    disease = models.CharField(_("病种"), max_length=64, blank=True)
    third_party = models.BooleanField(_("有第三方责任"), default=False)
    group = models.CharField(_("人群"), max_length=10, choices=Group.choices, default=Group.RESIDENT)
    employment = models.CharField(_("在职状态"), max_length=10, choices=Employment.choices, blank=True, default="")
    continuous_years = models.PositiveSmallIntegerField(_("连续参保年数"), default=0)
    tier = models.PositiveSmallIntegerField(_("缴费档次"), default=1)
    poor = models.BooleanField(_("建档立卡"), default=False)
    # amounts
    total_cost = models.DecimalField(_("医疗总费用"), **MONEY)
    in_scope_cost = models.DecimalField(_("政策范围内费用"), **MONEY)
    deductible = models.DecimalField(_("起付线"), **MONEY)
    fund_paid = models.DecimalField(_("统筹支付"), **MONEY)
    critical_paid = models.DecimalField(_("大病保险支付"), **MONEY)
    personal_paid = models.DecimalField(_("个人负担"), **MONEY)
    relief_paid = models.DecimalField(_("健康扶贫补助"), default=0, **MONEY)
    policy_version = models.ForeignKey(
        PolicyVersion, verbose_name=_("政策版本"), on_delete=models.PROTECT, related_name="settlements"
    )
    explanation = models.JSONField(_("计算说明"), default=dict, blank=True)
    import_batch = models.ForeignKey(
        "claims.SettlementImport",
        verbose_name=_("导入批次"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("结算单")
        verbose_name_plural = _("结算单")
        ordering = ["-settled_on", "number"]
        indexes = [
            models.Index(fields=["id_number", "settled_on"], name="claims_settlement_person"),
            models.Index(fields=["settled_on", "hospital_level"], name="claims_settlement_month"),
            models.Index(fields=["policy_version", "id_number"], name="claims_settlement_policy"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["institution", "number"], name="claims_settlement_number_unique"),
            models.CheckConstraint(condition=Q(hospital_level__gte=1, hospital_level__lte=4), name="claims_level_1_4"),
            models.CheckConstraint(
                condition=Q(
                    in_scope_cost__gte=0,
                    deductible__gte=0,
                    fund_paid__gte=0,
                    critical_paid__gte=0,
                    personal_paid__gte=0,
                    relief_paid__gte=0,
                    essential_drug_cost__gte=0,
                ),
                name="claims_amounts_not_negative",
            ),
            models.CheckConstraint(condition=Q(in_scope_cost__lte=F("total_cost")), name="claims_in_scope_le_total"),
            models.CheckConstraint(
                condition=Q(personal_paid=F("in_scope_cost") - F("fund_paid") - F("critical_paid")),
                name="claims_personal_is_rest",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["inpatient", "inpatient_accident"], discharged_on__isnull=False)
                | (~Q(kind__in=["inpatient", "inpatient_accident"]) & Q(discharged_on__isnull=True)),
                name="claims_discharge_only_inpatient",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class SettlementLine(models.Model):
    """A line item of a settlement (费用明细)."""

    class Category(models.TextChoices):
        A = "a", _("甲类")
        B = "b", _("乙类")
        SELF = "self", _("自费")

    settlement = models.ForeignKey(Settlement, verbose_name=_("结算单"), on_delete=models.CASCADE, related_name="lines")
    item_code = models.CharField(_("项目编码"), max_length=40)
    item_name = models.CharField(_("项目名称"), max_length=100)
    category = models.CharField(_("类别"), max_length=4, choices=Category.choices)
    quantity = models.DecimalField(_("数量"), max_digits=12, decimal_places=3)
    price = models.DecimalField(_("单价"), max_digits=14, decimal_places=4)
    amount = models.DecimalField(_("金额"), **MONEY)
    charged_on = models.DateField(_("费用日期"))

    class Meta:
        verbose_name = _("费用明细")
        verbose_name_plural = _("费用明细")
        ordering = ["settlement", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="claims_line_quantity_positive"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="claims_line_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.item_code} {self.item_name}"


class SettlementImport(ImportRecord):
    """An uploaded settlement file: validated as a whole, previewed, then written in one go. The upload
    is ``raw`` (the core's ``ImportRecord``: in the database, any worker re-reads it for the write).

    Four eyes: a file holding settlements already stored with other amounts than the file's (an import
    never overwrites a paid settlement, it skips it; such a file is a correction or an error that a
    second person must look at) ``needs_approval``: a second person with
    ``Power.SETTLEMENT_IMPORT_APPROVE`` approves it, which accepts it. A file of new settlements only
    is accepted by the claims staff as before."""

    class Status(models.TextChoices):  # the core's lifecycle (medinsure.rules.imports), claims' labels
        CHECKING = "checking", _("校验中")
        INVALID = "invalid", _("有错误")
        PREVIEW = "preview", _("待确认")
        ACCEPTING = "accepting", _("写入中")
        DONE = "done", _("已导入")
        FAILED = "failed", _("失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file_name = models.CharField(_("文件名"), max_length=200)
    policy = models.ForeignKey(Policy, verbose_name=_("政策"), on_delete=models.PROTECT)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.CHECKING)
    rows = models.PositiveIntegerField(_("明细行数"), default=0)
    settlement_count = models.PositiveIntegerField(_("结算单数"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    skipped = models.PositiveIntegerField(_("已存在跳过"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    summary = models.JSONField(_("预览"), default=dict, blank=True)
    needs_approval = models.BooleanField(_("须另一人审批"), default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    job = models.ForeignKey("jobs.Job", verbose_name=_("后台任务"), null=True, blank=True, on_delete=models.SET_NULL)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), null=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("结算单导入")
        verbose_name_plural = _("结算单导入")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


class Recalculation(models.Model):
    """A batch recalculation of a year's settlements under a new policy version:
    computed into a difference report, approved by staff, then applied."""

    class Status(models.TextChoices):
        COMPUTING = "computing", _("计算中")
        READY = "ready", _("待审批")
        APPROVED = "approved", _("已批准，应用中")
        APPLIED = "applied", _("已应用")
        DISCARDED = "discarded", _("已放弃")
        FAILED = "failed", _("失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    policy_version = models.ForeignKey(PolicyVersion, verbose_name=_("新政策版本"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.COMPUTING)
    boundaries = models.JSONField(_("分块边界"), default=list, blank=True)
    totals = models.JSONField(_("差异汇总"), default=dict, blank=True)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    job = models.ForeignKey(
        "jobs.Job", verbose_name=_("计算任务"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    apply_job = models.ForeignKey(
        "jobs.Job", verbose_name=_("应用任务"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    applied_at = models.DateTimeField(_("应用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("批量重算")
        verbose_name_plural = _("批量重算")
        ordering = ["-created_at"]
        constraints = [
            # four eyes, kept by the database too: nothing is applied without an approver who is not
            # the person who started it (services.recalculation_approve checks the approver's role)
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "applied"])
                | (Q(approved_by__isnull=False) & ~Q(approved_by=F("created_by"))),
                name="claims_recalc_approved_by_another",
            )
        ]

    def __str__(self) -> str:
        return f"{self.policy_version} {self.year}"


class RecalculationChunk(models.Model):
    """One chunk (a range of ID numbers, whole person-years) of a recalculation: computed and
    applied each in one transaction, so a re-run skips what is done and redoes what is not."""

    recalculation = models.ForeignKey(Recalculation, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    computed = models.BooleanField(default=False)
    applied = models.BooleanField(default=False)
    totals = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("重算分块")
        verbose_name_plural = _("重算分块")
        constraints = [models.UniqueConstraint(fields=["recalculation", "index"], name="claims_recalc_chunk_unique")]

    def __str__(self) -> str:
        return f"{self.recalculation_id} #{self.index}"


class RecalculationDiff(models.Model):
    """A settlement whose figures change under the new version (the difference report's rows)."""

    recalculation = models.ForeignKey(Recalculation, on_delete=models.CASCADE, related_name="diffs")
    chunk = models.PositiveIntegerField()
    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="+")
    hospital_level = models.PositiveSmallIntegerField(_("医院等级"))
    old_deductible = models.DecimalField(_("原起付线"), **MONEY)
    old_fund_paid = models.DecimalField(_("原统筹支付"), **MONEY)
    old_critical_paid = models.DecimalField(_("原大病支付"), **MONEY)
    new_deductible = models.DecimalField(_("新起付线"), **MONEY)
    new_fund_paid = models.DecimalField(_("新统筹支付"), **MONEY)
    new_critical_paid = models.DecimalField(_("新大病支付"), **MONEY)
    delta = models.DecimalField(_("待遇变化"), **MONEY)

    class Meta:
        verbose_name = _("重算差异")
        verbose_name_plural = _("重算差异")
        indexes = [models.Index(fields=["recalculation", "chunk"], name="claims_recalc_diff_chunk")]
        constraints = [
            models.UniqueConstraint(fields=["recalculation", "settlement"], name="claims_recalc_diff_unique")
        ]

    def __str__(self) -> str:
        return f"{self.recalculation_id} {self.settlement_id}"


class MonthlyStat(models.Model):
    """Pre-aggregated settlement figures per month, scheme, kind, hospital level and township
    (rebuilt for a year after every import and applied recalculation)."""

    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    scheme = models.CharField(_("险种"), max_length=10, choices=Scheme.choices)
    kind = models.CharField(_("就诊类别"), max_length=24, choices=Kind.choices)
    hospital_level = models.PositiveSmallIntegerField(_("医院等级"), choices=HospitalLevel.choices)
    township_code = models.CharField(_("镇街代码"), max_length=12, blank=True)
    settlements = models.PositiveIntegerField(_("结算人次"))
    persons = models.PositiveIntegerField(_("人数"))
    total_cost = models.DecimalField(_("医疗总费用"), **MONEY)
    in_scope_cost = models.DecimalField(_("政策范围内费用"), **MONEY)
    fund_paid = models.DecimalField(_("统筹支付"), **MONEY)
    critical_paid = models.DecimalField(_("大病保险支付"), **MONEY)

    class Meta:
        verbose_name = _("月度结算统计")
        verbose_name_plural = _("月度结算统计")
        indexes = [models.Index(fields=["year", "month"], name="claims_stat_month")]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "month", "scheme", "kind", "hospital_level", "township_code"],
                name="claims_stat_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d} {self.kind} {self.hospital_level}"


class RegisterKind(models.TextChoices):
    CHRONIC = "chronic", _("门诊慢性病")
    SPECIAL = "special", _("门诊特殊病种")


class DiseaseRegistration(models.Model):
    """A person's approved chronic or special disease (慢特病备案), valid for a period.

    The engine pays a disease group's chronic ratios only for a disease registered here on the visit's
    date; a disease named in a settlement file without a registration is a declared value."""

    resident = models.ForeignKey(
        "enrollment.Resident",
        verbose_name=_("参保人员"),
        on_delete=models.PROTECT,
        related_name="disease_registrations",
    )
    disease = models.CharField(_("病种"), max_length=64)
    kind = models.CharField(_("类别"), max_length=8, choices=RegisterKind.choices)
    valid_from = models.DateField(_("有效期起"))
    valid_to = models.DateField(_("有效期止"), null=True, blank=True)
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("慢特病备案")
        verbose_name_plural = _("慢特病备案")
        ordering = ["resident_id", "-valid_from"]
        indexes = [models.Index(fields=["resident", "valid_from"], name="claims_disease_reg_person")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name="claims_disease_reg_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.disease} {self.valid_from}"


class RemoteFilingKind(models.TextChoices):
    LIVING = "living", _("异地长期居住")
    WORKING = "working", _("异地工作")
    REFERRAL = "referral", _("转外就医")
    EMERGENCY = "emergency", _("急诊抢救")


class RemoteCareFiling(models.Model):
    """A filing for care away from home (异地就医备案): the engine applies the filed ratio in its period."""

    resident = models.ForeignKey(
        "enrollment.Resident", verbose_name=_("参保人员"), on_delete=models.PROTECT, related_name="remote_filings"
    )
    kind = models.CharField(_("备案类型"), max_length=10, choices=RemoteFilingKind.choices)
    destination = models.CharField(_("就医地"), max_length=100, blank=True)
    valid_from = models.DateField(_("有效期起"))
    valid_to = models.DateField(_("有效期止"), null=True, blank=True)
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("异地就医备案")
        verbose_name_plural = _("异地就医备案")
        ordering = ["resident_id", "-valid_from"]
        indexes = [models.Index(fields=["resident", "valid_from"], name="claims_remote_filing_person")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="claims_remote_filing_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.valid_from}"


class ManualClaimReason(models.TextChoices):
    REMOTE = "remote", _("异地就医未直接结算")
    SYSTEM_FAILURE = "system_failure", _("信息系统故障")
    EMERGENCY = "emergency", _("非定点医疗机构急诊抢救")


class ManualClaim(models.Model):
    """A manual reimbursement (零星报销): the invoice of care that was not settled on the spot, settled
    by the one engine into a ``Settlement`` (so it counts in the fund's spending like any other). An
    invoice is paid once: the invoicing institution's invoice number is unique."""

    resident = models.ForeignKey(
        "enrollment.Resident", verbose_name=_("参保人员"), on_delete=models.PROTECT, related_name="manual_claims"
    )
    institution = models.ForeignKey(
        "institutions.Institution", verbose_name=_("开票医疗机构"), on_delete=models.PROTECT, related_name="+"
    )
    invoice_number = models.CharField(_("发票号码"), max_length=40)
    reason = models.CharField(_("零星报销原因"), max_length=16, choices=ManualClaimReason.choices)
    settlement = models.OneToOneField(
        Settlement, verbose_name=_("结算单"), on_delete=models.PROTECT, related_name="manual_claim"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("报销时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("零星报销")
        verbose_name_plural = _("零星报销")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "invoice_number"], name="claims_manual_claim_invoice_once")
        ]

    def __str__(self) -> str:
        return self.invoice_number
