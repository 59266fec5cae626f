from django.core.management.base import BaseCommand

from medinsure.jobs.outbox import outbox_flush, outbox_pending_count


class Command(BaseCommand):
    help = "Publish the tasks recorded while the broker was down (the outbox's pending rows)."

    def handle(self, *args, **options):
        sent = outbox_flush()
        left = outbox_pending_count()
        self.stdout.write(f"published {sent}, still pending {left}")
        if left:
            self.stderr.write("the broker is still unreachable; the pending tasks stay recorded")
