"""Issue 15: no audit row holds a full ID or mobile number — whatever a caller puts in the summary or
the key, and whatever the request's path carried (audit_log masks them centrally)."""

import pytest
from django.test import RequestFactory

from medinsure.accounts.models import Role
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log, current_request, request_context
from medinsure.masking import mask_numbers_in_text

pytestmark = [pytest.mark.django_db]

ID18 = "500116194207110008"
ID15 = "500116420711000"
MOBILE = "13912340008"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"查询 {ID18}", "查询 500116********0008"),
        (f"id={ID18[:-1]}X&x=1", "id=500116********000X&x=1"),
        (f"old {ID15} new", "old 500116******000 new"),
        (f"tel:{MOBILE}", "tel:139****0008"),
        ("division 500116101201 grid", "division 500116101201 grid"),  # a 12-digit division code stays
        ("amount 12345678901234567890", "amount 12345678901234567890"),  # a longer run is no ID
        ("H50011691001", "H50011691001"),  # an institution code
    ],
)
def test_mask_numbers_in_text(text, masked):
    assert mask_numbers_in_text(text) == masked


def test_audit_log_masks_summary_key_and_path(make_user):
    user = make_user(Role.ENROLLMENT)
    request = RequestFactory().get(f"/api/v1/enrollment/residents/{ID18}/?phone={MOBILE}")
    token = current_request.set(request_context(request))
    try:
        row = audit_log(
            actor=user, verb=AuditLog.Action.VIEW, obj="enrollment.resident", key=ID18, summary=f"{ID18} {MOBILE}"
        )
    finally:
        current_request.reset(token)
    row.refresh_from_db()
    for value in (row.summary, row.object_id, row.path):
        assert ID18 not in value and MOBILE not in value, value
    assert row.summary == "500116********0008 139****0008"


def test_the_audit_page_masks_rows_written_before_the_guard(make_user, client_as):
    """The table is append-only (no UPDATE): old rows that hold a full number are masked when shown."""
    AuditLog.objects.create(
        actor=None, username="old", action="view", object_type="enrollment.resident", object_id=ID18, summary=ID18
    )
    html = client_as(make_user(Role.ADMIN)).get("/audit/").content.decode()
    assert "500116********0008" in html and ID18 not in html
