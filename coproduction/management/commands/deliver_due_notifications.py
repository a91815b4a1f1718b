"""Deliver due reminders without a broker: claim them and send each in this process.

For operations without Celery (cron every minute) or to drain the outbox by hand. It uses the
same claim and lease as the beat task, so it may run next to workers without doubling a message.
"""

import signal

from django.core.management.base import BaseCommand

from coproduction.models import Notification
from coproduction.notifications import delivery


class Command(BaseCommand):
    help = "Claim due notifications and deliver them in this process (also queues today's digests)."

    def add_arguments(self, parser):
        parser.add_argument("--no-digest", action="store_true", help="Do not queue the coordinators' daily digests.")

    def handle(self, *args, **options):
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        if not options["no_digest"]:
            delivery.queue_daily_digests()
        sent = failed = 0
        # Claim without queueing: ids are delivered here. Rows left `sending` when SIGTERM
        # stops us are re-claimed when their lease runs out.
        ids = delivery.claim_due_notifications(queue=False)
        for pk in ids:
            if stopping:
                break
            if delivery.deliver_notification(pk):
                sent += 1
            elif Notification.objects.filter(pk=pk, status=Notification.Status.FAILED).exists():
                failed += 1
        self.stdout.write(f"{len(ids)} claimed, {sent} sent, {failed} failed.")
