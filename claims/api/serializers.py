from datetime import date

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from claims.models import Employment, Group, Kind, Settlement

LEVELS = [(1, "1"), (2, "2"), (3, "3"), (4, "4")]


class VisitIn(serializers.Serializer):
    visit_id = serializers.CharField(max_length=64, label=_("就诊编号"))
    person_id = serializers.CharField(max_length=64, required=False, label=_("人员编号"))
    id_number = serializers.CharField(
        max_length=18,
        required=False,
        label=_("身份证号码"),
        help_text=_(
            "给出时，档次、连续参保年数、人群、建档立卡和备案病种按本局参保库和备案取值，无待遇的就诊统筹不予支付"
        ),
    )
    date = serializers.DateField(label=_("日期"))
    kind = serializers.ChoiceField(choices=Kind.choices, label=_("就诊类别"))
    hospital_level = serializers.ChoiceField(choices=LEVELS, label=_("医院等级"))
    in_scope_cost = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0, label=_("政策范围内费用"))
    essential_drug_cost = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=0, required=False, default=0, label=_("基本药物费用")
    )
    disease = serializers.CharField(max_length=64, required=False, allow_blank=True, default="", label=_("病种"))
    third_party = serializers.BooleanField(required=False, default=False, label=_("有第三方责任"))
    group = serializers.ChoiceField(choices=Group.choices, required=False, default="resident", label=_("人群"))
    employment = serializers.ChoiceField(
        choices=Employment.choices, required=False, allow_blank=True, default="", label=_("在职状态")
    )
    continuous_years = serializers.IntegerField(
        min_value=0, max_value=100, required=False, default=0, label=_("连续参保年数")
    )
    tier = serializers.ChoiceField(choices=[(1, "1"), (2, "2")], required=False, default=1, label=_("缴费档次"))
    poor = serializers.BooleanField(required=False, default=False, label=_("建档立卡"))

    def validate_id_number(self, value):
        from datetime import date

        from medinsure.rules.id_numbers import IdNumberError, parse_id_number

        try:
            return parse_id_number(value, as_of=date.today()).number
        except IdNumberError:
            raise serializers.ValidationError(_("身份证号码无效")) from None

    def validate(self, attrs):
        if not attrs.get("person_id") and not attrs.get("id_number"):
            raise serializers.ValidationError({"person_id": _("请填写人员编号或身份证号码")})
        if attrs.get("essential_drug_cost", 0) > attrs["in_scope_cost"]:
            raise serializers.ValidationError({"essential_drug_cost": _("基本药物费用不能大于政策范围内费用")})
        return attrs


class CalculateIn(serializers.Serializer):
    policy = serializers.CharField(max_length=64, label=_("政策编码"))
    visits = VisitIn(many=True, allow_empty=False)

    def validate_visits(self, value):
        if len(value) > 2000:
            raise serializers.ValidationError(_("一次最多计算 2000 条就诊记录"))
        return value


class VisitOut(serializers.Serializer):
    visit_id = serializers.CharField()
    covered = serializers.BooleanField()
    deductible = serializers.CharField()
    fund_paid = serializers.CharField()
    critical_paid = serializers.CharField()
    personal_paid = serializers.CharField()
    relief_paid = serializers.CharField()
    admission_no = serializers.IntegerField(allow_null=True)
    totals = serializers.DictField(child=serializers.CharField())
    explanation = serializers.ListField(child=serializers.CharField())
    registry_findings = serializers.ListField(
        child=serializers.CharField(), help_text=_("给出身份证号码时：请求中与参保库不一致的取值")
    )


class CalculateOut(serializers.Serializer):
    policy = serializers.CharField()
    version = serializers.IntegerField(allow_null=True)
    results = VisitOut(many=True)


class StatsQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    month = serializers.IntegerField(min_value=1, max_value=12, required=False)
    scheme = serializers.ChoiceField(choices=["resident", "employee"], required=False)
    division = serializers.RegexField(r"^\d{6,12}$", required=False)


class PolicyOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    scheme = serializers.CharField()
    year = serializers.IntegerField()
    partial = serializers.BooleanField()
    version = serializers.IntegerField(allow_null=True, help_text="current version number")


class SettlementOut(serializers.ModelSerializer):
    """One settlement as the caller's view of a person allows (medinsure.masking): a masked role gets
    the masked ID and the age, never the birth date (which would rebuild the ID)."""

    id_number = serializers.SerializerMethodField()
    birth_date = serializers.SerializerMethodField(help_text="null unless the role may see ID numbers")
    age = serializers.SerializerMethodField(help_text="age in whole years on the day of settlement")
    institution = serializers.CharField(source="institution.code")
    institution_name = serializers.CharField(source="institution.name")
    division = serializers.CharField(source="division.code", allow_null=True, default=None)
    policy = serializers.CharField(source="policy_version.policy.code")
    policy_version = serializers.IntegerField(source="policy_version.number")

    class Meta:
        model = Settlement
        fields = [
            "id",
            "number",
            "institution",
            "institution_name",
            "id_number",
            "name",
            "sex",
            "birth_date",
            "age",
            "division",
            "scheme",
            "kind",
            "hospital_level",
            "admitted_on",
            "discharged_on",
            "settled_on",
            "total_cost",
            "in_scope_cost",
            "deductible",
            "fund_paid",
            "critical_paid",
            "personal_paid",
            "relief_paid",
            "policy",
            "policy_version",
        ]

    def get_id_number(self, obj) -> str:
        from medinsure.masking import shown_id_number

        return shown_id_number(self.context["request"].user, obj.id_number)

    def get_birth_date(self, obj) -> date | None:
        from medinsure.masking import person_view

        return person_view(self.context["request"].user).birth_date(obj.birth_date)

    def get_age(self, obj) -> int | None:
        from medinsure.masking import shown_age

        return shown_age(obj.birth_date, as_of=obj.settled_on)


class SettlementSearchIn(serializers.Serializer):
    """The settlement list's filters as a JSON body (POST settlements/search/): the ID number stays out of URLs."""

    id_number = serializers.CharField(required=False, allow_blank=True, max_length=18)
    year = serializers.IntegerField(required=False, allow_null=True)
    month = serializers.IntegerField(required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=Kind.choices, required=False, allow_blank=True)
    level = serializers.IntegerField(required=False, allow_null=True)
    division = serializers.CharField(required=False, allow_blank=True, max_length=15)
    page = serializers.IntegerField(required=False, min_value=1)


class SettlementPageOut(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    results = SettlementOut(many=True)


class EligibilityIn(serializers.Serializer):
    """Numbers go in the body (never in a URL, where access logs would keep them)."""

    id_numbers = serializers.ListField(
        child=serializers.CharField(max_length=18, trim_whitespace=True),
        allow_empty=False,
        max_length=1000,
        label=_("身份证号码"),
        help_text=_("最多 1000 个；15 位号码按 18 位处理"),
    )
    on = serializers.DateField(label=_("就诊（查询）日期"))

    def validate_id_numbers(self, value):
        from datetime import date

        from medinsure.rules.id_numbers import IdNumberError, parse_id_number

        numbers = []
        for i, raw in enumerate(value, start=1):
            try:
                numbers.append(parse_id_number(raw, as_of=date.today()).number)
            except IdNumberError:
                # the message names the position, never the number
                raise serializers.ValidationError(_("第 %(n)s 个身份证号码无效") % {"n": i}) from None
        return numbers


class EligibilityOut(serializers.Serializer):
    id_number = serializers.CharField(help_text=_("按查询人角色掩码"))
    on = serializers.DateField()
    in_registry = serializers.BooleanField()
    insured = serializers.BooleanField(help_text=_("当日有待遇（等待期、停保除外）"))
    scheme = serializers.ChoiceField(choices=["resident", "employee", ""])
    tier = serializers.IntegerField(allow_null=True)
    cover_start = serializers.DateField(allow_null=True)
    waiting_until = serializers.DateField(allow_null=True, help_text=_("当日在待遇等待期内时，等待期最后一日"))
    stopped = serializers.BooleanField()
    continuous_years = serializers.IntegerField()
    categories = serializers.ListField(child=serializers.CharField())
    diseases = serializers.ListField(child=serializers.CharField())
    remote_filings = serializers.ListField(child=serializers.CharField())
    reasons = serializers.ListField(child=serializers.CharField())
