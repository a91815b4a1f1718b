"""Every email goes through the notification outbox: invitations and allauth's account emails
(password reset) are saved with the request and sent by a worker, so an SMTP outage is no 500,
loses no message, and a secret link is stored only encrypted and only until it is sent."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from coproduction.models import Invitation, Notification, Role
from coproduction.notifications import delivery
from tests.factories import deliver_outbox
from tests.reminders.test_reliability import free_port

pytestmark = pytest.mark.django_db

Status = Notification.Status


@pytest.fixture
def broker(monkeypatch):
    """The ids handed to the delivery task after commit (no broker in these tests)."""
    queued: list[int] = []
    monkeypatch.setattr(
        "coproduction.notifications.tasks.deliver_notification_task.apply_async",
        lambda args, expires: queued.append(args[0]),
    )
    return queued


@pytest.fixture
def smtp_down(settings):
    """SMTP on a port where nothing listens: every connection is refused."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2


def raw_sealed_messages() -> list:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sealed_message FROM coproduction_notification")
        return [value for (value,) in cursor.fetchall()]


def invite(client, project, email="new.person@example.org"):
    return client.post(reverse("coproduction:members", args=[project.slug]), {"email": email, "role": Role.PEER_RESEARCHER})


def link_in(message) -> str:
    return "/" + re.search(r"https?://[^/\s]+/(join/\S+/)", message.body).group(1)


def test_an_invitation_is_saved_with_its_email_and_queued_after_commit(
    world, client_for, broker, smtp_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client_for(world.coordinator), world.project)
    assert response.status_code == 302  # SMTP is down: the request did not touch it
    invitation = Invitation.objects.get()
    row = Notification.objects.get()
    assert (row.template, row.project, row.status) == ("invitation", world.project, Status.SENDING)
    assert broker == [row.pk]
    # The link's token is in the row only encrypted.
    (raw,) = raw_sealed_messages()
    assert "join/" not in raw and invitation.email not in raw


def test_smtp_down_retries_the_invitation_and_sends_it_once_smtp_is_back(world, client_for, smtp_down, settings, client):
    assert invite(client_for(world.coordinator), world.project).status_code == 302
    assert deliver_outbox() == 0  # refused: a transient failure
    row = Notification.objects.get()
    assert (row.status, row.attempts, row.last_error) == (Status.PENDING, 1, "ConnectionRefusedError")
    assert row.sealed_message  # kept (encrypted) for the retry
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ids = delivery.claim_due_notifications(row.not_before, queue=False)
    assert [delivery.deliver_notification(pk, row.not_before) for pk in ids] == [True]
    (message,) = mail.outbox
    assert message.to == ["new.person@example.org"] and world.project.name not in message.subject
    row.refresh_from_db()
    assert (row.status, row.sealed_message) == (Status.SENT, None)  # the secret is gone once sent
    client.logout()
    response = client.post(
        link_in(message), {"display_name": "New", "password1": "river-lantern-9x", "password2": "river-lantern-9x"}
    )
    assert response.status_code == 302
    assert Invitation.objects.get().status == "accepted"


def test_inviting_again_sends_again_instead_of_revoking(world, client_for, smtp_down, settings):
    client = client_for(world.coordinator)
    invite(client, world.project)
    deliver_outbox()  # SMTP refuses the first email
    invite(client, world.project)  # the coordinator tries again
    invitation = Invitation.objects.get()  # the same invitation, not a revoked one and a new one
    assert invitation.status == "pending"
    first, second = Notification.objects.order_by("pk")
    assert first.status == Status.CANCELLED and first.sealed_message is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver_outbox() == 1
    (message,) = mail.outbox
    client.logout()
    assert client.get(link_in(message)).status_code == 200


def test_a_password_reset_with_smtp_down_is_no_500_and_its_link_is_sent_later(world, client, smtp_down, settings):
    peer = world.peer
    response = client.post(reverse("account_reset_password"), {"email": peer.email})
    assert response.status_code == 302
    row = Notification.objects.get()
    assert (row.recipient, row.project, row.template) == (peer, None, "password_reset_key")
    (raw,) = raw_sealed_messages()
    assert "password/reset/key" not in raw and peer.email not in raw
    assert deliver_outbox() == 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = timezone.now() + timedelta(minutes=2)
    for pk in delivery.claim_due_notifications(later, queue=False):
        delivery.deliver_notification(pk, later)
    (message,) = mail.outbox
    assert message.to == [peer.email]
    path = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", message.body).group(1)
    assert client.get(path).status_code in (200, 302)


def test_coordinators_see_undelivered_account_emails_of_their_members_only(world, client_for, client, smtp_down, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 1
    client.post(reverse("account_reset_password"), {"email": world.peer.email})
    client.post(reverse("account_reset_password"), {"email": world.outsiders[Role.PEER_RESEARCHER].email})
    deliver_outbox()
    assert Notification.objects.filter(status=Status.FAILED).count() == 2
    page = client_for(world.coordinator).get(reverse("notifications:failed", args=[world.project.slug]))
    assert page.context["page"].paginator.count == 1
    assert "password_reset_key" in page.content.decode()
    assert str(world.outsiders[Role.PEER_RESEARCHER]) not in page.content.decode()


def test_send_again_re_sends_a_pending_invitation_and_only_coordinators_may(world, client_for, smtp_down, settings):
    invite(client_for(world.coordinator), world.project)
    invitation = Invitation.objects.get()
    resend = reverse("coproduction:invitation_resend", args=[world.project.slug, invitation.pk])
    for who in (world.peer, world.analyst, world.outsiders[Role.COORDINATOR]):
        assert client_for(who).post(resend).status_code in (403, 404)
    assert client_for(world.coordinator).post(resend).status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "pending"
    assert list(Notification.objects.order_by("pk").values_list("status", flat=True)) == [Status.CANCELLED, Status.PENDING]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver_outbox() == 1 and mail.outbox[0].to == [invitation.email]


def test_an_undelivered_invitation_shows_whom_it_was_for(world, client_for, smtp_down, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 1
    invite(client_for(world.coordinator), world.project)
    deliver_outbox()
    page = client_for(world.coordinator).get(reverse("notifications:failed", args=[world.project.slug]))
    assert "new.person@example.org (invited)" in page.content.decode()


def test_only_the_outbox_hands_mail_to_django():
    """A direct send_mail in a view would bring back the 500 when SMTP is down."""
    root = Path(django_settings.BASE_DIR)
    sources = [p for app in ("coproduction", "interviews", "wellbeing") for p in (root / app).rglob("*.py")]
    imports_mail = re.compile(
        r"^\s*(from django\.core\.mail import|from django\.core import mail|import django\.core\.mail)", re.M
    )
    senders = sorted(str(p.relative_to(root)) for p in sources if imports_mail.search(p.read_text(encoding="utf-8")))
    assert senders == ["coproduction/notifications/delivery.py"]
