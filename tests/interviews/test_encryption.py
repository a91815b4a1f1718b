"""Drafts and contact details are encrypted at rest, and keys can be rotated."""

import pytest
from django.db import connection

from coproduction.models import NotesDraft, Notification
from interviews import actions
from tests.interviews.factories import completed_interview, draft_for, make_interview

pytestmark = pytest.mark.django_db


@pytest.fixture
def keys(field_keys):
    return field_keys


def raw_sections(draft):
    with connection.cursor() as cursor:
        cursor.execute("select content from interviews_notesdraft where id = %s", [draft.pk])
        return cursor.fetchone()[0]


def test_rotation_reads_old_keys_and_writes_with_the_first(world, keys):
    keys("old-key")
    draft = draft_for(completed_interview(world), q1="Lamps out by the canal.")
    written_with_old = raw_sections(draft)
    keys("new-key", "old-key")
    draft = NotesDraft.objects.get(pk=draft.pk)
    assert "Lamps out by the canal." in draft.sections.values()
    draft.save()
    assert raw_sections(draft) != written_with_old
    keys("new-key")
    assert "Lamps out by the canal." in NotesDraft.objects.get(pk=draft.pk).sections.values()


def test_adding_contact_details_after_booking_schedules_participant_reminders(world):
    interview = make_interview(world.project, world.peer, booked_by=world.coordinator)
    actions.sync_interview_reminders(interview)
    participant = interview.participant
    assert not Notification.objects.filter(recipient_participant=participant).exists()
    participant.contact_email = "p@example.org"
    participant.wants_reminders = True
    participant.save()
    assert Notification.objects.pending().filter(recipient_participant=participant).count() == 2
    participant.erase_contact_details()
    assert not Notification.objects.pending().filter(recipient_participant=participant).exists()


def test_purge_command_reports_a_count(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("purge_released_drafts", stdout=out)
    assert out.getvalue().strip() == "0 released draft(s) deleted."


def test_rotate_field_keys_re_encrypts_drafts_deny_list_and_resolutions(world, keys):
    from django.core.management import call_command

    from coproduction.models import DenyListTerm, PiiResolution

    keys("old-key")
    draft = draft_for(completed_interview(world), q1="Lamps out by the canal.")
    DenyListTerm.objects.create(project=world.project, term="Mazza", added_by=world.coordinator)
    PiiResolution.objects.create(
        draft=draft, section="free", finding_type="POSSIBLE_NAME", action="dismissed", reason="A landmark", by=world.peer
    )
    keys("new-key", "old-key")
    call_command("rotate_field_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    keys("new-key")
    assert "Lamps out by the canal." in NotesDraft.objects.get(pk=draft.pk).sections.values()
    assert DenyListTerm.objects.get().term == "Mazza"
    assert PiiResolution.objects.get().reason == "A landmark"


def test_a_draft_no_key_opens_is_refused_never_shown_as_ciphertext(world, keys):
    from coproduction.encryption import CannotOpen

    keys("old-key")
    draft = draft_for(completed_interview(world), q1="Lamps out.")
    keys("another-key")
    with pytest.raises(CannotOpen):
        NotesDraft.objects.get(pk=draft.pk).sections  # noqa: B018
