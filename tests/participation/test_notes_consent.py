"""A new consent that no longer lets notes be kept erases the participant's notes at once:
drafts, released Documents (and with them excerpts and codings); the participant stays."""

import pytest
from django.urls import reverse

from coproduction.models import AuditEvent, Document, NotesDraft, Notification
from interviews import actions
from tests.interviews.factories import completed_interview, draft_for, released_document
from tests.participation.factories import information_sheet

pytestmark = pytest.mark.django_db


def consent_url(world, participant):
    return reverse("participation:consent", kwargs={"slug": world.project.slug, "pk": participant.pk})


def test_withdrawing_notes_consent_erases_drafts_and_documents(world, client_for):
    document = released_document(world)
    participant = document.participant
    interview = completed_interview(world)
    interview.participant = participant
    interview.save(update_fields=["participant"])
    draft_for(interview, q1="Words that may no longer be kept")
    actions.sync_interview_reminders(interview)
    assert Notification.objects.about(interview).pending().filter(template="notes-overdue").exists()
    sheet = information_sheet(world.project)

    response = client_for(world.coordinator).post(
        consent_url(world, participant), {"information_sheet": sheet.pk, "take_part": "on"}, follow=True
    )

    page = response.content.decode()
    assert "these were erased: 1 notes drafts, 1 released documents" in page
    assert not Document.objects.filter(participant=participant).exists()
    assert not NotesDraft.objects.filter(interview__participant=participant).exists()
    assert not Notification.objects.about(interview).pending().filter(template="notes-overdue").exists()
    participant.refresh_from_db()
    assert participant.withdrawn_at is None and not participant.current_consent.notes_kept
    assert AuditEvent.objects.filter(action="consent.notes_erased", object_id=str(participant.pk)).exists()


def test_a_consent_that_keeps_notes_erases_nothing(world, client_for):
    document = released_document(world)
    sheet = information_sheet(world.project)
    response = client_for(world.coordinator).post(
        consent_url(world, document.participant),
        {"information_sheet": sheet.pk, "take_part": "on", "notes_kept": "on"},
        follow=True,
    )
    assert "were erased" not in response.content.decode()
    assert Document.objects.filter(pk=document.pk).exists()
    assert not AuditEvent.objects.filter(action="consent.notes_erased").exists()


@pytest.mark.parametrize("who", ["peer", "analyst", "supervisor"])
def test_only_coordinators_record_consent(world, client_for, who):
    document = released_document(world)
    sheet = information_sheet(world.project)
    response = client_for(getattr(world, who)).post(
        consent_url(world, document.participant), {"information_sheet": sheet.pk, "take_part": "on"}
    )
    assert response.status_code == 403
    assert Document.objects.filter(pk=document.pk).exists()
