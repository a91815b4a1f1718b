"""One set of gate tests, run against each owner of notes: an interview and an event.

The gate (coproduction.notes) must behave the same whoever owns the draft: saving with the
version check, the scan, redaction of whole names, dismissal with a reason, submit refused
while anything is unresolved, the kept findings for review, send back, release into the
owner's Document, and a detector that fails refusing rather than passing unchecked text.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest

from coproduction.models import DiscussionGuide, DiscussionQuestion, Document, Event, NotesDraft, Notification, PiiResolution
from coproduction.notes import actions as gate
from interviews.models import Interview
from tests.engagement.factories import held_event
from tests.interviews.factories import completed_interview, draft_for

pytestmark = pytest.mark.django_db


@dataclass
class Owned:
    kind: str
    subject: Interview | Event

    def draft(self, text: str = "", status: str = NotesDraft.Status.WRITING) -> NotesDraft:
        """A draft with `text` under the owner's first question."""
        if self.kind == "interview":
            return draft_for(self.subject, status, q1=text)
        from coproduction.engagement.notes import start_event_draft

        key = self.subject.notes_sections()[0][0]
        return start_event_draft(self.subject, author=self.writer, sections={key: text, "free": ""}, status=status)

    @property
    def writer(self):
        return self.subject.interviewer if self.kind == "interview" else self.subject.note_taker


def _event(world) -> Event:
    guide = DiscussionGuide.objects.create(project=world.project, version=1)
    DiscussionQuestion.objects.create(guide=guide, order=1, text="What would make the streets feel safer?")
    event = held_event(
        world, note_taker=world.peer, title="Walk with Maria Lopez", attendance={"Resident": 12, "Faith leader": 3}
    )
    event.discussion_guide = guide
    event.save(update_fields=["discussion_guide"])
    return event


@pytest.fixture(params=["interview", "event"])
def owned(request, world) -> Owned:
    if request.param == "interview":
        return Owned("interview", completed_interview(world))
    return Owned("event", _event(world))


def _first_key(draft: NotesDraft) -> str:
    return draft.section_list()[0][0]


def test_save_bumps_the_version_and_a_stale_save_is_a_conflict(world, owned):
    draft = owned.draft()
    key = _first_key(draft)
    draft = gate.save_notes(draft, sections={key: "Lamps out by the canal."}, version=draft.version, by=owned.writer)
    assert draft.version == 2 and draft.sections[key] == "Lamps out by the canal."
    with pytest.raises(gate.NotesConflict) as conflict:
        gate.save_notes(draft, sections={key: "Something else."}, version=1, by=owned.writer)
    assert conflict.value.draft.sections[key] == "Lamps out by the canal."
    assert NotesDraft.objects.get(pk=draft.pk).sections[key] == "Lamps out by the canal."


def test_scan_finds_a_name_and_redaction_replaces_the_whole_name(world, owned):
    draft = owned.draft("her friend Maria Lopez walks her home")
    (finding,) = gate.findings_for(draft)
    assert finding.finding.text == "Maria Lopez" and finding.section == _first_key(draft)
    gate.redact_finding(draft, finding_id=finding.id, version=draft.version, by=owned.writer)
    draft.refresh_from_db()
    text = draft.sections[_first_key(draft)]
    assert "Maria" not in text and "Lopez" not in text and "[NAME]" in text
    assert gate.findings_for(draft) == []
    assert PiiResolution.objects.filter(draft=draft, action=PiiResolution.Action.REDACTED).count() == 1


def test_a_placeholder_does_not_hide_the_surname_beside_it(world, owned):
    draft = owned.draft("her friend [NAME] Lopez walks her home")
    assert [f.finding.text for f in gate.findings_for(draft)] == ["Lopez"]
    with pytest.raises(gate.NotesRefused, match="not resolved"):
        gate.submit_notes(draft, by=owned.writer)


def test_dismiss_needs_a_reason_and_submit_is_refused_while_anything_is_unresolved(world, owned):
    draft = owned.draft("we walked past Grace's stall, then mail jo@example.org")
    with pytest.raises(gate.NotesRefused, match="2 possible pieces"):
        gate.submit_notes(draft, by=owned.writer)
    name = next(f for f in gate.findings_for(draft) if f.finding.type != "EMAIL")
    with pytest.raises(gate.NotesRefused, match="Give a reason"):
        gate.dismiss_finding(draft, finding_id=name.id, reason="  ", by=owned.writer)
    gate.dismiss_finding(draft, finding_id=name.id, reason="A market stall's sign, not a person", by=owned.writer)
    with pytest.raises(gate.NotesRefused, match="1 possible piece"):
        gate.submit_notes(draft, by=owned.writer)
    (email,) = gate.findings_for(draft)
    gate.redact_finding(draft, finding_id=email.id, version=draft.version, by=owned.writer)
    assert gate.submit_notes(draft, by=owned.writer).status == NotesDraft.Status.SUBMITTED
    # What the reviewer reads beside the notes: the kept finding, with its reason.
    ((kept, resolution),) = gate.dismissed_findings(NotesDraft.objects.get(pk=draft.pk))
    assert kept.finding.text == "Grace" and resolution.reason == "A market stall's sign, not a person"
    assert list(PiiResolution.objects.filter(draft=draft).values_list("action", flat=True)) == ["dismissed", "redacted"]


def test_empty_notes_cannot_be_submitted(world, owned):
    with pytest.raises(gate.NotesRefused, match="Write the notes"):
        gate.submit_notes(owned.draft(""), by=owned.writer)


def test_send_back_needs_a_comment_and_reopens_the_notes(world, owned):
    draft = owned.draft("Lamps out by the canal.", NotesDraft.Status.SUBMITTED)
    with pytest.raises(gate.NotesRefused, match="Say what needs changing"):
        gate.send_back(draft, comment=" ", by=world.coordinator)
    draft = gate.send_back(draft, comment="More on support, please.", by=world.coordinator)
    assert draft.status == NotesDraft.Status.SENT_BACK and draft.is_editable
    assert NotesDraft.objects.get(pk=draft.pk).review_comment == "More on support, please."
    # Sent back: the notes are due again, counted from the send-back.
    due = Notification.objects.about(owned.subject).filter(template="notes-overdue", status=Notification.Status.PENDING)
    assert [n.due_at for n in due] == [draft.sent_back_at + timedelta(hours=48)]


def test_release_creates_the_owners_document_and_links_it(world, owned, settings):
    settings.DRAFT_RETENTION_DAYS = 0
    draft = owned.draft("Lamps out by the canal.", NotesDraft.Status.SUBMITTED)
    document = gate.release_notes(draft, by=world.coordinator)
    owned.subject.refresh_from_db()
    assert owned.subject.document == document and owned.subject.notes_released_at is not None
    assert not NotesDraft.objects.filter(pk=draft.pk).exists() and owned.subject.notes is None
    assert "Lamps out by the canal." in document.text and document.month.day == 1
    if owned.kind == "interview":
        participant = owned.subject.participant
        assert (document.source, document.participant, document.cohort) == (
            Document.Source.INTERVIEW,
            participant,
            participant.cohort,
        )
        assert document.title.startswith(participant.code)
    else:
        assert (document.source, document.participant, document.cohort) == (Document.Source.EVENT, None, "Faith leader, Resident")
        assert document.title == f"Community conversation, {document.month:%B %Y}"
        assert "Maria" not in document.title and "Lopez" not in document.text
    assert (
        not Notification.objects.about(owned.subject)
        .filter(template__startswith="notes-overdue", status=Notification.Status.PENDING)
        .exists()
    )
    with pytest.raises(gate.NotesRefused):
        gate.release_notes(draft, by=world.coordinator)


def test_release_refused_while_anything_is_unresolved(world, owned):
    draft = owned.draft("call Dave Smith tonight", NotesDraft.Status.SUBMITTED)
    with pytest.raises(gate.NotesRefused, match="not resolved"):
        gate.release_notes(draft, by=world.coordinator)
    assert not Document.objects.exists()


def test_a_failing_detector_refuses_and_logs_no_text(world, owned, monkeypatch, caplog):
    from coproduction import pii

    def broken(text):
        raise RuntimeError(f"library fault on {text}")

    monkeypatch.setitem(pii.DETECTORS, "number", broken)
    draft = owned.draft("ring 07700 900123 tonight")
    with pytest.raises(gate.ScanUnavailable):
        gate.submit_notes(draft, by=owned.writer)
    assert NotesDraft.objects.get(pk=draft.pk).status == NotesDraft.Status.WRITING
    assert "detector=number" in caplog.text and "07700" not in caplog.text
