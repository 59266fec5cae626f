from django.core.management.base import BaseCommand, CommandError

from medinsure.accounts.models import User
from supervision import importers


class Command(BaseCommand):
    help = "从 Excel 导入定点医药机构和医保服务协议：先整体检查，有错误时不写入；重复导入不产生变化。"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--user", required=True, help="操作人用户名（基金监管科）")
        parser.add_argument("--check", action="store_true", help="只检查，不写入")

    def handle(self, *args, path, user, check, **options):
        actor = User.objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"用户不存在：{user}")
        report = importers.read_institutions(path)
        for e in report.errors:
            self.stderr.write(f"第 {e.line} 行 {e.column}：{e.message}")
        if report.errors:
            raise CommandError(f"文件有 {len(report.errors)} 处错误，未写入任何数据")
        if check:
            self.stdout.write(f"检查通过：{len(report.rows)} 行")
            return
        importers.import_institutions(actor=actor, report=report)
        self.stdout.write(f"导入完成：新增 {report.created}，更新 {report.updated}，未变 {report.unchanged}")
