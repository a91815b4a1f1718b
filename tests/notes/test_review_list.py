"""One review list for the notes of every owner: interviews and events wait side by side,
oldest first, for the coordinator; the dashboard and the digest count both."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coproduction.engagement.notes import start_event_draft
from coproduction.models import NotesDraft
from coproduction.notifications.digest import digest_lines
from tests.engagement.factories import held_event
from tests.interviews.factories import completed_interview, draft_for

pytestmark = pytest.mark.django_db
REVIEW_LINK = re.compile(r'/\d+/review/"')


def review_list(world) -> str:
    return reverse("notes:review_list", kwargs={"slug": world.project.slug})


def submitted_event_notes(world, text="The path lighting is poor.") -> NotesDraft:
    event = held_event(world)
    key = event.notes_sections()[0][0]
    return start_event_draft(event, author=world.peer, sections={key: text}, status=NotesDraft.Status.SUBMITTED)


def test_interview_and_event_notes_wait_in_one_list_oldest_first(world, client_for):
    interview = completed_interview(world)
    older = draft_for(interview, NotesDraft.Status.SUBMITTED, q1="Lamps out.")
    newer = submitted_event_notes(world)
    NotesDraft.objects.filter(pk=older.pk).update(submitted_at=timezone.now() - timedelta(days=2))
    NotesDraft.objects.filter(pk=newer.pk).update(submitted_at=timezone.now() - timedelta(days=1))
    draft_for(completed_interview(world), NotesDraft.Status.WRITING, q1="Still writing.")

    page = client_for(world.coordinator).get(review_list(world)).content.decode()
    interview_link = reverse("interviews:review", kwargs={"slug": world.project.slug, "pk": interview.pk})
    event_link = reverse("engagement:review", kwargs={"slug": world.project.slug, "pk": newer.event.pk})
    assert interview_link in page and event_link in page
    assert page.index(interview_link) < page.index(event_link)
    assert interview.participant.code in page and newer.event.title in page
    assert len(REVIEW_LINK.findall(page)) == 2  # the draft still being written is not listed

    only_events = client_for(world.coordinator).get(review_list(world) + "?kind=event").content.decode()
    assert event_link in only_events and interview_link not in only_events
    # An unknown kind shows everything rather than failing.
    assert interview_link in client_for(world.coordinator).get(review_list(world) + "?kind=nope").content.decode()


def test_the_old_interview_review_address_leads_to_the_shared_list(world, client_for):
    old = reverse("interviews:review_list", kwargs={"slug": world.project.slug})
    response = client_for(world.coordinator).get(old)
    assert response.status_code == 302 and response["Location"] == review_list(world) + "?kind=interview"


def test_only_the_projects_coordinator_sees_the_list(world, client_for):
    submitted_event_notes(world)
    for person in (world.peer, world.analyst, world.supervisor):
        assert client_for(person).get(review_list(world)).status_code == 403
    assert client_for(world.outsiders["coordinator"]).get(review_list(world)).status_code == 404
    assert Client().get(review_list(world)).status_code == 302  # anonymous: to sign-in
    # The outsider's own list does not show this project's notes.
    elsewhere = reverse("notes:review_list", kwargs={"slug": world.other_project.slug})
    assert "The path" not in client_for(world.outsiders["coordinator"]).get(elsewhere).content.decode()


def test_dashboard_and_digest_count_every_owners_notes(world, client_for):
    draft_for(completed_interview(world), NotesDraft.Status.SUBMITTED, q1="Lamps out.")
    submitted_event_notes(world)
    submitted_event_notes(world)
    assert ("Items waiting for your review", 3) in [(line.label, line.count) for line in digest_lines(world.project)]
    dashboard = client_for(world.coordinator).get(reverse("coproduction:dashboard", kwargs={"slug": world.project.slug}))
    text = dashboard.content.decode()
    assert "3 waiting for your review" in text and "event notes: 2" in text and "interview notes: 1" in text
    assert (
        "waiting for your review"
        not in client_for(world.peer).get(reverse("coproduction:dashboard", kwargs={"slug": world.project.slug})).content.decode()
    )


def test_the_list_uses_constant_queries_as_both_kinds_grow(world, client_for, django_assert_max_num_queries):
    def add(n):
        for _ in range(n):
            draft_for(completed_interview(world), NotesDraft.Status.SUBMITTED, q1="Lamps out.")
            submitted_event_notes(world)

    add(1)
    coordinator = client_for(world.coordinator)
    with django_assert_max_num_queries(30) as few:
        coordinator.get(review_list(world))
    add(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(REVIEW_LINK.findall(coordinator.get(review_list(world)).content.decode())) == 18
