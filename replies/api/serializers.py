from rest_framework import serializers

from replies.models import (
    Commitment,
    HandlerRole,
    HolidayDay,
    HolidayYear,
    Kind,
    LetterVersion,
    Proposal,
    PublishedReply,
    Receipt,
    Status,
)


class StrictBooleanField(serializers.BooleanField):
    """true/false only: 1, "yes" or "是" is a malformed field, not a truthy one."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        if isinstance(data, str) and data.lower() in ("true", "false"):
            return data.lower() == "true"
        self.fail("invalid", input=data)


class ProposalQuery(serializers.Serializer):
    """The case list's filters, validated (a NUL byte in status or kind reached the database: a 500)."""

    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    status = serializers.ChoiceField(choices=Status.choices, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=Kind.choices, required=False, allow_blank=True, default="")
    open = serializers.BooleanField(required=False, default=False, help_text="只看未办结的")
    page = serializers.IntegerField(min_value=1, required=False)


class ProposalInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    session = serializers.CharField(max_length=100)
    number = serializers.RegexField(r"^\d{1,30}$", max_length=30)
    title = serializers.CharField(max_length=300)
    proposers = serializers.ListField(child=serializers.CharField(max_length=50), allow_empty=False)
    assigned_on = serializers.DateField(input_formats=["%Y-%m-%d"])
    urgent = StrictBooleanField()
    hard = StrictBooleanField(required=False, default=False)
    handler_role = serializers.ChoiceField(choices=HandlerRole.choices, required=False, default=HandlerRole.LEAD)
    lead_unit = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)


class ReceiptOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = Receipt
        fields = ["round", "opinion", "reasons", "received_on"]


class CommitmentOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = Commitment
        fields = ["number", "content", "due_text", "due_on", "unit", "state", "done_on"]


class ProposalOutSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    due_on = serializers.DateField(format="%Y-%m-%d")
    assigned_on = serializers.DateField(format="%Y-%m-%d")
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "id",
            "kind",
            "kind_label",
            "session",
            "number",
            "title",
            "proposers",
            "assigned_on",
            "urgent",
            "hard",
            "handler_role",
            "department",
            "status",
            "status_label",
            "round",
            "due_on",
            "due_provisional",
            "provisional_years",
            "overdue",
            "replied_on",
            "closed_on",
        ]

    def get_overdue(self, obj) -> bool:
        from django.utils import timezone

        from replies.rules.deadlines import is_overdue

        if obj.replied_on:
            return obj.overdue
        return obj.overdue or (obj.is_open and is_overdue(obj.due_on, as_of=timezone.localdate()))


class VersionOutSerializer(serializers.ModelSerializer):
    round = serializers.IntegerField(source="letter.round")

    class Meta:
        model = LetterVersion
        fields = [
            "id",
            "round",
            "number",
            "state",
            "classification",
            "publication",
            "document_number",
            "signer_name",
            "signed_at",
            "issued_on",
        ]


class ProposalDetailSerializer(ProposalOutSerializer):
    receipts = ReceiptOutSerializer(many=True, read_only=True)
    commitments = CommitmentOutSerializer(many=True, read_only=True)
    letters = serializers.SerializerMethodField()

    class Meta(ProposalOutSerializer.Meta):
        fields = ProposalOutSerializer.Meta.fields + ["receipts", "commitments", "letters"]

    def get_letters(self, obj) -> list[dict]:
        from replies.selectors import letter_versions

        return VersionOutSerializer(letter_versions(obj), many=True).data


class CommitmentListSerializer(CommitmentOutSerializer):
    proposal = serializers.IntegerField(source="proposal_id")
    proposal_number = serializers.CharField(source="proposal.number")

    class Meta(CommitmentOutSerializer.Meta):
        fields = ["proposal", "proposal_number", *CommitmentOutSerializer.Meta.fields]


class PublishedSerializer(serializers.ModelSerializer):
    class Meta:
        model = PublishedReply
        fields = ["id", "title", "body", "published_at"]


class KindCountSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())


class ReceiptCountSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    basic = serializers.IntegerField()
    unsatisfied = serializers.IntegerField()


class StatsSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    total = serializers.IntegerField()
    by_kind = KindCountSerializer(many=True)
    replied = serializers.IntegerField()
    on_time = serializers.IntegerField()
    on_time_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    overdue_open = serializers.IntegerField()
    receipts = ReceiptCountSerializer()
    satisfaction_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    commitments_open = serializers.IntegerField()
    commitments_done = serializers.IntegerField()


class HolidayDaySerializer(serializers.ModelSerializer):
    class Meta:
        model = HolidayDay
        fields = ["day", "kind", "name"]


class HolidayYearSerializer(serializers.ModelSerializer):
    days = HolidayDaySerializer(many=True, read_only=True)

    class Meta:
        model = HolidayYear
        fields = ["year", "source", "note", "days"]
