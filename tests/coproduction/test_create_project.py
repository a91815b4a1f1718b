"""Operations create a project and invite its first coordinator."""

import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from coproduction.models import Invitation, Project, User
from tests.factories import deliver_outbox


@pytest.mark.django_db
def test_a_project_is_created_and_its_coordinator_can_join(client, capsys):
    call_command("create_project", name="Northside Strategy", coordinator="lead@example.org")
    project = Project.objects.get(slug="northside-strategy")
    invitation = Invitation.objects.get(project=project)
    assert invitation.role == "coordinator" and invitation.invited_by is None
    assert "/p/northside-strategy/" in capsys.readouterr().out

    deliver_outbox()
    path = re.search(r"https?://[^/\s]+(/join/\S+/)", mail.outbox[-1].body).group(1)
    password = "river-lantern-copper-9"
    client.post(path, {"display_name": "Lead", "password1": password, "password2": password})
    assert User.objects.get(email="lead@example.org").memberships.get().role == "coordinator"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"name": "X", "coordinator": "not-an-email"}, "valid email"),
        ({"name": "X", "coordinator": "a@example.org", "time_zone": "Nowhere/City"}, "not a time zone"),
        ({"name": "   ", "coordinator": "a@example.org"}, "Give the project a name."),
    ],
)
def test_bad_input_stops_with_a_message_and_creates_nothing(options, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_project", **options)
    assert not Project.objects.exists()
    assert not mail.outbox


@pytest.mark.django_db
def test_an_existing_address_is_refused(project):
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_project", name="Riverside", coordinator="a@example.org")
