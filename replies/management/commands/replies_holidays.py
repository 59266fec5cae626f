from django.core.management.base import BaseCommand

from replies.holidays import seed
from replies.models import HolidayDay, HolidayYear
from replies.services import due_dates_recompute


class Command(BaseCommand):
    help = "从 chinese-calendar 数据包补充节假日安排（工作人员录入的年度不变），并重算未办结件的答复期限"

    def add_arguments(self, parser):
        parser.add_argument("--refresh", action="store_true", help="也刷新以前从数据包导入的年度")

    def handle(self, *args, refresh=False, **options):
        added = seed(HolidayYear, HolidayDay, replace_package_years=refresh)
        changed = due_dates_recompute()
        self.stdout.write(f"years added/refreshed: {added or '-'}; due dates changed: {changed}")
