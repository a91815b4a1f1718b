"""Fixtures for the outbox machinery: rows about fixture objects (a Participant or a Project
stands in for an interview or a support session, which other apps own)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from coproduction.models import Notification


class FakeNotifyClient:
    """Stands in for notifications_python_client at the channel boundary: no Internet in tests."""

    def __init__(self, error: Exception | None = None):
        self.emails: list[dict] = []
        self.sms: list[dict] = []
        self.error = error

    def send_email_notification(self, **kwargs):
        if self.error:
            raise self.error
        self.emails.append(kwargs)
        return {"id": "fake"}

    def send_sms_notification(self, **kwargs):
        if self.error:
            raise self.error
        self.sms.append(kwargs)
        return {"id": "fake"}


@pytest.fixture
def notify(monkeypatch, settings):
    """GOV.UK Notify configured, with a fake client; returns the client to inspect."""
    settings.NOTIFY_API_KEY = "test-key"
    settings.NOTIFY_EMAIL_TEMPLATE_ID = "email-template"
    settings.NOTIFY_SMS_TEMPLATE_ID = "sms-template"
    client = FakeNotifyClient()
    monkeypatch.setattr("coproduction.notifications.delivery.notify_client", lambda: client)
    return client


@pytest.fixture
def make_row(db):
    """make_row(recipient=user, **fields) -> a pending Notification, due a minute ago by default."""
    counter = iter(range(1, 10_000))

    def make(*, about=None, **fields):
        now = timezone.now()
        if about is not None:
            fields.setdefault("about_type", about._meta.label_lower)
            fields.setdefault("about_id", str(about.pk))
        fields.setdefault("due_at", now - timedelta(minutes=1))
        fields.setdefault("template", "appointment-reminder")
        if fields["template"].startswith("appointment"):
            fields.setdefault("starts_at", now + timedelta(days=1))
        fields.setdefault("idempotency_key", f"test:{next(counter)}:{now.timestamp()}")
        return Notification.objects.create(**fields)

    return make


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)
