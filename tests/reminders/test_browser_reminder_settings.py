"""A coordinator chooses how to be reminded and checks undelivered messages, in a real browser."""

import pytest
from django.utils import timezone

from coproduction.models import Notification, Role
from tests.factories import member

pytestmark = pytest.mark.django_db(transaction=True)


def test_reminder_settings_and_undelivered_messages(page, project, sign_in, axe_check):
    coordinator = member(project, Role.COORDINATOR, display_name="Rowan")
    Notification.objects.create(
        project=project,
        recipient=coordinator,
        template="coordinator-alert",
        due_at=timezone.now(),
        status=Notification.Status.FAILED,
        failed_at=timezone.now(),
        idempotency_key="browser:1",
    )
    sign_in(page, coordinator)

    page.goto("/account/")
    page.get_by_label("Time zone").select_option("Europe/Paris")
    page.get_by_label("Email").uncheck()
    page.get_by_role("button", name="Save reminder settings").click()
    assert "Choose at least one way to be reminded." in page.inner_text("main")
    axe_check(page)  # the error state
    page.get_by_label("Email").check()
    page.get_by_role("button", name="Save reminder settings").click()
    assert "Your reminder settings were saved." in page.inner_text("main")
    coordinator.refresh_from_db()
    assert coordinator.time_zone == "Europe/Paris"

    page.goto(f"/p/{project.slug}/notifications/failed/")
    table = page.inner_text("table")
    assert "Rowan" in table and "coordinator-alert" in table
    axe_check(page)
