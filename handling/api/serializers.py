from rest_framework import serializers

from claims.models import Kind, ManualClaimReason, RemoteFilingKind
from handling.models import Channel, Status


class ApplicationQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    point = serializers.IntegerField(min_value=1, required=False)
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)


class HandlingStatsQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    month = serializers.IntegerField(min_value=1, max_value=12, required=False, help_text="1–12: that month only")
    division = serializers.RegexField(
        r"^\d{6,15}$", required=False, help_text="township, village or grid code (prefix); within your area"
    )


class ClaimLineIn(serializers.Serializer):
    item_name = serializers.CharField(max_length=100)
    category = serializers.ChoiceField(choices=["a", "b", "self"])
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3, min_value=0)
    price = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0)


class DetailsIn(serializers.Serializer):
    """What the item's workflow needs besides papers (each workflow reads its own fields)."""

    filing_kind = serializers.ChoiceField(choices=RemoteFilingKind.choices, required=False)
    destination = serializers.CharField(max_length=100, required=False)
    valid_from = serializers.DateField(required=False)
    valid_to = serializers.DateField(required=False)
    institution_code = serializers.CharField(max_length=12, required=False)
    invoice_number = serializers.CharField(max_length=40, required=False)
    reason = serializers.CharField(max_length=200, required=False)
    claim_reason = serializers.ChoiceField(choices=ManualClaimReason.choices, required=False)
    policy_code = serializers.CharField(max_length=64, required=False)
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    hospital_level = serializers.IntegerField(min_value=1, max_value=4, required=False)
    admitted_on = serializers.DateField(required=False)
    discharged_on = serializers.DateField(required=False)
    lines = ClaimLineIn(many=True, required=False)
    stopped_on = serializers.DateField(required=False)
    resumed_on = serializers.DateField(required=False)
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    bank_name = serializers.CharField(max_length=64, required=False)
    account_holder = serializers.CharField(max_length=64, required=False)
    account_number = serializers.CharField(max_length=40, required=False)


class HandlingApplicationIn(serializers.Serializer):
    point = serializers.IntegerField(min_value=1)
    item = serializers.SlugField(max_length=32)
    id_number = serializers.CharField(max_length=18)
    applicant_name = serializers.CharField(max_length=64)
    applicant_relation = serializers.CharField(max_length=20, default="本人")
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.WINDOW)
    papers_received = serializers.ListField(child=serializers.CharField(max_length=100), default=list, max_length=30)
    disease = serializers.IntegerField(min_value=1, required=False)
    evidence_years = serializers.IntegerField(min_value=0, max_value=30, required=False)
    details = DetailsIn(required=False)


class PapersIn(serializers.Serializer):
    papers_received = serializers.ListField(child=serializers.CharField(max_length=100), required=False, max_length=30)


class ReviewIn(serializers.Serializer):
    expert_passed = serializers.BooleanField()
    expert_opinion = serializers.CharField(max_length=300)


class DecideIn(serializers.Serializer):
    approve = serializers.BooleanField()
    decision_reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class HandlingApplicationOut(serializers.Serializer):
    tracking_number = serializers.CharField()
    item = serializers.CharField()
    item_code = serializers.CharField()
    point = serializers.CharField()
    resident_name = serializers.CharField()
    id_number = serializers.CharField(help_text="masked unless the role may see ID numbers")
    applicant_name = serializers.CharField()
    applicant_relation = serializers.CharField()
    channel = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    received_at = serializers.DateTimeField()
    accepted_on = serializers.DateField(allow_null=True)
    due_on = serializers.DateField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField()
    missing_papers = serializers.ListField(child=serializers.CharField())
    papers_received = serializers.ListField(child=serializers.CharField())
    decision_reason = serializers.CharField()
    result_ref = serializers.CharField()
    disease = serializers.CharField()
    round = serializers.CharField()
    evidence_years = serializers.IntegerField(allow_null=True)
    expert_passed = serializers.BooleanField(allow_null=True)
    expert_opinion = serializers.CharField()


class HandlingApplicationPageOut(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = HandlingApplicationOut(many=True)


class HandlingFiguresOut(serializers.Serializer):
    name = serializers.CharField()
    received = serializers.IntegerField()
    returned = serializers.IntegerField()
    open = serializers.IntegerField()
    finished = serializers.IntegerField()
    finished_on_time = serializers.IntegerField()
    overdue = serializers.IntegerField()
    on_time_rate = serializers.CharField(allow_null=True, help_text="percent, one decimal; null when none finished")


class HandlingStatsOut(serializers.Serializer):
    year = serializers.IntegerField()
    points = HandlingFiguresOut(many=True)
    items = HandlingFiguresOut(many=True)
    total = HandlingFiguresOut()
