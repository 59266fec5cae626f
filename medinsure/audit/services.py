from medinsure.audit.models import AuditLog


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_log(
    *, actor, action: str, object_type: str = "", object_id="", summary: str = "", request=None, username: str = ""
) -> AuditLog:
    """Write one audit row. Call it inside the service's transaction so it commits with the change."""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditLog.objects.create(
        actor=user,
        username=(user.get_username() if user else username)[:150],
        action=action,
        object_type=object_type[:64],
        object_id=str(object_id)[:64],
        summary=summary[:500],
        ip=client_ip(request),
        path=(request.get_full_path()[:300] if request is not None else ""),
    )
