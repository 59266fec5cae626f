from django import forms
from django.utils.translation import gettext_lazy as _

from medinsure.accounts.models import User
from replies.models import (
    CoHandlerOpinion,
    ContactLog,
    Department,
    HandlerRole,
    Kind,
    LetterVersion,
    Receipt,
)
from replies.services import HEADER_FIELDS

FIELD_LABELS = {
    "sections": _("段落"),
    "body": _("正文"),
    "classification": _("答复类别"),
    "publication": _("公开属性"),
    "document_number": _("文号"),
    "contact_person": _("联系人"),
    "contact_phone": _("联系电话"),
    "commitments": _("承诺事项列表"),
    "content": _("承诺事项具体内容"),
    "due_text": _("承诺落实时间"),
    "unit": _("责任单位"),
    "status": _("状态"),
    "version": _("答复函"),
    "number": _("编号"),
    "proposers": _("提出人"),
    "lead_unit": _("主办单位"),
    "reasons": _("具体理由"),
    "reason": _("退回理由"),
    "drafter": _("承办人"),
    "sent_on": _("送达日期"),
    "received_on": _("收到日期"),
    "department_head": _("科室负责人"),
    "opinion": _("意见"),
    "note": _("进展"),
    "days": _("日期"),
    "source": _("数据来源"),
    "year": _("年度"),
    "month": _("月份"),
    "fund": _("基金"),
    "level": _("层级"),
    "code": _("政策编码"),
}


def field_label(field: str) -> str:
    """The Chinese name of an error's field: "sections[1].body" → "第2段 正文"."""
    import re

    m = re.fullmatch(r"(sections|commitments)\[(\d+)\]\.(\w+)", field)
    if m:
        n = int(m.group(2)) + 1
        head = _("第%(n)s段") % {"n": n} if m.group(1) == "sections" else _("承诺事项%(n)s") % {"n": n}
        return f"{head} {FIELD_LABELS.get(m.group(3), m.group(3))}"
    return str(FIELD_LABELS.get(field, field))


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProposalForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=Kind.choices)
    session = forms.CharField(
        label=_("会议届次"), max_length=100, help_text=_("如：唐山市第十六届人民代表大会第四次会议")
    )
    number = forms.RegexField(
        label=_("编号"), regex=r"^\d{1,30}$", max_length=30, error_messages={"invalid": _("编号只能是数字")}
    )
    title = forms.CharField(label=_("标题"), max_length=300)
    proposers = forms.CharField(label=_("提出人"), help_text=_("多人用顿号或逗号分隔"))
    assigned_on = forms.DateField(label=_("交办日期"), widget=DATE)
    urgent = forms.BooleanField(label=_("急件（1个月内答复）"), required=False)
    hard = forms.BooleanField(label=_("涉及面广、处理难度大（6个月内答复）"), required=False)
    handler_role = forms.ChoiceField(label=_("承办方式"), choices=HandlerRole.choices, initial=HandlerRole.LEAD)
    lead_unit = forms.CharField(label=_("主办单位"), required=False)

    def clean_proposers(self):
        import re

        names = [n.strip() for n in re.split(r"[、,，;；\s]+", self.cleaned_data["proposers"]) if n.strip()]
        if not names:
            raise forms.ValidationError(_("至少填写一名提出人"))
        return names


def staff_users():
    """Drafters and heads are people who can open the case and read its reminders (the replies area)."""
    from medinsure.accounts.scoping import AREAS_BY_ROLE, Area

    roles = [role for role, areas in AREAS_BY_ROLE.items() if Area.REPLIES in areas]
    return User.objects.filter(is_active=True, role__in=roles).order_by("role", "username")


class AssignForm(forms.Form):
    department = forms.ChoiceField(label=_("承办科室"), choices=Department.choices)
    drafter = forms.ModelChoiceField(label=_("承办人"), queryset=User.objects.none())
    department_head = forms.ModelChoiceField(label=_("科室负责人"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["drafter"].queryset = staff_users()
        self.fields["department_head"].queryset = staff_users()


class ContactForm(forms.ModelForm):
    class Meta:
        model = ContactLog
        fields = ["contacted_on", "stage", "method", "person", "summary"]
        widgets = {"contacted_on": DATE, "summary": forms.Textarea(attrs={"rows": 2})}


class OpinionForm(forms.ModelForm):
    class Meta:
        model = CoHandlerOpinion
        fields = ["direction", "unit", "opinion", "given_on"]
        widgets = {"given_on": DATE, "opinion": forms.Textarea(attrs={"rows": 2})}


class CommitmentForm(forms.Form):
    content = forms.CharField(label=_("承诺事项具体内容"), widget=forms.Textarea(attrs={"rows": 2}))
    due_text = forms.CharField(label=_("承诺落实时间"), max_length=300)
    due_on = forms.DateField(label=_("落实期限（用于提醒）"), required=False, widget=DATE)
    unit = forms.CharField(label=_("责任单位"), max_length=100)


class ProgressForm(forms.Form):
    on = forms.DateField(label=_("日期"), widget=DATE)
    note = forms.CharField(label=_("进展"), widget=forms.Textarea(attrs={"rows": 2}))
    done = forms.BooleanField(label=_("已落实"), required=False)


class ReceiptForm(forms.Form):
    opinion = forms.ChoiceField(label=_("意见"), choices=Receipt.Opinion.choices)
    received_on = forms.DateField(label=_("收到日期"), widget=DATE)
    reasons = forms.CharField(label=_("具体理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SendForm(forms.Form):
    sent_on = forms.DateField(label=_("送达日期"), widget=DATE)


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 2}))


class VersionForm(forms.ModelForm):
    class Meta:
        model = LetterVersion
        fields = list(HEADER_FIELDS)
        widgets = {
            "opening": forms.Textarea(attrs={"rows": 2}),
            "closing": forms.Textarea(attrs={"rows": 2}),
            "redaction_terms": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        allowed = set(getattr(settings, "REPLIES_CLASSES", ("A", "B", "C")))
        self.fields["classification"].choices = [
            c for c in self.fields["classification"].choices if c[0] == "" or c[0] in allowed
        ]


class SectionForm(forms.Form):
    heading = forms.CharField(
        label=_("小标题"), max_length=200, required=False, help_text=_("如：一、关于明确部门责任加强协作的建议")
    )
    body = forms.CharField(label=_("正文"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    withheld = forms.BooleanField(label=_("此段不予公开"), required=False)


class FigureForm(forms.Form):
    source = forms.ChoiceField(label=_("数据来源"), choices=())
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("月份"), required=False, min_value=1, max_value=12)
    fund = forms.ChoiceField(label=_("基金"), required=False, choices=())
    level = forms.ChoiceField(label=_("层级"), required=False, choices=())
    code = forms.CharField(label=_("政策编码"), required=False)

    def __init__(self, *args, **kwargs):
        from replies import figures

        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [(s.key, s.label) for s in figures.sources()]
        self.fields["fund"].choices = [("", "—"), *figures.FUND_CHOICES]
        self.fields["level"].choices = [("", "—"), *figures.LEVEL_CHOICES]


class HolidayYearForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2200)
    note = forms.CharField(label=_("依据"), required=False, max_length=200)
    holidays = forms.CharField(
        label=_("放假日期"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("每行一个日期及节日名称，如：2027-01-01 元旦"),
    )
    workdays = forms.CharField(
        label=_("调休上班日期"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一个日期，如：2027-02-07"),
    )

    @staticmethod
    def _lines(text: str, field: str, with_name: bool):
        from datetime import date

        out = []
        for no, line in enumerate(text.splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            head, _sep, name = line.partition(" ")
            try:
                d = date.fromisoformat(head.strip())
            except ValueError:
                raise forms.ValidationError(
                    _("第%(no)s行“%(line)s”不是 YYYY-MM-DD 格式的日期") % {"no": no, "line": line}
                ) from None
            out.append((d, name.strip()) if with_name else d)
        return out

    def clean_holidays(self):
        return self._lines(self.cleaned_data["holidays"], "holidays", True)

    def clean_workdays(self):
        return self._lines(self.cleaned_data.get("workdays", ""), "workdays", False)


YEAR_RANGE = (2000, 2100)


def parse_year(value: str | None) -> int | None:
    """A year from a query string, or None when absent or not a plausible year (the ORM's year
    lookup raises on anything past 9999, which would otherwise be a 500)."""
    value = (value or "").strip()
    if not value.isdigit():
        return None
    year = int(value)
    return year if YEAR_RANGE[0] <= year <= YEAR_RANGE[1] else None
