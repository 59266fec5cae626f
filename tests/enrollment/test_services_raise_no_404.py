"""Services refuse with ValidationError / PermissionDenied; a row outside the user's area is a 404 from
``access.py`` only (issue 14): no enrollment services module raises or imports Http404 itself."""

from pathlib import Path

SERVICES = Path(__file__).resolve().parents[2] / "enrollment" / "services"


def test_no_enrollment_service_raises_http404():
    offenders = [p.name for p in SERVICES.glob("*.py") if "Http404" in p.read_text(encoding="utf-8")]
    assert offenders == []
