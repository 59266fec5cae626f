from django.core.management.base import BaseCommand

from handling.catalogue import load
from handling.models import Disease, HandlingItem


class Command(BaseCommand):
    help = "Load the handling catalogue and the chronic diseases from fixtures/handling/*.yaml"

    def add_arguments(self, parser):
        parser.add_argument("--refresh", action="store_true", help="reset seed rows to the files' values")

    def handle(self, *args, refresh=False, **options):
        n = load(HandlingItem, Disease, refresh=refresh)
        self.stdout.write(f"{n} rows written")
