from rest_framework import serializers

from medinsure.institutions.models import Institution
from supervision.models import (
    AgreementAction,
    AgreementStatus,
    Case,
    CaseSource,
    CaseStatus,
    FineBasis,
    Flag,
    FlagStatus,
    TargetKind,
    Violation,
)


class CountSplit(serializers.Serializer):
    total = serializers.IntegerField()
    medical = serializers.IntegerField(allow_null=True)
    pharmacy = serializers.IntegerField(allow_null=True)


def _money():
    return serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=True)


class StatsOut(serializers.Serializer):
    """The year's supervision figures (amounts in yuan as decimal strings)."""

    year = serializers.IntegerField()
    month = serializers.IntegerField(allow_null=True)
    inspections = serializers.IntegerField(help_text="现场检查医药机构（家次）")
    institutions_inspected = serializers.IntegerField(help_text="检查机构数（家，去重）")
    penalties_or_agreement_handlings = serializers.IntegerField(help_text="行政处罚和协议处理（家次）")
    recovered = _money()
    rejected = _money()
    fines = _money()
    agreements_suspended = CountSplit()
    agreements_terminated = CountSplit()
    publicized = serializers.IntegerField()
    reports_received = serializers.IntegerField()
    reports_handled = serializers.IntegerField()
    reports_recovered = _money()
    reports_fines = _money()
    transferred_to_police = serializers.IntegerField()
    flags_raised = serializers.IntegerField()
    flags_confirmed = serializers.IntegerField()


class StatsQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    month = serializers.IntegerField(min_value=1, max_value=12, required=False)
    division = serializers.RegexField(r"^\d{6,12}$", required=False)


class CaseOut(serializers.ModelSerializer):
    institution_code = serializers.CharField(source="institution.code", default=None, allow_null=True)
    institution_name = serializers.CharField(source="institution.name", default=None, allow_null=True)
    recovered = serializers.DecimalField(
        source="decision.recovered", max_digits=16, decimal_places=2, default=None, allow_null=True
    )
    fine = serializers.DecimalField(
        source="decision.fine", max_digits=16, decimal_places=2, default=None, allow_null=True
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "source",
            "target_kind",
            "institution_code",
            "institution_name",
            "violations",
            "status",
            "registered_on",
            "inspected_on",
            "published_on",
            "recovered",
            "fine",
        ]


class CaseIn(serializers.Serializer):
    source = serializers.ChoiceField(choices=CaseSource.choices)
    target_kind = serializers.ChoiceField(choices=TargetKind.choices)
    institution_id = serializers.IntegerField(required=False, allow_null=True)
    person_name = serializers.CharField(required=False, allow_blank=True, default="")
    person_id_number = serializers.CharField(required=False, allow_blank=True, default="")
    violations = serializers.ListField(child=serializers.ChoiceField(choices=Violation.choices))
    summary = serializers.CharField()
    registered_on = serializers.DateField()
    inspected_on = serializers.DateField(required=False, allow_null=True)


class TransitionIn(serializers.Serializer):
    target = serializers.ChoiceField(choices=CaseStatus.choices)
    on = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DecisionIn(serializers.Serializer):
    decided_on = serializers.DateField()
    document_number = serializers.CharField(required=False, allow_blank=True, default="")
    penalty = serializers.BooleanField(default=False)
    agreement_handling = serializers.BooleanField(default=False)
    recovered = serializers.DecimalField(max_digits=16, decimal_places=2, default=0)
    rejected = serializers.DecimalField(max_digits=16, decimal_places=2, default=0)
    obtained = serializers.DecimalField(max_digits=16, decimal_places=2, default=0)
    fine_basis = serializers.ChoiceField(choices=FineBasis.choices, default="none")
    fine_multiple = serializers.DecimalField(max_digits=4, decimal_places=2, required=False, allow_null=True)
    fine_amount = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)
    agreement_action = serializers.ChoiceField(choices=AgreementAction.choices[:3], default="none")
    action_from = serializers.DateField(required=False, allow_null=True)
    action_until = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class FlagOut(serializers.ModelSerializer):
    rule_code = serializers.CharField(source="rule.code")
    rule_name = serializers.CharField(source="rule.name")
    institution_code = serializers.CharField(source="institution.code")
    person_id_number = serializers.SerializerMethodField()
    detail = serializers.SerializerMethodField()

    class Meta:
        model = Flag
        fields = [
            "id",
            "rule_code",
            "rule_name",
            "settlement_id",
            "institution_code",
            "person_id_number",
            "settled_on",
            "amount",
            "result",
            "detail",
            "status",
            "answer_due",
            "answer",
            "reviewed_on",
            "deduction",
            "case",
        ]

    def get_person_id_number(self, obj) -> str:
        from medinsure.masking import shown_id_number

        return shown_id_number(self.context["request"].user, obj.person_id_number)

    def get_detail(self, obj) -> dict:
        from supervision.selectors import flag_detail_shown

        return flag_detail_shown(self.context["request"].user, obj)


class FlagAnswerIn(serializers.Serializer):
    answer = serializers.CharField()


class FlagReviewIn(serializers.Serializer):
    confirm = serializers.BooleanField()
    deduction = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class InstitutionOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    type = serializers.CharField()
    level = serializers.IntegerField(allow_null=True)
    division_code = serializers.CharField(source="division.code", default=None, allow_null=True)
    agreement_number = serializers.CharField(source="agreement.number", default=None, allow_null=True)
    agreement_status = serializers.CharField(source="agreement.status", default=None, allow_null=True)
    agreement_status_from = serializers.DateField(source="agreement.status_from", default=None, allow_null=True)
    agreement_status_until = serializers.DateField(source="agreement.status_until", default=None, allow_null=True)


# List filters: validated, so a NUL byte, a year past 9999 or an unknown choice is a 400 naming the
# parameter instead of reaching the database (those were 500s).
class CaseQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=CaseStatus.choices, required=False, allow_blank=True, default="")
    source = serializers.ChoiceField(choices=CaseSource.choices, required=False, allow_blank=True, default="")
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False, help_text="登记年度")
    page = serializers.IntegerField(min_value=1, required=False)


class FlagQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=FlagStatus.choices, required=False, allow_blank=True, default="")
    month = serializers.RegexField(
        r"^(20\d\d|2100)-(0?[1-9]|1[0-2])$", required=False, allow_blank=True, default="", help_text="结算月份 YYYY-MM"
    )
    page = serializers.IntegerField(min_value=1, required=False)


class InstitutionQuery(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100, default="", help_text="名称或编码")
    kind = serializers.ChoiceField(choices=Institution.Kind.choices, required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(
        choices=[*AgreementStatus.choices, ("none", "无协议")], required=False, allow_blank=True, default=""
    )
    division = serializers.RegexField(r"^\d{6,15}$", required=False, allow_blank=True, default="", help_text="区划代码")
    page = serializers.IntegerField(min_value=1, required=False)
