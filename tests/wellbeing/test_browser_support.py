"""End to end in a real browser, axe on every page: the peer researcher marks an interview
completed on the interviews pages; the check-in that creates asks to talk; the coordinator sees
the alert, acknowledges it and books supervision. Only the data set-up is done in Python."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from coproduction.models import AuditEvent, Notification, Role
from coproduction.notifications.delivery import message_context, render_message
from interviews.models import Interview
from tests.factories import member
from tests.interviews.factories import make_interview
from tests.wellbeing.factories import provider
from wellbeing.models import CheckIn, SupportSession

pytestmark = pytest.mark.django_db(transaction=True)
NOT_IN_MESSAGES = ["interview", "supervision", "support", "check-in", "wellbeing", "therapy", "counselling", "sex work"]


def assert_neutral(notification: Notification) -> None:
    message = render_message(notification.template, message_context(notification, timezone.now()))
    words = " ".join([message.subject, message.text, message.html, message.sms]).lower()
    assert not [word for word in NOT_IN_MESSAGES if word in words], notification.template


def test_completed_interview_check_in_asking_for_support_reaches_the_coordinator_who_books_supervision(
    page, project, sign_in, axe_check
):
    peer = member(project, Role.PEER_RESEARCHER, display_name="Alex Rivers")
    coordinator = member(project, Role.COORDINATOR, display_name="Sam Okafor")
    provider(name="Dr Morgan Hale")
    # Booked earlier (a past time cannot be booked through the pages), with a consenting participant.
    interview = make_interview(project, peer, booked_by=coordinator, starts_in=-timedelta(hours=2))
    slug = project.slug

    # The peer researcher marks the interview completed on the interviews pages.
    sign_in(page, peer)
    page.goto(f"/p/{slug}/interviews/")
    axe_check(page)
    page.locator(f'a[href="/p/{slug}/interviews/{interview.pk}/"]').click()
    page.wait_for_url(re.compile(rf"/interviews/{interview.pk}/$"))
    axe_check(page)
    page.get_by_role("button", name="Mark completed").click()
    page.get_by_text("Interview marked completed.").wait_for()
    axe_check(page)
    interview.refresh_from_db()
    assert interview.status == Interview.Status.COMPLETED and interview.completed_at is not None

    # The completion asked for a check-in: it waits on the dashboard. They ask to talk to someone.
    page.goto(f"/p/{slug}/")
    axe_check(page)
    page.get_by_role("link", name=re.compile("check-in after your interview")).click()
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
    page.goto(f"/p/{slug}/")
    panel = page.get_by_role("table", name="People who asked for support")
    assert "Alex Rivers" in panel.inner_text()
    assert "Needed a minute" not in page.content()
    axe_check(page)
    page.get_by_role("button", name="Acknowledge Alex Rivers").click()
    page.wait_for_url(re.compile(rf"/p/{slug}/$"))
    assert page.get_by_role("table", name="People who asked for support").count() == 0
    axe_check(page)

    # ... and books reflective supervision for that peer researcher.
    page.goto(f"/p/{slug}/support/")
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
    assert check_in.interview_id == interview.pk and check_in.person == peer and check_in.wants_to_talk
    assert check_in.alert_acknowledged_by == coordinator and check_in.alert_acknowledged_at is not None
    acknowledged = AuditEvent.objects.filter(action="check_in.alert_acknowledged")
    assert acknowledged.count() == 1 and acknowledged.get().actor == coordinator
    booked = SupportSession.objects.get()
    assert list(booked.attendees.all()) == [peer] and booked.kind == SupportSession.Kind.SUPERVISION_ONE
    alert = Notification.objects.get(template="coordinator-alert", about_type="wellbeing.checkin")
    assert alert.recipient == coordinator
    reminders = Notification.objects.filter(template="appointment-reminder", about_type="wellbeing.supportsession")
    assert [r.recipient for r in reminders] == [peer]
    for notification in [alert, *reminders]:
        assert_neutral(notification)
