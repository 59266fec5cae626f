from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from medinsure.accounts.models import User
from replies import importers, services


class Command(BaseCommand):
    help = "校验并导入交办清单（.xlsx/.csv）；不加 --accept 只校验"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--accept", action="store_true", help="写入校验通过的行")
        parser.add_argument("--user", default="office", help="记为哪位用户导入")

    def handle(self, *args, file, accept=False, user="office", **options):
        path = Path(file)
        result = importers.read_list(path.name, path.read_bytes())
        if result.file_error:
            raise CommandError(result.file_error)
        for e in result.errors:
            self.stdout.write(f"line {e.line} {e.column}: {e.message} {e.value}")
        self.stdout.write(f"valid rows: {len(result.rows)}, problems: {len(result.errors)}")
        if accept:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"no user {user!r}")
            self.stdout.write(str(services.proposals_import(actor=actor, rows=result.rows)))
