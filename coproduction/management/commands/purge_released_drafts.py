"""Delete released notes drafts older than DRAFT_RETENTION_DAYS .

Celery beat runs the same function hourly (coproduction.notes.tasks.purge_released_drafts_task); the
command is for running it by hand."""

from django.core.management.base import BaseCommand

from coproduction.notes.actions import purge_released_drafts


class Command(BaseCommand):
    help = "Delete released notes drafts kept longer than DRAFT_RETENTION_DAYS."

    def handle(self, *args, **options):
        self.stdout.write(f"{purge_released_drafts()} released draft(s) deleted.")
