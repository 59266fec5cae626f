from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from enrollment.importers import SOURCES
from enrollment.models import CampaignTier, Outcome, RefusalReason
from enrollment.services import TierInput
from medinsure.core.errors import apply_errors, error_dict

# Bounds for whole numbers typed into forms: a count of people in a district, a row id. Without them a
# number past PostgreSQL's integer range reached the database and answered 500.
MAX_PEOPLE = 10_000_000
MAX_ID = 2_147_483_647


class UploadForm(forms.Form):
    source = forms.ChoiceField(label=_("数据来源"), choices=[(k, v.title) for k, v in SOURCES.items()])
    year = forms.IntegerField(
        label=_("参保年度"), required=False, min_value=2000, max_value=2100, help_text=_("人社、税务文件必填")
    )
    file = forms.FileField(label=_("文件（.xlsx 或 .csv，UTF-8/GBK）"))


class ComputeForm(forms.Form):
    total = forms.IntegerField(label=_("镇街居民医保指导性任务总数"), required=False, min_value=0, max_value=MAX_PEOPLE)
    base_ratio = forms.DecimalField(
        label=_("户籍人口基数比例"), required=False, min_value=0, max_value=1, decimal_places=4
    )


class GuidelineEditForm(forms.Form):
    task = forms.IntegerField(label=_("指导性任务数"), min_value=0, max_value=MAX_PEOPLE)
    reason = forms.CharField(label=_("调整理由"), required=False, max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=MAX_ID)


class SplitForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("分派方式"),
        choices=[
            ("by_village", _("按村社分派给村社网格员")),
            ("by_grid", _("按网格分派给网格员")),
            ("by_count", _("按数量分派给指定人员")),
        ],
    )
    village = forms.CharField(label=_("限定村社代码"), required=False, max_length=15)
    assignee = forms.IntegerField(label=_("工作人员"), required=False, min_value=1, max_value=MAX_ID)
    count = forms.IntegerField(label=_("数量"), required=False, min_value=1, max_value=MAX_PEOPLE)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("处理结果"), choices=[(v, lbl) for v, lbl in Outcome.choices if v != "paid"])
    refusal_reason = forms.ChoiceField(
        label=_("拒绝原因"), required=False, choices=[("", "—")] + list(RefusalReason.choices)
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=MAX_ID)


class CampaignForm(forms.Form):
    """A contribution-year campaign's settings; the rules are checked by services.campaign_create/update."""

    year = forms.IntegerField(label=_("参保年度"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("名称"), max_length=100)
    collection_start = forms.DateField(
        label=_("集中缴费期开始"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    collection_end = forms.DateField(
        label=_("集中缴费期结束"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    city_target = forms.IntegerField(label=_("市级下达基本医保参保任务数"), min_value=0, max_value=MAX_PEOPLE)
    township_total = forms.IntegerField(
        label=_("镇街居民医保指导性任务总数"), required=False, min_value=0, max_value=MAX_PEOPLE
    )
    base_ratio = forms.DecimalField(label=_("户籍人口基数比例"), max_digits=5, decimal_places=4, initial="0.96")
    reminder_round_days = forms.CharField(
        label=_("提醒轮次（开征后第几天）"), required=False, help_text=_("以逗号分隔，如 0,30,60")
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:  # the year of a campaign stays: payments and tasks refer to it
            self.fields["year"].disabled = True

    def clean_reminder_round_days(self):
        raw = (self.cleaned_data.get("reminder_round_days") or "").replace("，", ",")
        try:
            return [int(p) for p in raw.split(",") if p.strip()]
        except ValueError:
            raise forms.ValidationError(_("提醒轮次应为以逗号分隔的天数")) from None


class TierForm(forms.Form):
    code = forms.ChoiceField(label=_("档次"), choices=CampaignTier._meta.get_field("code").choices)
    standard = forms.DecimalField(label=_("筹资标准"), max_digits=16, decimal_places=2)
    subsidy = forms.DecimalField(label=_("财政补助"), max_digits=16, decimal_places=2)
    personal = forms.DecimalField(label=_("个人缴费"), max_digits=16, decimal_places=2)
    ltc_premium = forms.DecimalField(
        label=_("长期护理保险费"), max_digits=16, decimal_places=2, required=False, initial=0
    )


def tier_formset(initial_count: int):
    """The tier formset: the tiers there are, plus blank rows up to the two tiers (一档、二档)."""
    return forms.formset_factory(
        TierForm,
        extra=max(0, 2 - initial_count),
        can_delete=True,
        min_num=0,
        max_num=2,
        validate_max=True,
    )


def tier_inputs(formset) -> list[TierInput]:
    """The tiers a valid tier formset holds (rows left blank or marked for deletion skipped), as the
    campaign services take them; the campaign page and the admin both use it."""
    out = []
    for f in formset.forms:
        d = getattr(f, "cleaned_data", None)
        if not d or d.get("DELETE"):
            continue
        out.append(
            TierInput(
                code=d["code"],
                standard=d["standard"],
                subsidy=d["subsidy"],
                personal=d["personal"],
                ltc_premium=d.get("ltc_premium") or Decimal("0"),
            )
        )
    return out


def apply_campaign_errors(form, formset, exc: ValidationError) -> None:
    """A campaign service's refusal on the page: a tier's field (``tier1.standard``) on that tier's row of
    the formset, the rest on the campaign form (``apply_errors`` for each)."""
    rows = {getattr(f, "cleaned_data", {}).get("code"): f for f in formset.forms}
    rest: dict[str, list[str]] = {}
    for key, msgs in error_dict(exc).items():
        code, _dot, name = key.partition(".")
        row = rows.get(code) if name else None
        if row is not None and name in row.fields:
            apply_errors(row, ValidationError({name: msgs}))
        else:
            rest[key] = msgs
    if rest:
        apply_errors(form, ValidationError(rest))


for _form in (UploadForm, ComputeForm, GuidelineEditForm, SplitForm, OutcomeForm, CampaignForm, TierForm):
    for _field in _form.base_fields.values():
        if isinstance(_field.widget, forms.Select):
            _field.widget.attrs.setdefault("class", "form-select")
        elif not isinstance(_field.widget, forms.HiddenInput):
            _field.widget.attrs.setdefault("class", "form-control")
