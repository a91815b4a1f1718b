from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from coproduction import demo


class Command(BaseCommand):
    help = "Load the fictional demo project (refuses to run with DEBUG off)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo loads made-up accounts with a known password; it runs only with DEBUG on.")
        with transaction.atomic():
            project, _ = demo.seed()
        self.stdout.write(f"Demo project '{project.name}' is ready. Accounts (password: {demo.DEMO_PASSWORD}):")
        for email, _name, role in demo.DEMO_PEOPLE:
            self.stdout.write(f"  {email:28} {role.label}")
        self.stdout.write(
            "Coordinators, analysts and supervisors sign in with an authenticator code: "
            f"run `{demo.DEMO_CODE_COMMAND}` (secret {demo.DEMO_TOTP_SECRET})."
        )
