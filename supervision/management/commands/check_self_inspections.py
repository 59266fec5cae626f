from datetime import date

from django.core.management.base import BaseCommand

from supervision import tasks


class Command(BaseCommand):
    help = "检查年度自查自纠报送截止日：逾期未报送的机构标记为考核不合格并列出后续处理。"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD，默认今天")

    def handle(self, *args, as_of=None, **options):
        if as_of:
            date.fromisoformat(as_of)
        result = tasks.self_inspection_deadline_task(as_of)
        self.stdout.write(f"新标记考核不合格：{result['failing']} 家")
