from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from medinsure.accounts import tokens
from medinsure.accounts.models import ApiToken, Role, User
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None


@transaction.atomic
def user_ensure(
    *, actor, username: str, password: str, role: str, division=None, institution=None, full_name: str = "", **extra
) -> tuple[User, bool]:
    """Create a user if missing (demo data, provisioning); an existing user is left as it is. The password
    passes settings.AUTH_PASSWORD_VALIDATORS like one a user sets themselves."""
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, False
    user = User(username=username, role=role, division=division, institution=institution, last_name=full_name, **extra)
    _check_password(password, user)
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


KEEP = object()  # user_role_change: leave the division / institution as they are

# --- roles -------------------------------------------------------------------------------------------


def check_role_change(*, actor, user: User, role: str) -> None:
    """Who may give whom which role: an admin (or a command run by the operator, actor None), never to
    themselves — so nobody makes themselves supervision_head (or anything else)."""
    if role not in Role.values:
        raise ValidationError({"role": _("未知的角色。")})
    if actor is not None:
        if not (actor.is_authenticated and actor.role == Role.ADMIN and actor.is_active):
            raise PermissionDenied
        if actor.pk == user.pk:
            raise ValidationError({"role": _("不能更改自己的角色，请由另一位管理员操作。")})


@transaction.atomic  # not durable: the Django admin calls it inside its own change-form transaction
def user_role_change(*, actor, user_id: int, role: str, division_id=KEEP, institution_id=KEEP) -> User:
    """Change a user's role (with the area or institution the new role needs, else they stay), with one
    audit row naming the old and the new role. The admin role is the Django superuser, no other role
    is; the user's API tokens go when the new role may not hold one."""
    user = User.objects.select_for_update().get(pk=user_id)
    check_role_change(actor=actor, user=user, role=role)
    old = user.role
    if old == role:
        return user
    user.role = role
    if division_id is not KEEP:
        user.division_id = division_id
    if institution_id is not KEEP:
        user.institution_id = institution_id
    user.is_staff = user.is_superuser = role == Role.ADMIN
    user.full_clean(exclude=["password"])
    user.save(update_fields=["role", "division", "institution", "is_staff", "is_superuser"])
    revoked = 0
    if not tokens.may_hold_token(user):
        revoked = tokens.usable_tokens(user).update(revoked_at=timezone.now())
    audit_log(
        actor=actor,
        verb=AuditLog.Action.CHANGE,
        obj=user,
        summary=f"用户 {user.username} 角色 {Role(old).label} → {Role(role).label}"
        + (f"，撤销接口令牌 {revoked} 个" if revoked else ""),
    )
    return user


@transaction.atomic
def user_password_changed(*, actor) -> None:
    """The audit row of a user changing their own password (Django's PasswordChangeForm saved it; the
    new password passed settings.AUTH_PASSWORD_VALIDATORS there)."""
    audit_log(actor=actor, verb=AuditLog.Action.CHANGE, obj=actor, summary=f"用户 {actor.username} 修改密码")


# --- API tokens --------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def api_token_create(*, actor, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for the actor themselves; only roles that use the API (settings.API_TOKEN_ROLES).
    Returns the token and its secret, which is shown once and never stored."""
    if not tokens.may_hold_token(actor):
        raise PermissionDenied
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写令牌用途。")})
    token, secret = tokens.issue(actor, name=name, days=days)
    audit_log(actor=actor, verb=AuditLog.Action.CHANGE, obj=token, summary=f"创建接口令牌 {token.prefix}…（{name}）")
    return token, secret


@transaction.atomic(durable=True)
def api_token_revoke(*, actor, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens (someone else's: 404, like a missing one)."""
    token = get_object_or_404(ApiToken.objects.select_for_update(), pk=token_id, user=actor)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_log(actor=actor, verb=AuditLog.Action.CHANGE, obj=token, summary=f"撤销接口令牌 {token.prefix}…")
    return token
