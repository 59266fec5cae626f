from rest_framework import serializers

from enrollment.models import Outcome, RefusalReason


class ProgressQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    level = serializers.ChoiceField(choices=["township", "village"], default="township")
    parent = serializers.RegexField(r"^\d{6,15}$", required=False)
    day = serializers.DateField(required=False, help_text="report of this day (default: the latest)")


class ProgressRowSerializer(serializers.Serializer):
    division_code = serializers.CharField()
    division_name = serializers.CharField()
    task = serializers.IntegerField()
    insured = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=7, decimal_places=4)
    rank = serializers.IntegerField()


class SeriesRowSerializer(serializers.Serializer):
    day = serializers.DateField()
    task = serializers.IntegerField()
    insured = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=7, decimal_places=4)


class YearQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class GuidelineRowSerializer(serializers.Serializer):
    township_code = serializers.CharField()
    township_name = serializers.CharField()
    raw = serializers.DecimalField(max_digits=14, decimal_places=2)
    computed_task = serializers.IntegerField()
    task = serializers.IntegerField()
    edit_reason = serializers.CharField()
    issued = serializers.BooleanField()
    last_year_task = serializers.IntegerField(allow_null=True)
    last_year_actual = serializers.IntegerField()


class ResidentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    id_number = serializers.CharField(help_text="masked unless the role may see ID numbers")
    name = serializers.CharField()
    sex = serializers.CharField()
    birth_date = serializers.DateField()
    hukou_division = serializers.CharField()
    hukou_code = serializers.CharField()
    residence_division = serializers.CharField()
    phone = serializers.CharField(help_text="masked unless the role may see phone numbers")
    special_category = serializers.CharField()
    deceased_on = serializers.DateField(allow_null=True)
    moved_out_on = serializers.DateField(allow_null=True)
    status = serializers.CharField()


class ResidentPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    results = ResidentSerializer(many=True)


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    resident_name = serializers.CharField()
    id_number = serializers.CharField()
    phone = serializers.CharField()
    division_code = serializers.CharField()
    division_name = serializers.CharField()
    assignee = serializers.CharField()
    gap = serializers.CharField()
    status = serializers.CharField()
    outcome = serializers.CharField()
    refusal_reason = serializers.CharField()
    note = serializers.CharField()


class TaskPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    results = TaskSerializer(many=True)


class OutcomeInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[c for c in Outcome.choices if c[0] != "paid"])
    refusal_reason = serializers.ChoiceField(
        choices=RefusalReason.choices, required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    version = serializers.IntegerField(min_value=1)


class BulletinQuery(ProgressQuery):
    since = serializers.ChoiceField(
        choices=[7, 15, 30],
        required=False,
        help_text="change against the report this many days earlier (default: the last report)",
    )


class BulletinRowSerializer(ProgressRowSerializer):
    change = serializers.IntegerField(help_text="insured since the previous report")
    parent_code = serializers.CharField()
    day = serializers.DateField()


class TaskSummarySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    open = serializers.IntegerField()
    assigned = serializers.IntegerField()
    follow_up = serializers.IntegerField()
    closed = serializers.IntegerField()
    total = serializers.IntegerField()


class ReminderSummarySerializer(serializers.Serializer):
    round_id = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    count = serializers.IntegerField()


class ReceiptSerializer(serializers.Serializer):
    provider_id = serializers.CharField(max_length=64)
    status = serializers.ChoiceField(choices=["delivered", "failed"])
    error = serializers.CharField(required=False, allow_blank=True, max_length=300)


class TierSerializer(serializers.Serializer):
    code = serializers.CharField()
    standard = serializers.DecimalField(max_digits=16, decimal_places=2)
    subsidy = serializers.DecimalField(max_digits=16, decimal_places=2)
    personal = serializers.DecimalField(max_digits=16, decimal_places=2)
    ltc_premium = serializers.DecimalField(max_digits=16, decimal_places=2)


class CampaignSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    name = serializers.CharField()
    collection_start = serializers.DateField()
    collection_end = serializers.DateField()
    city_target = serializers.IntegerField()
    township_total = serializers.IntegerField(allow_null=True)
    base_ratio = serializers.DecimalField(max_digits=5, decimal_places=4)
    tiers = TierSerializer(many=True, source="tiers.all")
