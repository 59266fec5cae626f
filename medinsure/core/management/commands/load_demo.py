import importlib

from django.conf import settings
from django.core.management.base import BaseCommand

from medinsure.core import demo


class Command(BaseCommand):
    help = "载入演示区县：行政区划、各角色演示用户，以及各业务模块的演示数据（可重复运行，不会重复写入）。"

    def handle(self, *args, **options):
        demo.load(stdout=self.stdout)
        for app in settings.BUSINESS_APPS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            self.stdout.write(f"载入演示数据：{app}")
            module.load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("演示数据已就绪"))
