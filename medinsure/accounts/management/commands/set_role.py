"""manage.py set_role <username> <role> — the operator's way to change a role (e.g. the first
supervision head), through the same service as the admin: one audit row."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from medinsure.accounts import services
from medinsure.accounts.models import Role, User


class Command(BaseCommand):
    help = "更改用户角色（写审计日志）"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=Role.values)

    def handle(self, *args, username, role, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在")
        try:
            user = services.user_role_change(actor=None, user_id=user.pk, role=role)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        self.stdout.write(f"{user.username}: {user.get_role_display()}")
