"""Erase the contact details kept for updates of projects whose follow-up end date has come
(held back while a notice to them is still to be sent).

Celery beat runs the same function (coproduction.publication.tasks); the command is for running
it by hand."""

from django.core.management.base import BaseCommand

from coproduction.publication.follow_up import erase_ended_follow_up_contacts


class Command(BaseCommand):
    help = "Erase contact details kept for updates once the project's follow-up end date has come."

    def handle(self, *args, **options):
        self.stdout.write(f"{erase_ended_follow_up_contacts()} set(s) of contact details erased.")
