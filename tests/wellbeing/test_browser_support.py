"""A peer researcher asks for support in a check-in; a coordinator sees it, acknowledges it and
books supervision. The interview is completed in Python (the interviews pages live elsewhere):
the flow starts where wellbeing takes over, at the check-in the completion signal creates."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from coproduction.models import AuditEvent, Notification, Role
from interviews.models import Interview
from interviews.signals import interview_completed
from tests.factories import member
from tests.wellbeing.factories import interview, provider
from wellbeing.models import CheckIn, SupportSession

pytestmark = pytest.mark.django_db(transaction=True)


def test_check_in_asking_for_support_reaches_the_coordinator_who_books_supervision(page, project, sign_in, axe_check):
    peer = member(project, Role.PEER_RESEARCHER, display_name="Alex Rivers")
    coordinator = member(project, Role.COORDINATOR, display_name="Sam Okafor")
    provider(name="Dr Morgan Hale")
    completed = interview(project, peer, starts_at=timezone.now() - timedelta(hours=2))
    completed.status, completed.completed_at = Interview.Status.COMPLETED, timezone.now()
    completed.save()
    interview_completed.send(sender=Interview, interview=completed)

    # The peer researcher checks in and asks to talk to someone.
    sign_in(page, peer)
    page.goto(f"/p/{project.slug}/")
    axe_check(page)
    page.get_by_role("link", name=re.compile("Check in after")).first.click()
    page.wait_for_url(re.compile(r"/support/check-ins/\d+/$"))
    axe_check(page)
    page.get_by_label("How are you").select_option("4")
    page.get_by_label("I would like to talk to someone").check()
    page.get_by_label("A note for yourself").fill("Needed a minute after that one.")
    page.get_by_role("button", name="Send check-in").click()
    page.wait_for_url(re.compile(r"/support/$"))
    assert "A coordinator will be in touch" in page.content()
    axe_check(page)

    # The coordinator sees that someone asked for support — not the score or the note.
    page.context.clear_cookies()
    sign_in(page, coordinator)
    page.goto(f"/p/{project.slug}/")
    panel = page.get_by_role("table", name="People who asked for support")
    assert "Alex Rivers" in panel.inner_text()
    assert "Needed a minute" not in page.content()
    axe_check(page)
    page.get_by_role("button", name="Acknowledge Alex Rivers").click()
    page.wait_for_url(re.compile(rf"/p/{project.slug}/$"))
    axe_check(page)

    # ... and books reflective supervision.
    page.goto(f"/p/{project.slug}/support/")
    axe_check(page)
    page.get_by_role("link", name="Book a session").first.click()
    axe_check(page)
    day = (timezone.localdate(timezone=project.tzinfo) + timedelta(days=3)).isoformat()
    page.get_by_label("Kind of session").select_option(label="Reflective supervision (1-1)")
    page.get_by_label("With").select_option(label="Dr Morgan Hale (supervisor)")
    page.get_by_label("Alex Rivers").check()
    page.get_by_label("Date").fill(day)
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("End time").fill("11:00")
    page.get_by_label("Venue or online link").fill("Riverside hub, room 2")
    page.get_by_role("button", name="Book the session").click()
    page.wait_for_url(re.compile(r"/support/sessions/\d+/$"))
    assert "The session is booked" in page.content()
    axe_check(page)
    # Rescheduling starts from the booked values, as the browser's date and time inputs show them.
    page.get_by_role("link", name="Change or reschedule").click()
    assert page.get_by_label("Date").input_value() == day
    assert page.get_by_label("Start time").input_value() == "10:00"
    axe_check(page)

    check_in = CheckIn.objects.get()
    assert check_in.alert_acknowledged_by == coordinator
    assert AuditEvent.objects.filter(action="check_in.alert_acknowledged").count() == 1
    booked = SupportSession.objects.get()
    assert list(booked.attendees.all()) == [peer] and booked.kind == SupportSession.Kind.SUPERVISION_ONE
    assert Notification.objects.filter(template="appointment-reminder", recipient=peer).count() == 1
