import pytest
from django.urls import reverse

from coproduction.models import Venue
from interviews.models import TopicGuide
from tests.interviews.factories import make_interview

pytestmark = pytest.mark.django_db


def url(name, world, **kwargs):
    return reverse(f"interviews:{name}", kwargs={"slug": world.project.slug, **kwargs})


def test_coordinator_adds_and_closes_venues(world, client_for):
    client = client_for(world.coordinator)
    client.post(url("venues", world), {"name": "Online", "is_remote": "on"})
    duplicate = client.post(url("venues", world), {"name": "online"})
    assert b"already a venue" in duplicate.content
    venue = Venue.objects.get()
    assert venue.is_remote
    client.post(url("venue_toggle", world, pk=venue.pk))
    venue.refresh_from_db()
    assert not venue.active


def test_topic_guide_versions_keep_booked_interviews_on_theirs(world, client_for):
    interview = make_interview(world.project, world.peer, booked_by=world.coordinator)
    client = client_for(world.coordinator)
    empty = client.post(url("topic_guide", world), {"questions": "  \n "})
    assert b"at least one question" in empty.content
    client.post(url("topic_guide", world), {"questions": "Where is it dark?\n\nWhat would help?"})
    latest = TopicGuide.objects.filter(project=world.project).order_by("-version").first()
    assert latest.version == 2 and [q.text for q in latest.questions.all()] == ["Where is it dark?", "What would help?"]
    interview.refresh_from_db()
    assert interview.topic_guide.version == 1


def test_seed_demo_has_interviews_in_every_state(db, settings):
    settings.DEBUG = True
    from django.core.management import call_command

    from coproduction.models import Document, NotesDraft
    from interviews.models import Interview

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    statuses = set(Interview.objects.values_list("status", flat=True))
    assert statuses == {"scheduled", "completed", "cancelled", "no_show"}
    assert set(NotesDraft.objects.values_list("status", flat=True)) == {"writing", "submitted", "sent_back"}
    assert Document.objects.filter(interview__isnull=False).count() == 1
    assert Interview.objects.filter(notes_released_at__isnull=False).count() == 1
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Interview.objects.count() == 8
