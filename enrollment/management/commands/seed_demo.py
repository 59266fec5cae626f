from datetime import date

from django.core.management.base import BaseCommand, CommandError

from enrollment import demo


class Command(BaseCommand):
    help = "把演示区县扩充为接近真实规模的参保登记库（含征缴年度、缴费、指导性任务、动员任务和进度）。"

    def add_arguments(self, parser):
        parser.add_argument("--residents", type=int, default=20_000, help="参保人员数（默认 20000，最多 1500000）")
        parser.add_argument("--as-of", default="2024-12-20", help="演示的“今天”（集中缴费期内），默认 2024-12-20")

    def handle(self, *args, **opts):
        n = opts["residents"]
        if not 1 <= n <= 1_500_000:
            raise CommandError("--residents: 1 … 1500000")
        try:
            as_of = date.fromisoformat(opts["as_of"])
        except ValueError as exc:
            raise CommandError(f"--as-of: {exc}") from exc
        from django.core.management import call_command

        from medinsure.regions.models import Division

        if not Division.objects.filter(level="village").exists():
            call_command("load_demo", stdout=self.stdout)
        result = demo.seed(residents=n, as_of=as_of)
        demo.finish(as_of=as_of)
        self.stdout.write(self.style.SUCCESS(f"参保登记库：{result['residents']} 人"))
