"""全民参保: the registry of residents, campaigns, payments, guideline tasks, mobilisation tasks,
reminders and pre-aggregated progress."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from medinsure.core.models import ImportRecord


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class SpecialCategory(models.TextChoices):
    NONE = "", _("无")
    TEKUN = "tekun", _("特困人员")
    DIBAO = "dibao", _("低保对象")
    DISABLED = "disabled", _("重度残疾人")
    LOW_INCOME = "low_income", _("低收入人口")
    ORPHAN = "orphan", _("孤儿和事实无人抚养儿童")
    RELAPSE_RISK = "relapse_risk", _("防止返贫监测对象")
    JIANDANG = "jiandang", _("建档立卡贫困人口")


class SubsidyPayer(models.TextChoices):
    NONE = "", _("无")
    CIVIL_AFFAIRS = "civil_affairs", _("民政部门")
    DISABLED_FEDERATION = "disabled_federation", _("残联")
    RURAL_REVITALISATION = "rural_revitalisation", _("乡村振兴部门")
    MEDICAL_ASSISTANCE = "medical_assistance", _("医疗救助基金")


class Source(models.TextChoices):
    POLICE = "police", _("公安户籍")
    HR = "hr", _("人社职工参保")
    TAX = "tax", _("税务缴费")
    CIVIL = "civil", _("民政资助")
    EDUCATION = "education", _("教委学生")
    WORKER = "worker", _("镇村核实")
    SYSTEM = "system", _("系统")


class ImportBatch(ImportRecord):
    """One uploaded department file: validated into a preview, accepted into the registry in one write.
    The upload (``raw``), its checked rows (``checked``: the staging CSV, packed) and its row errors live
    in the database (``medinsure.core.models.ImportRecord``), so any worker on any host continues it."""

    class Status(models.TextChoices):  # the core's lifecycle (medinsure.rules.imports), enrollment's labels
        CHECKING = "checking", _("校验中")
        PREVIEW = "preview", _("待确认")
        INVALID = "invalid", _("文件无法读取")
        ACCEPTING = "accepting", _("导入中")
        DONE = "done", _("已导入")
        FAILED = "failed", _("导入失败")

    source = models.CharField(_("数据来源"), max_length=16, choices=Source.choices)
    file_name = models.CharField(_("文件名"), max_length=255)
    extension = models.CharField(_("文件类型"), max_length=8, blank=True)  # as the upload guard found it
    sha256 = models.CharField(_("文件摘要"), max_length=64, db_index=True)
    year = models.PositiveSmallIntegerField(_("参保年度"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.CHECKING)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    valid_rows = models.PositiveIntegerField(_("有效行数"), default=0)
    error_rows = models.PositiveIntegerField(_("错误行数"), default=0)
    new_rows = models.PositiveIntegerField(_("新增"), default=0)
    changed_rows = models.PositiveIntegerField(_("变更"), default=0)
    unchanged_rows = models.PositiveIntegerField(_("无变化"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    job = models.ForeignKey("jobs.Job", verbose_name=_("后台任务"), null=True, blank=True, on_delete=models.SET_NULL)
    accepted_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.file_name}"


class Resident(models.Model):
    """A person in the registry (全民参保数据库), keyed by the 18-digit ID number."""

    id_number = models.CharField(_("公民身份号码"), max_length=18, unique=True)
    id_number_raw = models.CharField(_("原始证件号码"), max_length=18, blank=True)
    name = models.CharField(_("姓名"), max_length=64)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    hukou_division = models.ForeignKey(
        "regions.Division", verbose_name=_("户籍地"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    residence_division = models.ForeignKey(
        "regions.Division", verbose_name=_("居住地"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    special_category = models.CharField(
        _("特殊人群类别"), max_length=16, choices=SpecialCategory.choices, default="", blank=True
    )
    subsidy_payer = models.CharField(
        _("资助出资方"), max_length=24, choices=SubsidyPayer.choices, default="", blank=True
    )
    moved_in_on = models.DateField(_("迁入日期"), null=True, blank=True)
    moved_out_on = models.DateField(_("迁出日期"), null=True, blank=True)
    deceased_on = models.DateField(_("死亡日期"), null=True, blank=True)
    reminder_opt_out = models.BooleanField(_("拒收提醒"), default=False)
    source = models.CharField(_("最近来源"), max_length=16, choices=Source.choices, default=Source.SYSTEM)
    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("最近来源文件"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("参保人员")
        verbose_name_plural = _("参保人员")
        ordering = ["id_number"]
        indexes = [
            models.Index(fields=["hukou_division"]),
            models.Index(fields=["residence_division"]),
            models.Index(fields=["name"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(id_number__regex=r"^\d{17}[\dX]$"), name="resident_id_number_shape"),
            models.CheckConstraint(
                condition=Q(special_category="") | ~Q(subsidy_payer=""), name="resident_subsidy_payer_named"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def alive(self) -> bool:
        return self.deceased_on is None


class ResidentHistory(models.Model):
    """Each change of a resident, with the previous values and the source file that caused it."""

    resident = models.ForeignKey(Resident, verbose_name=_("参保人员"), on_delete=models.CASCADE, related_name="history")
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    batch = models.ForeignKey(ImportBatch, verbose_name=_("来源文件"), null=True, on_delete=models.SET_NULL)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL)
    created = models.BooleanField(_("新建"), default=False)
    field = models.CharField(_("变更内容"), max_length=32, blank=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    changed_at = models.DateTimeField(_("变更时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("人员变更记录")
        verbose_name_plural = _("人员变更记录")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.resident_id} {self.field or 'resident'} {self.changed_at:%Y-%m-%d}"


class InsuranceStatus(models.Model):
    """A resident's insurance status for one contribution year (参保状态)."""

    class Status(models.TextChoices):
        TIER1 = "tier1", _("居民医保一档")
        TIER2 = "tier2", _("居民医保二档")
        EMPLOYEE = "employee", _("职工医保")
        ELSEWHERE = "elsewhere", _("异地参保")
        NONE = "none", _("未参保")

    resident = models.ForeignKey(
        Resident, verbose_name=_("参保人员"), on_delete=models.CASCADE, related_name="statuses"
    )
    year = models.PositiveSmallIntegerField(_("参保年度"))
    status = models.CharField(_("参保状态"), max_length=10, choices=Status.choices)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    status_date = models.DateField(_("状态日期"))
    batch = models.ForeignKey(ImportBatch, verbose_name=_("来源文件"), null=True, blank=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    RESIDENT_INSURED = ("tier1", "tier2")
    OTHER_COVER = ("employee", "elsewhere")

    class Meta:
        verbose_name = _("年度参保状态")
        verbose_name_plural = _("年度参保状态")
        constraints = [models.UniqueConstraint(fields=["resident", "year"], name="status_one_per_year")]
        indexes = [models.Index(fields=["year", "status"])]

    def __str__(self) -> str:
        return f"{self.resident_id} {self.year} {self.status}"


class Campaign(models.Model):
    """The enrollment campaign of one contribution year (集中征缴)."""

    year = models.PositiveSmallIntegerField(_("参保年度"), unique=True)
    name = models.CharField(_("名称"), max_length=100)
    collection_start = models.DateField(_("集中缴费期开始"))
    collection_end = models.DateField(_("集中缴费期结束"))
    city_target = models.PositiveIntegerField(_("市级下达基本医保参保任务数"), default=0)
    township_total = models.PositiveIntegerField(_("镇街居民医保指导性任务总数"), null=True, blank=True)
    base_ratio = models.DecimalField(_("户籍人口基数比例"), max_digits=5, decimal_places=4, default=Decimal("0.96"))
    reminder_round_days = models.JSONField(_("提醒轮次（开征后第几天）"), default=list, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("参保征缴年度")
        verbose_name_plural = _("参保征缴年度")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(collection_end__gte=F("collection_start")), name="campaign_period_order"
            ),
            models.CheckConstraint(
                condition=Q(base_ratio__gt=0) & Q(base_ratio__lte=1), name="campaign_base_ratio_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignTier(models.Model):
    """A contribution tier (档次): funding standard = fiscal subsidy + personal part."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("征缴年度"), on_delete=models.CASCADE, related_name="tiers")
    code = models.CharField(_("档次"), max_length=8, choices=[("tier1", _("一档")), ("tier2", _("二档"))])
    standard = models.DecimalField(_("筹资标准"), max_digits=16, decimal_places=2)
    subsidy = models.DecimalField(_("财政补助"), max_digits=16, decimal_places=2)
    personal = models.DecimalField(_("个人缴费"), max_digits=16, decimal_places=2)
    ltc_premium = models.DecimalField(_("长期护理保险费"), max_digits=16, decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = _("缴费档次")
        verbose_name_plural = _("缴费档次")
        ordering = ["campaign", "code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="tier_unique_per_campaign"),
            models.CheckConstraint(condition=Q(standard=F("subsidy") + F("personal")), name="tier_standard_adds_up"),
            models.CheckConstraint(condition=Q(subsidy__gte=0) & Q(personal__gte=0), name="tier_amounts_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign.year} {self.get_code_display()}"


class Payment(models.Model):
    """A contribution paid through the tax bureau (税务缴费), with the cover it buys."""

    class Kind(models.TextChoices):
        ON_TIME = "on_time", _("集中缴费期内")
        LATE = "late", _("补缴")
        NEWBORN = "newborn", _("新生儿")
        NEWBORN_LATE = "newborn_late", _("新生儿逾期")
        SUBSIDISED = "subsidised", _("资助参保")

    resident = models.ForeignKey(
        Resident, verbose_name=_("参保人员"), on_delete=models.PROTECT, related_name="payments"
    )
    year = models.PositiveSmallIntegerField(_("参保年度"))
    tier = models.CharField(_("档次"), max_length=8)
    amount = models.DecimalField(_("缴费金额"), max_digits=16, decimal_places=2)
    ltc_amount = models.DecimalField(_("长护险金额"), max_digits=16, decimal_places=2, default=Decimal("0"))
    paid_on = models.DateField(_("缴费日期"))
    receipt_no = models.CharField(_("票据号"), max_length=40, unique=True)
    kind = models.CharField(_("缴费类型"), max_length=16, choices=Kind.choices)
    cover_start = models.DateField(_("待遇开始日期"), null=True, blank=True)
    batch = models.ForeignKey(ImportBatch, verbose_name=_("来源文件"), null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("缴费记录")
        verbose_name_plural = _("缴费记录")
        ordering = ["-paid_on"]
        indexes = [models.Index(fields=["year", "resident"])]

    def __str__(self) -> str:
        return f"{self.receipt_no} {self.amount}"


class GuidelineTask(models.Model):
    """A township's guideline task (指导性任务数) for one year, computed then possibly edited."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("征缴年度"), on_delete=models.CASCADE, related_name="guideline_tasks"
    )
    township = models.ForeignKey("regions.Division", verbose_name=_("镇街"), on_delete=models.PROTECT, related_name="+")
    hukou_population = models.PositiveIntegerField(_("户籍人口"), default=0)
    moved_in = models.PositiveIntegerField(_("迁入"), default=0)
    moved_out = models.PositiveIntegerField(_("迁出"), default=0)
    births = models.PositiveIntegerField(_("出生"), default=0)
    deaths = models.PositiveIntegerField(_("死亡"), default=0)
    employee_insured = models.PositiveIntegerField(_("职工医保"), default=0)
    enrolled_elsewhere = models.PositiveIntegerField(_("异地参保"), default=0)
    raw = models.DecimalField(_("测算数"), max_digits=14, decimal_places=2)
    computed_task = models.PositiveIntegerField(_("测算任务数"))
    task = models.PositiveIntegerField(_("指导性任务数"))
    edit_reason = models.CharField(_("调整理由"), max_length=300, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("调整人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    edited_at = models.DateTimeField(_("调整时间"), null=True, blank=True)
    issued_at = models.DateTimeField(_("下达时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("指导性任务")
        verbose_name_plural = _("指导性任务")
        ordering = ["township__code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "township"], name="guideline_one_per_township"),
            models.CheckConstraint(
                condition=Q(task=F("computed_task")) | ~Q(edit_reason=""), name="guideline_edit_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.township_id} {self.task}"


class GuidelineTaskChange(models.Model):
    task = models.ForeignKey(
        GuidelineTask, verbose_name=_("指导性任务"), on_delete=models.CASCADE, related_name="changes"
    )
    before = models.PositiveIntegerField(_("调整前"))
    after = models.PositiveIntegerField(_("调整后"))
    reason = models.CharField(_("理由"), max_length=300)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("调整人"), null=True, on_delete=models.SET_NULL)
    changed_at = models.DateTimeField(_("调整时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("任务数调整记录")
        verbose_name_plural = _("任务数调整记录")
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return f"{self.before} → {self.after}"


class TaskStatus(models.TextChoices):
    OPEN = "open", _("待分派")
    ASSIGNED = "assigned", _("已分派")
    FOLLOW_UP = "follow_up", _("跟进中")
    CLOSED = "closed", _("已办结")


class Outcome(models.TextChoices):
    ENROLLED = "enrolled", _("已参保缴费")
    PROMISED = "promised", _("承诺缴费")
    REFUSED = "refused", _("拒绝参保")
    INSURED_ELSEWHERE = "insured_elsewhere", _("已异地参保")
    EMPLOYEE_INSURED = "employee_insured", _("已参加职工医保")
    OUTSIDE_CITY = "outside_city", _("市外居住")
    DECEASED = "deceased", _("已死亡")
    UNREACHABLE = "unreachable", _("无法联系")
    WRONG_DATA = "wrong_data", _("信息有误")
    PAID = "paid", _("系统确认已缴费")


class RefusalReason(models.TextChoices):
    POLICY_MISUNDERSTOOD = "policy_misunderstood", _("不理解医保政策")
    CANNOT_AFFORD = "cannot_afford", _("经济困难")
    FEELS_HEALTHY = "feels_healthy", _("身体健康不需要")
    COMMERCIAL = "commercial_insurance", _("已购买商业保险")
    OTHER = "other", _("其他")


class MobilisationTask(models.Model):
    """A to-do (参保动员任务): a resident who should be insured this year and is not."""

    class Gap(models.TextChoices):
        UNINSURED = "uninsured", _("未参保")
        LAPSED = "lapsed", _("断保")

    campaign = models.ForeignKey(Campaign, verbose_name=_("征缴年度"), on_delete=models.CASCADE, related_name="tasks")
    resident = models.ForeignKey(Resident, verbose_name=_("参保人员"), on_delete=models.CASCADE, related_name="tasks")
    division = models.ForeignKey(
        "regions.Division",
        verbose_name=_("所属区域"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("户籍村社，分到网格后为网格"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    gap = models.CharField(_("类型"), max_length=10, choices=Gap.choices)
    status = models.CharField(_("状态"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    outcome = models.CharField(_("结果"), max_length=20, choices=Outcome.choices, blank=True)
    refusal_reason = models.CharField(_("拒绝原因"), max_length=24, choices=RefusalReason.choices, blank=True)
    note = models.CharField(_("备注"), max_length=500, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome_at = models.DateTimeField(_("记录时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("参保动员任务")
        verbose_name_plural = _("参保动员任务")
        ordering = ["division__code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "resident"], name="task_one_per_resident_year"),
            models.CheckConstraint(condition=~Q(status="closed") | ~Q(outcome=""), name="task_closed_has_outcome"),
            models.CheckConstraint(
                condition=~Q(outcome="refused") | ~Q(refusal_reason=""), name="task_refusal_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["campaign", "status"]), models.Index(fields=["assignee", "status"])]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.resident_id} {self.status}"


class TaskOutcomeLog(models.Model):
    task = models.ForeignKey(MobilisationTask, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="log")
    outcome = models.CharField(_("结果"), max_length=20, choices=Outcome.choices)
    refusal_reason = models.CharField(_("拒绝原因"), max_length=24, blank=True)
    note = models.CharField(_("备注"), max_length=500, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, on_delete=models.SET_NULL)
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("动员记录")
        verbose_name_plural = _("动员记录")
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.outcome}"


class ReminderMessage(models.Model):
    """Outbox of payment reminders (缴费提醒): one row per person, round and channel kind."""

    class Kind(models.TextChoices):
        SMS = "sms", _("短信")
        VOICE = "voice", _("语音电话")

    class Status(models.TextChoices):
        QUEUED = "queued", _("待发送")
        SENT = "sent", _("已发送")
        DELIVERED = "delivered", _("已送达")
        RETRY = "retry", _("待重试")
        FAILED = "failed", _("发送失败")

    campaign = models.ForeignKey(Campaign, verbose_name=_("征缴年度"), on_delete=models.CASCADE, related_name="+")
    resident = models.ForeignKey(
        Resident, verbose_name=_("参保人员"), on_delete=models.CASCADE, related_name="reminders"
    )
    round_id = models.CharField(_("提醒轮次"), max_length=16)
    kind = models.CharField(_("方式"), max_length=8, choices=Kind.choices, default=Kind.SMS)
    phone = models.CharField(_("号码"), max_length=20)
    text = models.CharField(_("内容"), max_length=500)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次发送时间"), null=True, blank=True)
    last_error = models.CharField(_("失败原因"), max_length=300, blank=True)
    provider_id = models.CharField(_("通道回执"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("缴费提醒")
        verbose_name_plural = _("缴费提醒")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["resident", "campaign", "round_id", "kind"], name="reminder_once_per_round")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.round_id} {self.kind} {self.status}"


class ProgressDaily(models.Model):
    """Pre-aggregated progress per division and day (调度进度): what the dashboard and API read."""

    year = models.PositiveSmallIntegerField(_("参保年度"))
    day = models.DateField(_("日期"))
    level = models.CharField(_("层级"), max_length=10)
    division_code = models.CharField(_("区划代码"), max_length=15)
    division_name = models.CharField(_("名称"), max_length=64)
    parent_code = models.CharField(_("上级代码"), max_length=15)
    task = models.PositiveIntegerField(_("任务数"))
    insured = models.PositiveIntegerField(_("已参保"))
    rate = models.DecimalField(_("完成率"), max_digits=7, decimal_places=4)
    rank = models.PositiveIntegerField(_("排名"))
    change = models.IntegerField(_("较上次增加"), default=0)

    class Meta:
        verbose_name = _("参保进度")
        verbose_name_plural = _("参保进度")
        ordering = ["year", "day", "level", "rank", "division_code"]
        constraints = [
            models.UniqueConstraint(fields=["year", "day", "division_code"], name="progress_one_per_day"),
        ]
        indexes = [models.Index(fields=["year", "level", "day", "parent_code", "rank"])]

    def __str__(self) -> str:
        return f"{self.day} {self.division_name} {self.rate}"


class CoverStop(models.Model):
    """Cover stopped (停保) at the resident's request from a date, until it is resumed (续保).

    Read by entitlement: no benefit is paid for a date inside a stop; the next year's renewal skips a
    resident whose stop is still open."""

    resident = models.ForeignKey(Resident, verbose_name=_("参保人员"), on_delete=models.CASCADE, related_name="stops")
    stopped_on = models.DateField(_("停保日期"))
    resumed_on = models.DateField(_("续保日期"), null=True, blank=True)
    reason = models.CharField(_("停保原因"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("停保记录")
        verbose_name_plural = _("停保记录")
        ordering = ["-stopped_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resumed_on__isnull=True) | Q(resumed_on__gt=F("stopped_on")),
                name="cover_stop_resumed_after_stopped",
            )
        ]

    def __str__(self) -> str:
        return f"{self.resident_id} {self.stopped_on}"


class DirectDebitAgreement(models.Model):
    """A bank direct-debit agreement (医保费扣款协议) for a contribution year: the bank takes the next
    year's contribution from the account in the collection period. One open agreement per person and year."""

    resident = models.ForeignKey(
        Resident, verbose_name=_("参保人员"), on_delete=models.CASCADE, related_name="debit_agreements"
    )
    year = models.PositiveSmallIntegerField(_("缴费年度"))
    bank_name = models.CharField(_("开户银行"), max_length=64)
    account_holder = models.CharField(_("账户名"), max_length=64)
    # the account number is kept encrypted (medinsure.core.crypto, rotated with the field keys); pages show
    # its last four digits only
    account_number_encrypted = models.TextField(_("银行账号（加密）"))
    account_last4 = models.CharField(_("银行账号后四位"), max_length=4)
    signed_on = models.DateField(_("签约日期"))
    cancelled_on = models.DateField(_("解约日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("银行代扣协议")
        verbose_name_plural = _("银行代扣协议")
        ordering = ["-year", "-signed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "year"], condition=Q(cancelled_on__isnull=True), name="debit_agreement_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resident_id} {self.year}"

    @property
    def account_shown(self) -> str:
        return "****" + self.account_last4

    def account_number(self) -> str:
        """The full number, for the bank's debit file only (decrypted on demand, never stored in clear)."""
        from medinsure.core.crypto import decrypt_text

        return decrypt_text(self.account_number_encrypted)
