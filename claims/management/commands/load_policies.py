"""python manage.py load_policies [CODE ...] — load the shipped policy files (a changed file makes a new version)."""

from django.core.management.base import BaseCommand, CommandError

from claims.services import policies_load_files


class Command(BaseCommand):
    help = "载入 fixtures/policies/ 中的报销政策文件（内容有变化时生成新版本）"

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", help="政策编码（默认全部）")

    def handle(self, *args, codes, **options):
        result = policies_load_files(codes=codes or None)
        for item in result["created"]:
            self.stdout.write(f"新版本：{item}")
        for item in result["unchanged"]:
            self.stdout.write(f"无变化：{item}")
        if result["errors"]:
            for code, errors in result["errors"].items():
                for e in errors:
                    self.stderr.write(f"{code}: {e}")
            raise CommandError("政策文件有错误", returncode=2)
