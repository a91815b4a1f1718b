"""Re-encrypt every encrypted field with the first key in FIELD_ENCRYPTION_KEYS.

Rotation: put the new key first in FIELD_ENCRYPTION_KEYS (keep the old one after it), restart,
run this command, then remove the old key. Values are read and written with SQL
(`coproduction.reencryption`), so models that refuse edits through save() are not touched by
their save() rules and no timestamps move. Safe to run twice; stops cleanly between batches
on SIGTERM; a value no key opens stops it with the row named and that batch unwritten.
"""

import signal

from django.core.management.base import BaseCommand, CommandError

from coproduction import reencryption


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field with the first key in FIELD_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        self.stopping = False
        signal.signal(signal.SIGTERM, self.stop)
        try:
            report = reencryption.rewrite_stored_values(reencryption.rotate, should_stop=lambda: self.stopping)
        except reencryption.Unreadable as refused:
            raise CommandError(f"{refused} Put the key that opens them back in FIELD_ENCRYPTION_KEYS.") from None
        for line in report.lines():
            self.stdout.write(line)
        if report.stopped:
            self.stdout.write("Stopped before finishing; run the command again to continue.")
            return
        self.stdout.write(self.style.SUCCESS(f"Done: {report.total_rewritten} value(s) re-encrypted."))

    def stop(self, signum, frame) -> None:
        self.stopping = True
