"""Invite-only sign-up: a coordinator invites by email into one project and role; the link is
single-use, expires after seven days and opens only its own project."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from coproduction.models import AuditEvent, Invitation, Membership, Role, User
from tests.factories import deliver_outbox

NEW_PASSWORD = "river-lantern-copper-9"


def invite(client_for, world, email="new.person@example.org", role=Role.PEER_RESEARCHER):
    client = client_for(world.coordinator)
    response = client.post(reverse("coproduction:members", args=[world.project.slug]), {"email": email, "role": role})
    assert response.status_code == 302
    client.logout()
    deliver_outbox()
    link = re.search(r"https?://\S+/join/\S+/", mail.outbox[-1].body).group(0)
    return link.split("://", 1)[1].split("/", 1)[1]


def accept(client, path, password=NEW_PASSWORD, name="New Person"):
    return client.post("/" + path, {"display_name": name, "password1": password, "password2": password})


@pytest.mark.django_db
def test_invited_person_sets_a_password_and_lands_in_the_project(client, client_for, world):
    path = invite(client_for, world)
    assert mail.outbox[-1].to == ["new.person@example.org"]
    assert world.project.name not in mail.outbox[-1].subject  # neutral subject

    response = accept(client, path)

    assert response.status_code == 302
    assert response["Location"] == reverse("coproduction:dashboard", args=[world.project.slug])
    user = User.objects.get(email="new.person@example.org")
    assert user.check_password(NEW_PASSWORD)
    assert Membership.objects.get(user=user).role == Role.PEER_RESEARCHER
    assert AuditEvent.objects.filter(action="invitation.accepted", actor=user).exists()


@pytest.mark.django_db
def test_only_a_hash_of_the_token_is_stored(client_for, world):
    path = invite(client_for, world)
    token = path.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get(email="new.person@example.org")
    assert token not in invitation.token_hash


@pytest.mark.django_db
def test_an_invitation_link_works_once(client, client_for, world):
    path = invite(client_for, world)
    accept(client, path)
    client.logout()

    response = accept(client, path, name="Someone Else")

    assert response.status_code == 410
    assert "no longer be used" in response.content.decode() or "already" in response.content.decode()
    assert User.objects.filter(email="new.person@example.org").count() == 1
    assert User.objects.get(email="new.person@example.org").display_name == "New Person"


@pytest.mark.django_db
def test_an_invitation_expires_after_seven_days(client, client_for, world):
    path = invite(client_for, world)
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1), tick=False):
        response = accept(client, path)
    assert response.status_code == 410
    assert not User.objects.filter(email="new.person@example.org").exists()


@pytest.mark.django_db
def test_an_invitation_is_still_good_on_the_sixth_day(client, client_for, world):
    path = invite(client_for, world)
    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23), tick=False):
        response = accept(client, path)
    assert response.status_code == 302
    assert User.objects.filter(email="new.person@example.org").exists()


@pytest.mark.django_db
def test_an_invitation_does_not_open_another_project(client, client_for, world):
    path = invite(client_for, world)
    wrong = path.replace(f"join/{world.project.slug}/", f"join/{world.other_project.slug}/")
    response = accept(client, wrong)
    assert response.status_code == 404
    assert not User.objects.filter(email="new.person@example.org").exists()


@pytest.mark.django_db
def test_a_revoked_invitation_cannot_be_used(client, client_for, world):
    path = invite(client_for, world)
    invitation = Invitation.objects.get(email="new.person@example.org")
    coordinator = client_for(world.coordinator)
    coordinator.post(reverse("coproduction:invitation_revoke", args=[world.project.slug, invitation.pk]))
    coordinator.logout()
    assert accept(client, path).status_code == 410


@pytest.mark.django_db
def test_a_weak_password_is_refused_and_the_name_is_kept(client, client_for, world):
    path = invite(client_for, world)
    response = accept(client, path, password="password", name="Kept Name")
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'value="Kept Name"' in page
    assert not User.objects.filter(email="new.person@example.org").exists()
    assert Invitation.objects.get(email="new.person@example.org").status == "pending"


@pytest.mark.django_db
def test_mismatched_passwords_are_refused(client, client_for, world):
    path = invite(client_for, world)
    response = client.post("/" + path, {"display_name": "X", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})
    assert "The passwords do not match." in response.content.decode()
    assert not User.objects.filter(email="new.person@example.org").exists()


@pytest.mark.django_db
def test_an_existing_member_of_another_project_joins_with_a_second_role(client, client_for, world):
    someone = world.outsiders[Role.ANALYST]
    path = invite(client_for, world, email=someone.email, role=Role.PEER_RESEARCHER)

    anonymous = client.get("/" + path)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]

    client_for(someone)
    assert client.post("/" + path).status_code == 302
    roles = dict(Membership.objects.filter(user=someone).values_list("project__slug", "role"))
    assert roles == {world.other_project.slug: Role.ANALYST, world.project.slug: Role.PEER_RESEARCHER}


@pytest.mark.django_db
def test_signed_in_as_someone_else_cannot_take_an_invitation(client, client_for, world):
    someone = world.outsiders[Role.ANALYST]
    path = invite(client_for, world, email=someone.email)
    client_for(world.outsiders[Role.SUPERVISOR])
    response = client.post("/" + path)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Membership.objects.filter(user=someone, project=world.project).exists()


@pytest.mark.django_db
def test_inviting_a_current_member_is_refused_with_a_message(client_for, world):
    client = client_for(world.coordinator)
    response = client.post(
        reverse("coproduction:members", args=[world.project.slug]), {"email": world.peer.email, "role": Role.ANALYST}
    )
    assert response.status_code == 200
    assert "already a member" in response.content.decode()
    assert len(mail.outbox) == 0


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["peer", "analyst", "supervisor"])
def test_only_coordinators_invite(client_for, world, who):
    client = client_for(getattr(world, who))
    response = client.post(
        reverse("coproduction:members", args=[world.project.slug]), {"email": "x@example.org", "role": Role.ANALYST}
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert len(mail.outbox) == 0


@pytest.mark.django_db
def test_there_is_no_public_sign_up(client):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    assert "closed" in response.content.decode().lower()
    client.post(reverse("account_signup"), {"email": "walk.in@example.org", "password1": NEW_PASSWORD})
    assert not User.objects.filter(email="walk.in@example.org").exists()
