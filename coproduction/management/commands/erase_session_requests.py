"""Erase the details of individual-session requests closed 30 days ago or more.

Celery beat runs the same function (coproduction.engagement.tasks); the command is for running
it by hand."""

from django.core.management.base import BaseCommand

from coproduction.engagement.actions import erase_closed_session_requests


class Command(BaseCommand):
    help = "Erase the details of individual-session requests closed 30 days ago or more."

    def handle(self, *args, **options):
        self.stdout.write(f"{erase_closed_session_requests()} request(s) erased.")
