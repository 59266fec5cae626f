from django import forms
from django.utils.translation import gettext_lazy as _

from enrollment.importers import SOURCES
from enrollment.models import Outcome, RefusalReason


class UploadForm(forms.Form):
    source = forms.ChoiceField(label=_("数据来源"), choices=[(k, v.title) for k, v in SOURCES.items()])
    year = forms.IntegerField(
        label=_("参保年度"), required=False, min_value=2000, max_value=2100, help_text=_("人社、税务文件必填")
    )
    file = forms.FileField(label=_("文件（.xlsx 或 .csv，UTF-8/GBK）"))


class ComputeForm(forms.Form):
    total = forms.IntegerField(label=_("镇街居民医保指导性任务总数"), required=False, min_value=0)
    base_ratio = forms.DecimalField(
        label=_("户籍人口基数比例"), required=False, min_value=0, max_value=1, decimal_places=4
    )


class GuidelineEditForm(forms.Form):
    task = forms.IntegerField(label=_("指导性任务数"), min_value=0)
    reason = forms.CharField(label=_("调整理由"), required=False, max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput)


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
    assignee = forms.IntegerField(label=_("工作人员"), required=False)
    count = forms.IntegerField(label=_("数量"), required=False, min_value=1)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("处理结果"), choices=[(v, lbl) for v, lbl in Outcome.choices if v != "paid"])
    refusal_reason = forms.ChoiceField(
        label=_("拒绝原因"), required=False, choices=[("", "—")] + list(RefusalReason.choices)
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


for _form in (UploadForm, ComputeForm, GuidelineEditForm, SplitForm, OutcomeForm):
    for _field in _form.base_fields.values():
        if isinstance(_field.widget, forms.Select):
            _field.widget.attrs.setdefault("class", "form-select")
        elif not isinstance(_field.widget, forms.HiddenInput):
            _field.widget.attrs.setdefault("class", "form-control")
