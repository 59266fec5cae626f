"""Forms of the window's pages. They shape input; the services decide."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from claims.models import Kind, ManualClaimReason, RemoteFilingKind
from handling.models import Channel

RELATIONS = [
    ("本人", _("本人")),
    ("配偶", _("配偶")),
    ("父母", _("父母")),
    ("子女", _("子女")),
    ("其他亲属", _("其他亲属")),
    ("代办人", _("代办人")),
]


class ReceiveForm(forms.Form):
    """Receiving an application: who, which papers, and what the item's workflow needs to know."""

    id_number = forms.CharField(label=_("参保人身份证号"), max_length=18)
    applicant_name = forms.CharField(label=_("申请人"), max_length=64)
    applicant_relation = forms.ChoiceField(label=_("与参保人关系"), choices=RELATIONS, initial="本人")
    channel = forms.ChoiceField(label=_("办理渠道"), choices=Channel.choices, initial=Channel.WINDOW)
    papers_received = forms.MultipleChoiceField(
        label=_("已收材料"), required=False, widget=forms.CheckboxSelectMultiple
    )
    # chronic
    disease = forms.TypedChoiceField(label=_("申报病种"), required=False, coerce=int, empty_value=None)
    evidence_years = forms.IntegerField(label=_("住院病历年限（年）"), required=False, min_value=0, max_value=30)
    # remote
    filing_kind = forms.ChoiceField(label=_("备案类型"), required=False, choices=[("", "—"), *RemoteFilingKind.choices])
    destination = forms.CharField(label=_("就医地或就医医院"), required=False, max_length=100)
    valid_from = forms.DateField(label=_("开始日期（急诊为入院日期）"), required=False)
    valid_to = forms.DateField(label=_("结束日期"), required=False)
    # manual claim
    institution_code = forms.CharField(label=_("开票医疗机构编码"), required=False, max_length=12)
    invoice_number = forms.CharField(label=_("发票号码"), required=False, max_length=40)
    reason = forms.CharField(label=_("原因"), required=False, max_length=200)
    claim_reason = forms.ChoiceField(
        label=_("零星报销原因"), required=False, choices=[("", "—"), *ManualClaimReason.choices]
    )
    policy_code = forms.ChoiceField(label=_("报销政策"), required=False)
    kind = forms.ChoiceField(label=_("就诊类别"), required=False, choices=[("", "—"), *Kind.choices])
    hospital_level = forms.TypedChoiceField(
        label=_("医院等级"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), (1, _("一级")), (2, _("二级")), (3, _("三级")), (4, _("省级及省外"))],
    )
    admitted_on = forms.DateField(label=_("入院（就诊）日期"), required=False)
    discharged_on = forms.DateField(label=_("出院日期"), required=False)
    lines = forms.CharField(
        label=_("费用明细"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一项：项目名称,类别（甲/乙/自费）,数量,单价"),
    )
    # stop / resume
    stopped_on = forms.DateField(label=_("停保日期"), required=False)
    resumed_on = forms.DateField(label=_("续保日期"), required=False)
    # direct debit
    year = forms.IntegerField(label=_("缴费年度"), required=False, min_value=2000, max_value=2100)
    bank_name = forms.CharField(label=_("开户银行"), required=False, max_length=64)
    account_holder = forms.CharField(label=_("账户名"), required=False, max_length=64)
    account_number = forms.CharField(label=_("银行账号"), required=False, max_length=40)

    def __init__(self, *args, item=None, diseases=(), policies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        self.fields["papers_received"].choices = [(p, p) for p in (item.papers if item else [])]
        self.fields["disease"].choices = [("", "—")] + [(d.pk, str(d)) for d in diseases]
        self.fields["policy_code"].choices = [("", "—")] + [(p.code, p.name) for p in policies]

    def clean_lines(self):
        text = self.cleaned_data.get("lines") or ""
        categories = {"甲": "a", "乙": "b", "自费": "self", "a": "a", "b": "b", "self": "self"}
        out = []
        for n, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            parts = [p.strip() for p in raw.replace("，", ",").split(",")]
            try:
                name, cat, qty, price = parts
                qty_d, price_d = Decimal(qty), Decimal(price)
            except (ValueError, InvalidOperation) as exc:
                raise forms.ValidationError(_("第 %(n)s 行应为：项目名称,类别,数量,单价") % {"n": n}) from exc
            if cat not in categories:
                raise forms.ValidationError(_("第 %(n)s 行类别应为 甲、乙 或 自费") % {"n": n})
            out.append({"item_name": name, "category": categories[cat], "quantity": str(qty_d), "price": str(price_d)})
        return out

    def details(self) -> dict:
        """The item's workflow's fields, as the service stores them (dates as ISO text)."""
        c = self.cleaned_data
        kind = self.item.kind if self.item else ""

        def iso(d):
            return d.isoformat() if d else ""

        if kind == "remote":
            return {
                "filing_kind": c["filing_kind"],
                "destination": c["destination"],
                "valid_from": iso(c["valid_from"]),
                "valid_to": iso(c["valid_to"]),
            }
        if kind == "manual_claim":
            return {
                "institution_code": c["institution_code"],
                "invoice_number": c["invoice_number"],
                "reason": c["claim_reason"],
                "policy_code": c["policy_code"],
                "kind": c["kind"],
                "hospital_level": c["hospital_level"],
                "admitted_on": iso(c["admitted_on"]),
                "discharged_on": iso(c["discharged_on"]),
                "lines": c["lines"],
            }
        if kind == "cover_stop":
            return {"stopped_on": iso(c["stopped_on"]), "reason": c["reason"]}
        if kind == "cover_resume":
            return {"resumed_on": iso(c["resumed_on"])}
        if kind == "direct_debit":
            return {
                "year": c["year"],
                "bank_name": c["bank_name"],
                "account_holder": c["account_holder"],
                "account_number": c["account_number"],
            }
        return {}


class PapersForm(forms.Form):
    papers_received = forms.MultipleChoiceField(
        label=_("已收材料"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, item=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["papers_received"].choices = [(p, p) for p in (item.papers if item else [])]


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("决定"), choices=[("1", _("批准")), ("0", _("不予批准"))], coerce=lambda v: v == "1"
    )
    decision_reason = forms.CharField(label=_("理由"), required=False, max_length=300)


class ReviewForm(forms.Form):
    expert_passed = forms.TypedChoiceField(
        label=_("评审结论"), choices=[("1", _("通过")), ("0", _("不通过"))], coerce=lambda v: v == "1"
    )
    expert_opinion = forms.CharField(label=_("专家评审意见"), max_length=300)
