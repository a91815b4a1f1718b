from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from coproduction import demo


class Command(BaseCommand):
    help = "Print the demo accounts' current authenticator code (DEBUG only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("demo_code belongs to the demo; it runs only with DEBUG on.")
        self.stdout.write(demo.current_code())
