"""Operations: create a project and invite its first coordinator by email."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.text import slugify

from coproduction import actions
from coproduction.models import Project, Role
from coproduction.models.projects import validate_time_zone


class Command(BaseCommand):
    help = "Create a project and email its first coordinator a single-use invitation."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--coordinator", required=True, help="email address of the first coordinator")
        parser.add_argument("--slug", default="")
        parser.add_argument("--time-zone", default="Europe/London")

    def handle(self, *args, name, coordinator, slug, time_zone, **options):
        name = name.strip()
        slug = slug or slugify(name)[:60]
        if not name or not slug:
            raise CommandError("Give the project a name.")
        try:
            validate_email(coordinator)
            validate_time_zone(time_zone)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if Project.objects.filter(slug=slug).exists():
            raise CommandError(f"A project with the address {slug!r} already exists; choose another --slug.")
        with transaction.atomic():
            project = Project.objects.create(name=name, slug=slug, time_zone=time_zone)
            actions.invite_member(project=project, email=coordinator, role=Role.COORDINATOR, invited_by=None)
        self.stdout.write(f"Created {project.name} at /p/{project.slug}/ and invited its first coordinator.")
