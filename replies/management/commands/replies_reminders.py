from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from replies.services import reminders_run


class Command(BaseCommand):
    help = "发送答复期限和承诺事项提醒，标记超期件（与每日定时任务相同）"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=date.fromisoformat, default=None)

    def handle(self, *args, as_of=None, **options):
        self.stdout.write(str(reminders_run(as_of=as_of or timezone.localdate())))
