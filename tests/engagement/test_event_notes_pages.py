"""The event notes pages: the same gate as interviews, written by the event's note-taker (or a
facilitator) and reviewed by a coordinator."""

import pytest
from django.urls import reverse

from coproduction.models import DenyListTerm, Document, NotesDraft, PiiResolution
from coproduction.notes import actions as gate
from tests.engagement.factories import held_event, make_event

pytestmark = pytest.mark.django_db


def url(name, world, **kwargs):
    return reverse(f"engagement:{name}", kwargs={"slug": world.project.slug, **kwargs})


@pytest.fixture
def event(world):
    return held_event(world)


def _write(client, world, event, text):
    client.get(url("notes", world, pk=event.pk))
    draft = NotesDraft.objects.get(event=event)
    return client.post(url("notes", world, pk=event.pk), {"version": draft.version, "free": text})


def test_write_redact_submit_and_release_into_an_event_document(world, client_for, event):
    writer = client_for(world.peer)
    assert b"Write the notes" in writer.get(url("detail", world, pk=event.pk)).content
    page = writer.get(url("notes", world, pk=event.pk))
    assert page.status_code == 200 and b"data-autosave" in page.content
    _write(writer, world, event, "She came with her friend Maria Lopez. The path lighting is poor.")
    draft = NotesDraft.objects.get(event=event)
    assert gate.findings_for(draft)
    while findings := gate.findings_for(draft):
        writer.post(url("redact", world, pk=event.pk), {"finding": findings[0].id, "version": draft.version})
        draft.refresh_from_db()
    assert "Maria Lopez" not in draft.sections["free"]
    done = writer.post(
        url("notes", world, pk=event.pk), {"version": draft.version, "free": draft.sections["free"], "then": "submit"}
    )
    assert done.status_code == 302 and done["Location"] == url("detail", world, pk=event.pk)
    draft.refresh_from_db()
    assert draft.status == NotesDraft.Status.SUBMITTED

    coordinator = client_for(world.coordinator)
    listing = coordinator.get(url("list", world)).content.decode()
    assert "1 event note waiting for review" in listing
    waiting = coordinator.get(reverse("notes:review_list", kwargs={"slug": world.project.slug})).content.decode()
    assert url("review", world, pk=event.pk) in waiting
    review = coordinator.get(url("review", world, pk=event.pk))
    assert review.status_code == 200 and b"Resolution log" in review.content
    released = coordinator.post(url("review", world, pk=event.pk), {"decision": "release", "comment": ""})
    assert released.status_code == 302
    event.refresh_from_db()
    document = Document.objects.get(pk=event.document_id)
    assert document.source == Document.Source.EVENT and document.participant_id is None
    assert "Maria" not in document.title


def test_kept_findings_are_marked_with_reasons_and_send_back_needs_a_comment(world, client_for, event):
    DenyListTerm.objects.create(project=world.project, term="Mazza", kind="nickname", added_by=world.coordinator)
    writer = client_for(world.peer)
    _write(writer, world, event, "We met at the Mazza corner.")
    draft = NotesDraft.objects.get(event=event)
    findings = gate.findings_for(draft)
    assert findings
    for finding in findings:
        empty = writer.post(url("dismiss", world, pk=event.pk), {"finding": finding.id, "reason": ""}, follow=True)
        assert b"Give a reason" in empty.content
        writer.post(url("dismiss", world, pk=event.pk), {"finding": finding.id, "reason": "A landmark everyone knows"})
    assert not PiiResolution.objects.filter(reason="").exists()
    writer.post(url("submit", world, pk=event.pk))
    coordinator = client_for(world.coordinator)
    page = coordinator.get(url("review", world, pk=event.pk)).content.decode()
    assert "cg-kept" in page and "A landmark everyone knows" in page
    refused = coordinator.post(url("review", world, pk=event.pk), {"decision": "send_back", "comment": ""})
    assert refused.status_code == 200
    assert NotesDraft.objects.get(pk=draft.pk).status == NotesDraft.Status.SUBMITTED
    coordinator.post(url("review", world, pk=event.pk), {"decision": "send_back", "comment": "Say which path."})
    assert NotesDraft.objects.get(pk=draft.pk).status == NotesDraft.Status.SENT_BACK
    assert b"Say which path." in client_for(world.peer).get(url("notes", world, pk=event.pk)).content


def test_a_stale_version_saves_nothing(world, client_for, event):
    writer = client_for(world.peer)
    _write(writer, world, event, "First text.")
    draft = NotesDraft.objects.get(event=event)
    stale = writer.post(url("notes", world, pk=event.pk), {"version": 1, "free": "Overwriting text."})
    assert stale.status_code == 409 and b"The saved version" in stale.content
    draft.refresh_from_db()
    assert draft.sections["free"] == "First text."
    as_json = writer.post(
        url("notes", world, pk=event.pk), {"version": 1, "free": "Again."}, headers={"X-Requested-With": "fetch"}
    )
    assert as_json.status_code == 409 and as_json.json()["conflict"] is True
    redact = writer.post(url("redact", world, pk=event.pk), {"finding": "x", "version": "not a number"}, follow=True)
    assert b"out of date" in redact.content


def test_outsiders_are_refused(world, client_for, event):
    _write(client_for(world.peer), world, event, "Some notes.")
    # Another peer who does not facilitate this event does not see it.
    assert client_for(world.second_peer).get(url("notes", world, pk=event.pk)).status_code == 404
    # A facilitator whose co-facilitator already writes the draft does not get it.
    shared = make_event(world.project, by=world.coordinator, facilitators=[world.peer, world.second_peer])
    shared.status = shared.Status.HELD
    shared.save(update_fields=["status"])
    _write(client_for(world.peer), world, shared, "Theirs.")
    assert client_for(world.second_peer).get(url("notes", world, pk=shared.pk)).status_code == 404
    for role in ("analyst", "supervisor"):
        member = world.members[role]
        assert client_for(member).get(url("notes", world, pk=event.pk)).status_code == 403
        assert client_for(member).get(url("review", world, pk=event.pk)).status_code == 403
    assert client_for(world.peer).get(url("review", world, pk=event.pk)).status_code == 403
    assert client_for(world.outsiders["coordinator"]).get(url("review", world, pk=event.pk)).status_code == 404
    # Not submitted yet: nothing to review.
    assert client_for(world.coordinator).get(url("review", world, pk=event.pk)).status_code == 404
