from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from medinsure.accounts.models import User
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_log(actor=user, verb=AuditLog.Action.LOGIN, obj=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_log(actor=user, verb=AuditLog.Action.LOGOUT, obj=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    audit_log(
        actor=None,
        username=str(credentials.get("username", ""))[:150],
        verb=AuditLog.Action.LOGIN_FAILED,
        obj=User,
    )
