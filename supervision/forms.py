from captcha.fields import CaptchaField
from django import forms
from django.utils.translation import gettext_lazy as _

from medinsure.core.uploads import UploadField
from medinsure.institutions.models import Institution
from supervision.models import (
    AgreementAction,
    CaseSource,
    CaseStatus,
    FineBasis,
    TargetKind,
    Violation,
)

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class StyledForm(forms.Form):
    """Bootstrap classes on every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            w = field.widget
            if isinstance(w, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
                continue
            if isinstance(w, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(w, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            w.attrs["class"] = (w.attrs.get("class", "") + " " + css).strip()


class CaseForm(StyledForm):
    source = forms.ChoiceField(label=_("案件来源"), choices=CaseSource.choices)
    target_kind = forms.ChoiceField(label=_("对象类型"), choices=TargetKind.choices)
    institution = forms.ModelChoiceField(
        label=_("定点医药机构"), queryset=Institution.objects.order_by("code"), required=False
    )
    person_name = forms.CharField(label=_("参保人姓名"), max_length=50, required=False)
    person_id_number = forms.CharField(label=_("参保人身份证号"), max_length=18, required=False)
    violations = forms.MultipleChoiceField(
        label=_("违规类型"), choices=Violation.choices, widget=forms.CheckboxSelectMultiple
    )
    summary = forms.CharField(label=_("案情摘要"), widget=forms.Textarea(attrs={"rows": 4}))
    registered_on = forms.DateField(label=_("立案日期"), widget=DATE)
    inspected_on = forms.DateField(label=_("现场检查日期"), widget=DATE, required=False)


class TransitionForm(StyledForm):
    target = forms.ChoiceField(label=_("变更为"), choices=CaseStatus.choices)
    on = forms.DateField(label=_("日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class DecisionForm(StyledForm):
    decided_on = forms.DateField(label=_("决定日期"), widget=DATE)
    document_number = forms.CharField(label=_("文书编号"), max_length=60, required=False)
    penalty = forms.BooleanField(label=_("行政处罚"), required=False)
    agreement_handling = forms.BooleanField(label=_("协议处理"), required=False)
    recovered = forms.DecimalField(label=_("追回医保基金（元）"), max_digits=16, decimal_places=2, initial=0)
    rejected = forms.DecimalField(label=_("拒付（元）"), max_digits=16, decimal_places=2, initial=0)
    obtained = forms.DecimalField(label=_("造成损失或骗取金额（元）"), max_digits=16, decimal_places=2, initial=0)
    fine_basis = forms.ChoiceField(label=_("罚款依据"), choices=FineBasis.choices)
    fine_multiple = forms.DecimalField(label=_("罚款倍数"), max_digits=4, decimal_places=2, required=False)
    fine_amount = forms.DecimalField(
        label=_("违约金金额（元，仅协议违约金）"), max_digits=16, decimal_places=2, required=False
    )
    agreement_action = forms.ChoiceField(label=_("协议处理方式"), choices=AgreementAction.choices[:3])
    action_from = forms.DateField(label=_("协议处理生效日"), widget=DATE, required=False)
    action_until = forms.DateField(label=_("中止截止日"), widget=DATE, required=False)
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class PublishForm(StyledForm):
    published_on = forms.DateField(label=_("曝光日期"), widget=DATE)
    public_summary = forms.CharField(label=_("公开摘要（不得含个人信息）"), widget=forms.Textarea(attrs={"rows": 3}))


class EvidenceForm(StyledForm):
    file = forms.FileField(label=_("证据文件（PDF、JPG、PNG、DOCX、XLSX，20 MB 以内）"))
    description = forms.CharField(label=_("说明"), max_length=200, required=False)


class AgreementChangeForm(StyledForm):
    action = forms.ChoiceField(label=_("操作"), choices=AgreementAction.choices[1:])
    start = forms.DateField(label=_("生效日期"), widget=DATE)
    end = forms.DateField(label=_("中止截止日"), widget=DATE, required=False)
    note = forms.CharField(label=_("说明"), max_length=300)


class AgreementSignForm(StyledForm):
    number = forms.CharField(label=_("协议编号"), max_length=40)
    signed_on = forms.DateField(label=_("签订日期"), widget=DATE)
    valid_until = forms.DateField(label=_("有效期至"), widget=DATE, required=False)


class ImportForm(StyledForm):
    file = UploadField(label=_("Excel 文件（.xlsx）"), kind="supervision_institutions", allowed=("xlsx",))


class PublicReportForm(StyledForm):
    subject = forms.CharField(label=_("被举报对象（机构或个人）"), max_length=200)
    institution = forms.ModelChoiceField(
        label=_("涉及的定点医药机构（可不选）"), queryset=Institution.objects.order_by("code"), required=False
    )
    content = forms.CharField(
        label=_("举报内容（时间、地点、经过）"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000
    )
    reporter_name = forms.CharField(label=_("您的姓名（可不填，匿名举报）"), max_length=50, required=False)
    reporter_phone = forms.CharField(label=_("联系电话（可不填）"), max_length=20, required=False)
    reporter_id_number = forms.CharField(
        label=_("身份证号（可不填，实名举报领取奖励时需要）"), max_length=18, required=False
    )
    captcha = CaptchaField(label=_("验证码"))


class TrackingForm(StyledForm):
    code = forms.CharField(label=_("查询码"), max_length=16)


class RevealForm(StyledForm):
    reason = forms.CharField(
        label=_("查看举报人身份的理由（记入审计日志）"), widget=forms.Textarea(attrs={"rows": 2}), max_length=300
    )


class ReportCaseForm(StyledForm):
    institution = forms.ModelChoiceField(
        label=_("定点医药机构"), queryset=Institution.objects.order_by("code"), required=False
    )
    person_name = forms.CharField(label=_("参保人姓名"), max_length=50, required=False)
    person_id_number = forms.CharField(label=_("参保人身份证号"), max_length=18, required=False)
    violations = forms.MultipleChoiceField(
        label=_("违规类型"), choices=Violation.choices, widget=forms.CheckboxSelectMultiple
    )
    summary = forms.CharField(label=_("案情摘要"), widget=forms.Textarea(attrs={"rows": 3}))
    registered_on = forms.DateField(label=_("立案日期"), widget=DATE)
    inspected_on = forms.DateField(label=_("现场检查日期"), widget=DATE, required=False)


class ReportCloseForm(StyledForm):
    reason = forms.CharField(label=_("办结说明"), widget=forms.Textarea(attrs={"rows": 2}))


class RewardForm(StyledForm):
    amount = forms.DecimalField(label=_("奖励金额（元）"), max_digits=16, decimal_places=2, min_value=0)
    paid_on = forms.DateField(label=_("发放日期"), widget=DATE, required=False)


class FlagAnswerForm(StyledForm):
    answer = forms.CharField(label=_("答复说明"), widget=forms.Textarea(attrs={"rows": 3}))


class FlagReviewForm(StyledForm):
    decision = forms.ChoiceField(label=_("审核结论"), choices=[("confirm", _("确认违规")), ("clear", _("排除疑点"))])
    deduction = forms.DecimalField(label=_("扣款（拒付）金额（元）"), max_digits=16, decimal_places=2, required=False)
    note = forms.CharField(label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class FlagCaseForm(StyledForm):
    violations = forms.MultipleChoiceField(
        label=_("违规类型"), choices=Violation.choices, widget=forms.CheckboxSelectMultiple
    )
    summary = forms.CharField(label=_("案情摘要"), widget=forms.Textarea(attrs={"rows": 3}))


class RuleForm(StyledForm):
    name = forms.CharField(label=_("规则名称"), max_length=100)
    enabled = forms.BooleanField(label=_("启用"), required=False)
    params = forms.JSONField(label=_("规则参数（JSON）"), widget=forms.Textarea(attrs={"rows": 8}))
    answer_days = forms.IntegerField(label=_("机构答复时限（天）"), min_value=1, max_value=90)


class AuditRunForm(StyledForm):
    kind = forms.ChoiceField(label=_("类型"), choices=[("daily", _("日任务")), ("monthly", _("月任务"))])
    day = forms.DateField(label=_("日期（日任务）"), widget=DATE, required=False)
    month = forms.CharField(label=_("月份（月任务，YYYY-MM）"), max_length=7, required=False)


class RoundForm(StyledForm):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    deadline = forms.DateField(label=_("报送截止日"), widget=DATE)


class SelfInspectionFileForm(StyledForm):
    summary = forms.CharField(label=_("自查自纠情况"), widget=forms.Textarea(attrs={"rows": 5}))


class InstitutionForm(StyledForm):
    code = forms.CharField(label=_("国家医保编码"), max_length=12)
    name = forms.CharField(label=_("机构名称"), max_length=128)
    kind = forms.ChoiceField(label=_("类别"), choices=Institution.Kind.choices)
    type = forms.CharField(label=_("机构类型"), max_length=32, required=False)
    level = forms.TypedChoiceField(
        label=_("医院等级"),
        choices=[("", "—"), *Institution.Level.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    division = forms.ModelChoiceField(label=_("所在镇街"), required=False, queryset=None)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        from medinsure.regions.models import Division

        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = Division.objects.filter(level=Division.Level.TOWNSHIP).order_by("code")
