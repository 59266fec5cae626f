from django.db import transaction

from medinsure.accounts.models import User
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log


@transaction.atomic
def user_ensure(
    *, actor, username: str, password: str, role: str, division=None, institution=None, full_name: str = "", **extra
) -> tuple[User, bool]:
    """Create a user if missing (demo data, provisioning); an existing user is left as it is."""
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, False
    user = User(username=username, role=role, division=division, institution=institution, last_name=full_name, **extra)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit_log(
        actor=actor,
        verb=AuditLog.Action.CHANGE,
        obj=user,
        summary=f"创建用户 {username}（{user.get_role_display()}）",
    )
    return user, True
