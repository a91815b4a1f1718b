"""What only an event, as an owner of notes, decides: who writes them, when, and the reminder."""

from datetime import timedelta

import pytest

from coproduction.engagement import actions
from coproduction.engagement.notes import open_event_draft
from coproduction.models import Event, NotesDraft, Notification
from coproduction.notes import actions as gate
from tests.engagement.factories import held_event, make_event

pytestmark = pytest.mark.django_db


def test_the_note_taker_opens_one_draft_and_others_are_refused(world):
    event = held_event(world, facilitators=[world.coordinator], note_taker=world.peer)
    with pytest.raises(gate.NotesRefused, match="note-taker"):
        open_event_draft(event, by=world.second_peer)
    draft = open_event_draft(event, by=world.peer)
    assert open_event_draft(event, by=world.peer) == draft
    event.refresh_from_db()
    assert (event.notes, draft.author, draft.owner_kind, draft.project) == (draft, world.peer, "event", world.project)
    assert [key for key, _, _ in draft.section_list()] == ["free"]  # no discussion guide: the free section only


def test_without_a_note_taker_a_facilitator_writes_them(world):
    event = held_event(world, facilitators=[world.peer])
    assert open_event_draft(event, by=world.peer).author == world.peer


def test_notes_only_for_a_held_event(world):
    planned = make_event(world.project, by=world.coordinator, facilitators=[world.peer])
    with pytest.raises(gate.NotesRefused, match="marked held"):
        open_event_draft(planned, by=world.peer)
    assert not NotesDraft.objects.exists()


def test_a_held_event_reminds_the_writer_48_hours_after_until_the_notes_are_submitted(world):
    event = make_event(world.project, by=world.coordinator, facilitators=[world.peer], starts_in=-timedelta(hours=2))
    actions.mark_held(event, by=world.coordinator)
    event.refresh_from_db()
    (due,) = Notification.objects.about(event).filter(status=Notification.Status.PENDING)
    assert (due.template, due.recipient, due.due_at) == (
        "notes-overdue",
        world.peer,
        event.status_changed_at + timedelta(hours=48),
    )
    draft = open_event_draft(event, by=world.peer)
    draft = gate.save_notes(draft, sections={"free": "Lamps out by the canal."}, version=draft.version, by=world.peer)
    gate.submit_notes(draft, by=world.peer)
    assert not Notification.objects.about(event).filter(status=Notification.Status.PENDING).exists()


def test_a_cancelled_event_cannot_release_its_notes(world):
    event = held_event(world, facilitators=[world.peer])
    draft = open_event_draft(event, by=world.peer)
    gate.save_notes(draft, sections={"free": "Lamps out."}, version=draft.version, by=world.peer)
    gate.submit_notes(draft, by=world.peer)
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    with pytest.raises(gate.NotesRefused, match="held"):
        gate.release_notes(draft, by=world.coordinator)


def test_analysts_read_and_code_a_released_event_document_like_an_interview_one(world, client_for):
    from django.urls import reverse

    from coproduction.analysis.actions import code_excerpt, create_theme

    event = held_event(world, facilitators=[world.peer], attendance={"Resident": 9})
    draft = open_event_draft(event, by=world.peer)
    gate.save_notes(draft, sections={"free": "Lamps out by the canal."}, version=draft.version, by=world.peer)
    gate.submit_notes(draft, by=world.peer)
    document = gate.release_notes(draft, by=world.coordinator)
    analyst = client_for(world.analyst)
    slug = world.project.slug
    listing = analyst.get(reverse("analysis:documents", kwargs={"slug": slug})).content.decode()
    assert document.title in listing
    page = analyst.get(reverse("analysis:document", kwargs={"slug": slug, "pk": document.pk}))
    assert page.status_code == 200 and "Lamps out by the canal." in page.content.decode()
    theme = create_theme(project=world.project, name="Street lighting", by=world.coordinator)
    start = document.text.index("Lamps")
    excerpt = code_excerpt(document=document, start=start, end=start + 9, themes=[theme], coder=world.analyst)
    assert excerpt.document.source == "event" and list(excerpt.codings.values_list("theme", flat=True)) == [theme.pk]
    # The other project's analyst and this project's supervisor are refused.
    document_url = reverse("analysis:document", kwargs={"slug": slug, "pk": document.pk})
    assert client_for(world.outsiders["analyst"]).get(document_url).status_code in {403, 404}
    assert client_for(world.supervisor).get(document_url).status_code in {403, 404}
