from datetime import date, datetime, time

from django.utils import timezone

from medinsure.accounts.scoping import Area, has_area
from medinsure.audit.models import AuditLog


def audit_log_list(user, *, q: str = "", action: str = "", date_from: date | None = None, date_to: date | None = None):
    """Administrators search the whole log; everyone else sees nothing."""
    if not has_area(user, Area.AUDIT):
        return AuditLog.objects.none()
    rows = AuditLog.objects.select_related("actor")
    if q:
        rows = rows.filter(username__icontains=q) | rows.filter(object_id=q) | rows.filter(object_type=q)
    if action:
        rows = rows.filter(action=action)
    tz = timezone.get_current_timezone()
    if date_from:
        rows = rows.filter(at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        rows = rows.filter(at__lte=datetime.combine(date_to, time.max, tzinfo=tz))
    return rows.order_by("-at", "-id")
