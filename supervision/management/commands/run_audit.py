from datetime import date

from django.core.management.base import BaseCommand, CommandError

from supervision import tasks


class Command(BaseCommand):
    help = "运行智能审核规则：--day YYYY-MM-DD（日任务）或 --month YYYY-MM（月任务）；重复运行不会重复生成疑点。"

    def add_arguments(self, parser):
        parser.add_argument("--day")
        parser.add_argument("--month")

    def handle(self, *args, day=None, month=None, **options):
        if bool(day) == bool(month):
            raise CommandError("请给出 --day 或 --month 之一")
        try:
            if day:
                date.fromisoformat(day)
                result = tasks.audit_daily_task(day)
            else:
                y, m = (int(x) for x in month.split("-"))
                date(y, m, 1)
                result = tasks.audit_monthly_task(month)
        except ValueError as exc:
            raise CommandError(f"日期格式不正确：{exc}") from None
        self.stdout.write(f"疑点 {result['hits']} 条，新增 {result['new_flags']} 条")
