from rest_framework import serializers

from enrollment.models import InsuranceStatus, Outcome, RefusalReason, TaskStatus


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


class ResidentQuery(serializers.Serializer):
    """Filters of the resident list; a NUL byte, a code that is not digits or an unknown status is a 400
    naming the parameter (raw values used to reach the database: a NUL byte was a 500)."""

    q = serializers.CharField(
        required=False, allow_blank=True, max_length=50, default="", help_text="身份证号或姓名开头"
    )
    division = serializers.RegexField(
        r"^\d{6,15}$", required=False, allow_blank=True, default="", help_text="户籍或居住地区划代码（前缀）"
    )
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False, help_text="参保年度（默认今年）")
    status = serializers.ChoiceField(
        choices=InsuranceStatus.Status.choices, required=False, allow_blank=True, default=""
    )
    page = serializers.IntegerField(min_value=1, required=False)


class ResidentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    id_number = serializers.CharField(help_text="masked unless the role may see ID numbers")
    name = serializers.CharField()
    sex = serializers.CharField()
    birth_date = serializers.DateField(
        allow_null=True, help_text="null unless the role may see ID numbers (the date rebuilds a masked ID)"
    )
    age = serializers.IntegerField(allow_null=True, help_text="age in whole years, for every role")
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


class TaskQuery(YearQuery):
    status = serializers.ChoiceField(
        choices=[("pending", "未结束"), *TaskStatus.choices], required=False, allow_blank=True, default=""
    )
    village = serializers.RegexField(
        r"^\d{6,15}$", required=False, allow_blank=True, default="", help_text="区划代码（前缀）"
    )
    page = serializers.IntegerField(min_value=1, required=False)


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
