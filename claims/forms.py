from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from claims.models import Employment, Group, HospitalLevel, Kind, Policy
from claims.policies import shipped_codes
from medinsure.core.uploads import UploadField


def policy_choices():
    codes = dict.fromkeys(
        list(Policy.objects.order_by("-year", "code").values_list("code", flat=True)) + shipped_codes()
    )
    names = dict(Policy.objects.values_list("code", "name"))
    return [(c, f"{names.get(c, c)}（{c}）") for c in codes]


class CalculatorForm(forms.Form):
    policy = forms.ChoiceField(label=_("报销政策"))
    id_number = forms.CharField(
        label=_("身份证号码（可选）"),
        max_length=18,
        required=False,
        help_text=_("填写后，档次、连续参保年数、人群、建档立卡和备案病种按参保库取值"),
    )
    group = forms.ChoiceField(label=_("人群"), choices=Group.choices, initial=Group.RESIDENT)
    employment = forms.ChoiceField(label=_("在职状态"), choices=Employment.choices, required=False)
    continuous_years = forms.IntegerField(label=_("连续参保年数"), min_value=0, max_value=100, initial=0)
    tier = forms.TypedChoiceField(label=_("缴费档次"), choices=[(1, _("一档")), (2, _("二档"))], coerce=int, initial=1)
    poor = forms.BooleanField(label=_("建档立卡贫困人口"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].choices = policy_choices()

    def clean_id_number(self):
        from datetime import date

        from medinsure.rules.id_numbers import IdNumberError, parse_id_number

        raw = self.cleaned_data["id_number"].strip()
        if not raw:
            return ""
        try:
            return parse_id_number(raw, as_of=date.today()).number
        except IdNumberError:
            raise forms.ValidationError(_("身份证号码无效")) from None


class VisitRowForm(forms.Form):
    date = forms.DateField(label=_("结算日期"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("就诊类别"), choices=Kind.choices, initial=Kind.INPATIENT)
    hospital_level = forms.TypedChoiceField(
        label=_("医院等级"), choices=HospitalLevel.choices, coerce=int, initial=HospitalLevel.PRIMARY
    )
    in_scope_cost = forms.DecimalField(label=_("政策范围内费用（元）"), min_value=0, max_digits=14, decimal_places=2)
    essential_drug_cost = forms.DecimalField(
        label=_("其中基本药物（元）"), min_value=0, max_digits=14, decimal_places=2, required=False
    )
    disease = forms.CharField(label=_("病种"), max_length=64, required=False)
    third_party = forms.BooleanField(label=_("有第三方责任"), required=False)

    def clean(self):
        data = super().clean()
        cost, ess = data.get("in_scope_cost"), data.get("essential_drug_cost")
        if cost is not None and ess is not None and ess > cost:
            self.add_error("essential_drug_cost", _("基本药物费用不能大于政策范围内费用"))
        return data


VisitFormSet = formset_factory(VisitRowForm, extra=6, max_num=30)


class PolicyEditForm(forms.Form):
    document = forms.CharField(
        label=_("政策文件（YAML）"),
        widget=forms.Textarea(attrs={"rows": 30, "class": "form-control font-monospace small", "spellcheck": "false"}),
    )
    note = forms.CharField(label=_("变更说明"), max_length=200)

    def clean_document(self):
        from claims.policies import load_yaml_text
        from claims.rules import PolicyError, parse_policy

        try:
            doc = load_yaml_text(self.cleaned_data["document"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        try:
            parse_policy(doc)
        except PolicyError as exc:
            from django.utils.translation import gettext

            raise forms.ValidationError(exc.render(gettext)) from exc
        return doc


class ImportForm(forms.Form):
    policy = forms.ModelChoiceField(label=_("报销政策"), queryset=Policy.objects.filter(partial=False))
    file = UploadField(label=_("结算单文件（CSV 或 Excel）"), kind="claims_settlements", allowed=("csv", "xlsx"))


class RecalculationForm(forms.Form):
    version = forms.ModelChoiceField(label=_("新政策版本"), queryset=None)
    year = forms.IntegerField(label=_("结算年度"), min_value=2000, max_value=2100)

    def __init__(self, *args, policy, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = policy.versions.order_by("-number")
        self.fields["version"].label_from_instance = lambda v: f"v{v.number} {v.note}"
        self.fields["year"].initial = policy.year


class VisitsFileForm(forms.Form):
    """The command line's VISITS file on the calculator page (same columns, same answer)."""

    policy = forms.ChoiceField(label=_("报销政策"))
    visits = UploadField(label=_("就诊记录 CSV（UTF-8 或 GBK，含表头）"), kind="claims_visits", allowed=("csv",))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].choices = policy_choices()


def bounded_int(params, key: str, low: int, high: int) -> int | None:
    value = (params.get(key) or "").strip()
    if not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if low <= number <= high else None


def settlement_filters(params) -> dict:
    """The settlement list's query string (page and API) as selector keywords; a value out of range
    (month 13, year 99999) is ignored like a missing one instead of failing the request."""
    division = (params.get("division") or "").strip()
    id_number = (params.get("id_number") or "").replace("\x00", "").strip()[:18]
    kind = (params.get("kind") or "").replace("\x00", "")
    return {
        "year": bounded_int(params, "year", 1900, 9998),
        "month": bounded_int(params, "month", 1, 12),
        "kind": kind or None,
        "level": bounded_int(params, "level", 1, 4),
        "id_number": id_number or None,
        "division_code": division if division.isascii() and division.isdigit() else None,
    }


class EligibilityForm(forms.Form):
    """Numbers are posted (never in the URL); one per line, up to 50 on the page (the API takes 1,000)."""

    id_numbers = forms.CharField(
        label=_("身份证号码"),
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
        help_text=_("每行一个，最多 50 个"),
    )
    on = forms.DateField(label=_("就诊（查询）日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_id_numbers(self):
        from datetime import date

        from medinsure.rules.id_numbers import IdNumberError, parse_id_number

        lines = [x.strip() for x in self.cleaned_data["id_numbers"].splitlines() if x.strip()]
        if len(lines) > 50:
            raise forms.ValidationError(_("一次最多查询 50 人"))
        numbers = []
        for i, raw in enumerate(lines, start=1):
            try:
                numbers.append(parse_id_number(raw, as_of=date.today()).number)
            except IdNumberError:
                raise forms.ValidationError(_("第 %(n)s 行的身份证号码无效") % {"n": i}) from None
        return numbers
