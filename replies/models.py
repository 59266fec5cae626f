"""Cases of deputies' suggestions and members' proposals, their letters, commitments and receipts."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from medinsure.core.models import ImportRecord
from replies.rules import status as st

User = settings.AUTH_USER_MODEL


# --- the holiday schedule, kept as data ---------------------------------------------------------
class HolidayYear(models.Model):
    """A year whose State Council holiday schedule has been entered (国务院办公厅放假安排)."""

    class Source(models.TextChoices):
        PACKAGE = "package", _("chinese-calendar 数据包")
        STAFF = "staff", _("工作人员录入")

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.STAFF)
    note = models.CharField(_("依据"), max_length=200, blank=True, help_text=_("如：国办发明电〔2026〕X号"))
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    entered_by = models.ForeignKey(User, verbose_name=_("录入人"), null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("节假日安排年度")
        verbose_name_plural = _("节假日安排年度")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2200), name="replies_holidayyear_range")
        ]

    def __str__(self) -> str:
        return str(self.year)


class HolidayDay(models.Model):
    """One exceptional day: a statutory rest day, or a weekend day made a working day (调休上班)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        WORKDAY = "workday", _("调休上班")

    year = models.ForeignKey(HolidayYear, verbose_name=_("年度"), related_name="days", on_delete=models.CASCADE)
    day = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("节日"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()}"


# --- cases ---------------------------------------------------------------------------------------
class Kind(models.TextChoices):
    NPC = "npc", _("人大代表建议")
    CPPCC = "cppcc", _("政协委员提案")


class HandlerRole(models.TextChoices):
    LEAD = "lead", _("主办")
    CO = "co", _("协办")


class Department(models.TextChoices):
    OFFICE = "office", _("办公室")
    ENROLLMENT = "enrollment", _("参保征缴科")
    CLAIMS = "claims", _("待遇保障科")
    SUPERVISION = "supervision", _("基金监管科")
    FUND = "fund", _("规划财务科")


class Status(models.TextChoices):
    REGISTERED = st.Status.REGISTERED, _("已登记")
    HANDLING = st.Status.HANDLING, _("办理中")
    SIGNED = st.Status.SIGNED, _("已审签")
    REPLIED = st.Status.REPLIED, _("已答复")
    SECOND = st.Status.SECOND, _("二次办理")
    CLOSED = st.Status.CLOSED, _("已办结")
    RETURNED = st.Status.RETURNED, _("已退回")


class Proposal(models.Model):
    """建议提案办理件."""

    kind = models.CharField(_("类别"), max_length=8, choices=Kind.choices)
    session = models.CharField(_("会议届次"), max_length=100)
    number = models.CharField(_("编号"), max_length=30)
    title = models.CharField(_("标题"), max_length=300)
    proposers = ArrayField(models.CharField(max_length=50), verbose_name=_("提出人"))
    assigned_on = models.DateField(_("交办日期"))
    urgent = models.BooleanField(_("急件"), default=False)
    hard = models.BooleanField(_("涉及面广、处理难度大"), default=False)
    handler_role = models.CharField(_("承办方式"), max_length=4, choices=HandlerRole.choices, default=HandlerRole.LEAD)
    lead_unit = models.CharField(_("主办单位"), max_length=100, blank=True, help_text=_("我局为协办单位时填写"))
    department = models.CharField(_("承办科室"), max_length=16, choices=Department.choices, blank=True)
    drafter = models.ForeignKey(
        User, verbose_name=_("承办人"), null=True, blank=True, related_name="+", on_delete=models.PROTECT
    )
    department_head = models.ForeignKey(
        User, verbose_name=_("科室负责人"), null=True, blank=True, related_name="+", on_delete=models.PROTECT
    )
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.REGISTERED)
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    clock_start = models.DateField(_("期限起算日"), help_text=_("首次办理为交办日期，二次办理为收到不满意回执的日期"))
    due_on = models.DateField(_("答复期限"))
    due_provisional = models.BooleanField(_("期限为临时计算"), default=False)
    provisional_years = ArrayField(
        models.PositiveSmallIntegerField(), default=list, blank=True, verbose_name=_("缺少放假安排的年度")
    )
    replied_on = models.DateField(_("答复日期"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    overdue = models.BooleanField(_("已超期"), default=False)
    created_by = models.ForeignKey(
        User, verbose_name=_("登记人"), null=True, related_name="+", on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("建议提案")
        verbose_name_plural = _("建议提案")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "session", "number"], name="replies_proposal_unique_number"),
            models.CheckConstraint(condition=Q(round__in=[1, 2]), name="replies_proposal_round"),
            models.CheckConstraint(condition=Q(status__in=[s.value for s in Status]), name="replies_proposal_status"),
            models.CheckConstraint(
                condition=Q(due_on__gt=models.F("assigned_on")), name="replies_proposal_due_after_assigned"
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"]), models.Index(fields=["assigned_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}第{self.number}号 {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in st.OPEN_STATUSES

    @property
    def proposers_display(self) -> str:
        return "、".join(self.proposers)


class CoHandlerOpinion(models.Model):
    """协办意见: a co-handler's written opinion to the lead unit."""

    class Direction(models.TextChoices):
        RECEIVED = "received", _("收到协办单位意见")
        SENT = "sent", _("我局向主办单位提出意见")

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("建议提案"), related_name="opinions", on_delete=models.CASCADE
    )
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices, default=Direction.RECEIVED)
    unit = models.CharField(_("单位"), max_length=100)
    opinion = models.TextField(_("意见"))
    due_on = models.DateField(_("意见期限"))
    given_on = models.DateField(_("提出日期"))
    created_by = models.ForeignKey(
        User, verbose_name=_("登记人"), null=True, related_name="+", on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("协办意见")
        verbose_name_plural = _("协办意见")
        ordering = ["given_on", "id"]

    def __str__(self) -> str:
        return f"{self.unit} {self.given_on}"


class ContactLog(models.Model):
    """面商/沟通 with the proposers."""

    class Method(models.TextChoices):
        MEETING = "meeting", _("当面")
        PHONE = "phone", _("电话")
        LETTER = "letter", _("书面")
        OTHER = "other", _("其他")

    class Stage(models.TextChoices):
        BEFORE = "before", _("办前面商")
        DURING = "during", _("办中沟通")
        AFTER = "after", _("办后回访")

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("建议提案"), related_name="contacts", on_delete=models.CASCADE
    )
    contacted_on = models.DateField(_("沟通日期"))
    stage = models.CharField(_("阶段"), max_length=8, choices=Stage.choices, default=Stage.BEFORE)
    method = models.CharField(_("方式"), max_length=8, choices=Method.choices, default=Method.MEETING)
    person = models.CharField(_("沟通对象"), max_length=100)
    summary = models.TextField(_("沟通情况"))
    created_by = models.ForeignKey(
        User, verbose_name=_("记录人"), null=True, related_name="+", on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("沟通记录")
        verbose_name_plural = _("沟通记录")
        ordering = ["contacted_on", "id"]

    def __str__(self) -> str:
        return f"{self.contacted_on} {self.person}"


# --- letters -------------------------------------------------------------------------------------
class Classification(models.TextChoices):
    A = "A", _("A类：已经解决或者基本解决")
    B = "B", _("B类：正在解决或者列入规划逐步解决")
    C = "C", _("C类：因目前条件限制需待以后解决")
    D = "D", _("D类：留作参考")


class Publication(models.TextChoices):
    PUBLIC = "public", _("主动公开")
    ON_REQUEST = "on_request", _("依申请公开")
    WITHHELD = "withheld", _("不予公开")


class Letter(models.Model):
    """答复函 of one handling round; its text lives in versions."""

    proposal = models.ForeignKey(Proposal, verbose_name=_("建议提案"), related_name="letters", on_delete=models.CASCADE)
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)

    class Meta:
        verbose_name = _("答复函")
        verbose_name_plural = _("答复函")
        constraints = [models.UniqueConstraint(fields=["proposal", "round"], name="replies_letter_one_per_round")]

    def __str__(self) -> str:
        return f"{self.proposal} 第{self.round}轮答复函"


class LetterVersion(models.Model):
    """One version of a letter. A signed version is locked; a change makes a new version."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SIGNED = "signed", _("已审签")
        SUPERSEDED = "superseded", _("已被新版本取代")

    letter = models.ForeignKey(Letter, verbose_name=_("答复函"), related_name="versions", on_delete=models.CASCADE)
    number = models.PositiveSmallIntegerField(_("版本"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    addressee = models.CharField(_("称谓"), max_length=200)
    opening = models.TextField(_("开头"))
    closing = models.TextField(_("结束语"), blank=True)
    classification = models.CharField(_("答复类别"), max_length=1, choices=Classification.choices, blank=True)
    publication = models.CharField(
        _("公开属性"), max_length=12, choices=Publication.choices, default=Publication.PUBLIC
    )
    document_number = models.CharField(_("文号"), max_length=60, blank=True)
    issuing_office = models.CharField(_("发文机关"), max_length=100)
    contact_person = models.CharField(_("联系人"), max_length=30, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    redaction_terms = models.TextField(
        _("公开时需删除的内容"), blank=True, help_text=_("每行一项：地址、谈判价格、要求保密的内容等")
    )
    signed_by = models.ForeignKey(
        User, verbose_name=_("审签人"), null=True, blank=True, related_name="+", on_delete=models.PROTECT
    )
    signer_name = models.CharField(_("审签人姓名"), max_length=30, blank=True)
    signed_at = models.DateTimeField(_("审签时间"), null=True, blank=True)
    issued_on = models.DateField(_("成文日期"), null=True, blank=True)
    commitments_snapshot = models.JSONField(_("承诺事项（审签时）"), default=list, blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("起草人"), null=True, related_name="+", on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("答复函版本")
        verbose_name_plural = _("答复函版本")
        ordering = ["letter", "number"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "number"], name="replies_version_unique_number"),
            models.UniqueConstraint(fields=["letter"], condition=Q(state="draft"), name="replies_version_one_draft"),
            models.CheckConstraint(
                condition=~Q(state="signed")
                | Q(signed_by__isnull=False, signed_at__isnull=False, issued_on__isnull=False),
                name="replies_version_signed_has_signer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.letter} 第{self.number}版"

    @property
    def locked(self) -> bool:
        return self.state != self.State.DRAFT

    @property
    def redaction_list(self) -> tuple[str, ...]:
        return tuple(t.strip() for t in self.redaction_terms.splitlines() if t.strip())


class Section(models.Model):
    """一、关于…的建议 — one point of the suggestion and its answer."""

    version = models.ForeignKey(
        LetterVersion, verbose_name=_("版本"), related_name="sections", on_delete=models.CASCADE
    )
    order = models.PositiveSmallIntegerField(_("序号"))
    heading = models.CharField(_("小标题"), max_length=200, blank=True)
    body = models.TextField(_("正文"), blank=True)
    withheld = models.BooleanField(
        _("此段不予公开"), default=False, help_text=_("内部研究、国家秘密等：公开文本中整段删除，原件保留")
    )

    class Meta:
        verbose_name = _("答复段落")
        verbose_name_plural = _("答复段落")
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "order"], name="replies_section_order")]

    def __str__(self) -> str:
        return self.heading or f"段落{self.order}"


class FrozenFigure(models.Model):
    """A figure from another part of the portal, frozen into the letter with its source and date."""

    section = models.ForeignKey(Section, verbose_name=_("段落"), related_name="figures", on_delete=models.CASCADE)
    source = models.CharField(_("数据来源"), max_length=40)
    params = models.JSONField(_("参数"), default=dict)
    label = models.CharField(_("名称"), max_length=200)
    text = models.TextField(_("引用文字"))
    data = models.JSONField(_("数据"), default=dict)
    as_of = models.DateField(_("数据日期"))
    captured_at = models.DateTimeField(_("引用时间"), auto_now_add=True)
    captured_by = models.ForeignKey(
        User, verbose_name=_("引用人"), null=True, related_name="+", on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("引用数据")
        verbose_name_plural = _("引用数据")
        ordering = ["section", "id"]

    def __str__(self) -> str:
        return self.label


# --- commitments, receipts, publication, reminders ---------------------------------------------
class Commitment(models.Model):
    """承诺事项: tracked to completion after the reply."""

    class State(models.TextChoices):
        OPEN = "open", _("落实中")
        DONE = "done", _("已落实")

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("建议提案"), related_name="commitments", on_delete=models.CASCADE
    )
    number = models.PositiveSmallIntegerField(_("序号"))
    content = models.TextField(_("承诺事项具体内容"))
    due_text = models.CharField(_("承诺落实时间"), max_length=300)
    due_on = models.DateField(_("落实期限"), null=True, blank=True, help_text=_("用于提醒；承诺时间为文字说明时可留空"))
    unit = models.CharField(_("责任单位"), max_length=100)
    state = models.CharField(_("落实情况"), max_length=6, choices=State.choices, default=State.OPEN)
    done_on = models.DateField(_("落实日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("承诺事项")
        verbose_name_plural = _("承诺事项")
        ordering = ["proposal", "number"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="replies_commitment_number"),
            models.CheckConstraint(
                condition=Q(state="open", done_on__isnull=True) | Q(state="done", done_on__isnull=False),
                name="replies_commitment_done_on",
            ),
        ]

    def __str__(self) -> str:
        return f"承诺事项{self.number}"

    def as_snapshot(self) -> dict:
        return {"number": self.number, "content": self.content, "due_text": self.due_text, "unit": self.unit}


class CommitmentProgress(models.Model):
    commitment = models.ForeignKey(
        Commitment, verbose_name=_("承诺事项"), related_name="progress", on_delete=models.CASCADE
    )
    on = models.DateField(_("日期"))
    note = models.TextField(_("进展"))
    by = models.ForeignKey(User, verbose_name=_("记录人"), null=True, related_name="+", on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("落实进展")
        verbose_name_plural = _("落实进展")
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.on} {self.note[:20]}"


class Receipt(models.Model):
    """回执: the proposer's opinion of a reply."""

    class Opinion(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASIC = "basic", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("建议提案"), related_name="receipts", on_delete=models.CASCADE
    )
    round = models.PositiveSmallIntegerField(_("办理轮次"))
    opinion = models.CharField(_("意见"), max_length=12, choices=Opinion.choices)
    reasons = models.TextField(_("具体理由"), blank=True)
    received_on = models.DateField(_("收到日期"))
    recorded_by = models.ForeignKey(
        User, verbose_name=_("登记人"), null=True, related_name="+", on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("回执")
        verbose_name_plural = _("回执")
        ordering = ["proposal", "round"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "round"], name="replies_receipt_one_per_round"),
            models.CheckConstraint(
                condition=~Q(opinion="unsatisfied") | ~Q(reasons=""), name="replies_receipt_unsatisfied_reasons"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_opinion_display()} {self.received_on}"


class PublishedReply(models.Model):
    """The published copy of a signed letter, redacted; the record keeps everything."""

    version = models.OneToOneField(
        LetterVersion, verbose_name=_("答复函版本"), related_name="published", on_delete=models.PROTECT
    )
    title = models.CharField(_("标题"), max_length=400)
    body = models.TextField(_("公开文本"))
    redactions = models.PositiveIntegerField(_("删除处数"), default=0)
    published_at = models.DateTimeField(_("公开时间"), auto_now_add=True)
    published_by = models.ForeignKey(
        User, verbose_name=_("公开人"), null=True, related_name="+", on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("公开的答复")
        verbose_name_plural = _("公开的答复")
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return self.title


class Reminder(models.Model):
    """A reminder sent once per case (or commitment), round, level and recipient."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("建议提案"), related_name="reminders", on_delete=models.CASCADE
    )
    commitment = models.ForeignKey(
        Commitment,
        verbose_name=_("承诺事项"),
        null=True,
        blank=True,
        related_name="reminders",
        on_delete=models.CASCADE,
    )
    round = models.PositiveSmallIntegerField(_("办理轮次"))
    level = models.CharField(_("提醒级别"), max_length=10)
    recipient = models.ForeignKey(User, verbose_name=_("接收人"), related_name="+", on_delete=models.CASCADE)
    due_on = models.DateField(_("期限"))
    message = models.CharField(_("内容"), max_length=300)
    created_at = models.DateTimeField(_("提醒时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("办理提醒")
        verbose_name_plural = _("办理提醒")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "round", "level", "recipient"],
                condition=Q(commitment__isnull=True),
                name="replies_reminder_once_case",
            ),
            models.UniqueConstraint(
                fields=["commitment", "level", "recipient"],
                condition=Q(commitment__isnull=False),
                name="replies_reminder_once_commitment",
            ),
        ]

    def __str__(self) -> str:
        return self.message


class ProposalImport(ImportRecord):
    """An uploaded assigning office's list (交办清单): the core's one lifecycle and storage — the upload
    (``raw``), its checked rows (``checked``, packed JSON) and its errors wait in the database until a
    person accepts them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file_name = models.CharField(_("文件名"), max_length=200)
    message = models.CharField(_("说明"), max_length=500, blank=True)  # why the file as a whole is refused
    row_count = models.PositiveIntegerField(_("可导入行数"), default=0)
    error_count = models.PositiveIntegerField(_("问题数"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    existing = models.PositiveIntegerField(_("已存在"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("交办清单导入")
        verbose_name_plural = _("交办清单导入")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name
