"""Retention, proven: every column holding personal or sensitive data has a rule, and each
sweeper deletes exactly what its rule says (time frozen), and nothing else.

A new encrypted field fails `test_every_encrypted_field_has_a_retention_rule` until it is
given a rule here; README's configuration table must name every retention setting.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session

from coproduction.analysis.tasks import delete_old_exports, export_dir
from coproduction.models import Document, ExportJob, NotesDraft, Notification, Participant, PiiResolution
from coproduction.notes import actions as gate
from coproduction.participation.actions import withdraw_participant
from coproduction.tasks import clear_expired_sessions
from interviews import actions as interview_actions
from interviews.models import Interview, SafeguardingFlag
from tests.encrypted_records import every_encrypted_value, registry_fields
from tests.interviews.factories import completed_interview, draft_for, make_interview, released_document
from tests.wellbeing.factories import session
from wellbeing.models import SessionRequest
from wellbeing.tasks import purge_spent_session_requests

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)

WITHDRAWAL = "erased at once when the participant withdraws (participation.actions.withdraw_participant)"
NOTES_CONSENT = "erased at once when a new consent no longer lets notes be kept (participation.actions.record_consent)"
DRAFT_RETENTION = "deleted DRAFT_RETENTION_DAYS after release; 0 deletes at release (notes.purge_released_drafts)"
CONTACT_SWEEPER = "erased once spent: no interview to come, no message waiting (interviews.erase_spent_contact_details)"
EXPORT_RETENTION = "file and row deleted EXPORT_RETENTION_DAYS after the export (analysis.delete_old_exports)"
SESSION_REQUESTS = "deleted SESSION_REQUEST_RETENTION_DAYS after booked or declined (wellbeing.purge_spent_session_requests)"
SIGN_IN_SESSIONS = "expire after SESSION_IDLE_MINUTES idle; deleted once expired (coproduction.tasks.clear_expired_sessions)"
OWNER_DELETES = "kept for its owner, who can delete or clear it; deleted with the account"
WITH_ACCOUNT = "kept while the account and its session or check-in exist; deleted with them (no timed rule)"
PROJECT_LIST = "kept while the project's deny-list needs it; a coordinator removes it"
INDIVIDUAL_REQUESTS = "erased 30 days after a coordinator closes it (engagement.erase_closed_session_requests)"
ONE_OFF_EMAIL = "erased once the one-off email is sent, failed or cancelled (notifications.delivery)"
FOLLOW_UP_END = (
    "erased on the project's follow-up end date, once no notice to them is still to be sent "
    "(publication.erase_follow_up_contacts)"
)
FOLLOW_UP_CONSENT = "erased at once when a new consent no longer allows follow-up (participation.actions.record_consent)"
IMPORT_RELEASE = "cleared when the imported text is released (analysis.refiqda_import.attach_pending)"
ASKED_TO_STOP = "erased at once when the person asks the team to stop (participation: Stop updates)"
VOUCHER_STOCK = (
    "not personal data (a bearer voucher code, spendable by whoever holds it): kept with its batch "
    "for the finance record (no timed rule)"
)

# Every table and column that holds personal or sensitive data, and what removes it.
RULES: dict[str, tuple[str, ...]] = {
    # encrypted
    "coproduction.User.phone_number": (OWNER_DELETES,),
    "coproduction.Participant.contact_email": (CONTACT_SWEEPER, WITHDRAWAL),
    "coproduction.Participant.contact_phone": (CONTACT_SWEEPER, WITHDRAWAL),
    "coproduction.DenyListTerm.term": (PROJECT_LIST,),
    "interviews.SafeguardingFlag.detail": (WITHDRAWAL,),
    "coproduction.NotesDraft.content": (DRAFT_RETENTION, WITHDRAWAL, NOTES_CONSENT),
    "coproduction.NotesDraft.review_comment": (DRAFT_RETENTION, WITHDRAWAL, NOTES_CONSENT),
    "coproduction.PiiResolution.reason": (DRAFT_RETENTION, WITHDRAWAL, NOTES_CONSENT),  # goes with its draft
    "wellbeing.SupervisionNote.text": (WITH_ACCOUNT,),
    "wellbeing.CheckIn.private_note": (WITH_ACCOUNT,),
    "wellbeing.Reflection.text": (OWNER_DELETES,),
    "coproduction.Notification.sealed_message": (ONE_OFF_EMAIL,),
    "coproduction.IndividualSessionRequest.name": (INDIVIDUAL_REQUESTS,),
    "coproduction.IndividualSessionRequest.contact": (INDIVIDUAL_REQUESTS,),
    "coproduction.IndividualSessionRequest.preferred_time": (INDIVIDUAL_REQUESTS,),
    "coproduction.FollowUpContact.email": (FOLLOW_UP_END, WITHDRAWAL, FOLLOW_UP_CONSENT, ASKED_TO_STOP),
    "coproduction.FollowUpContact.phone": (FOLLOW_UP_END, WITHDRAWAL, FOLLOW_UP_CONSENT, ASKED_TO_STOP),
    "coproduction.ImportedSource.name": (IMPORT_RELEASE,),
    "coproduction.ImportedSource.pending": (IMPORT_RELEASE,),
    "coproduction.Voucher.code": (VOUCHER_STOCK,),
    # plain, but the participant's words or wellbeing data
    "coproduction.Document.text": (WITHDRAWAL, NOTES_CONSENT),  # excerpts, codings and quotes cascade
    "coproduction.ExportJob.file_name": (EXPORT_RETENTION, WITHDRAWAL),  # and the file in PRIVATE_MEDIA_ROOT
    "wellbeing.SessionRequest.kind": (SESSION_REQUESTS,),
    "wellbeing.SessionRequest.preferred_times": (SESSION_REQUESTS,),
    "sessions.Session.session_data": (SIGN_IN_SESSIONS,),  # flash messages name participant codes
}
RETENTION_SETTINGS = [
    "DRAFT_RETENTION_DAYS",
    "EXPORT_RETENTION_DAYS",
    "SESSION_REQUEST_RETENTION_DAYS",
    "SESSION_IDLE_MINUTES",
]


def test_every_encrypted_field_has_a_retention_rule():
    assert registry_fields() - set(RULES) == set()


def test_every_listed_column_exists():
    from django.apps import apps

    for name in RULES:
        app_label, model_name, field = name.split(".")
        apps.get_model(app_label, model_name)._meta.get_field(field)


def test_readme_configuration_table_names_each_retention_setting():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for setting in RETENTION_SETTINGS:
        assert f"| `{setting}` |" in readme, setting


def stored_tokens(values) -> dict[str, str | None]:
    return {value.label: value.stored() for value in values}


def test_withdrawal_erases_exactly_the_participants_words(world):
    values = every_encrypted_value(world)
    draft = NotesDraft.objects.get(pk=next(v.pk for v in values if v.label == "coproduction.NotesDraft.content"))
    leaving = draft.interview.participant
    leaving.contact_email, leaving.wants_reminders = "leaving@example.org", True
    leaving.save(update_fields=["contact_email", "wants_reminders"])
    theirs = released_document(world)
    theirs.participant = leaving
    Document.objects.filter(pk=theirs.pk).update(participant=leaving)
    staying = released_document(world)
    before = stored_tokens(values)

    withdraw_participant(leaving, by=world.coordinator)

    erased = {"coproduction.NotesDraft.content", "coproduction.NotesDraft.review_comment", "coproduction.PiiResolution.reason"}
    assert not NotesDraft.objects.filter(pk=draft.pk).exists()
    assert not PiiResolution.objects.filter(draft_id=draft.pk).exists()
    assert SafeguardingFlag.objects.get(interview=draft.interview).detail is None  # the record stays, its words go
    leaving.refresh_from_db()
    assert (leaving.contact_email, leaving.contact_phone) == (None, None)
    assert not Document.objects.filter(pk=theirs.pk).exists()
    assert Document.objects.filter(pk=staying.pk).exists()
    after = {
        value.label: value.stored() for value in values if value.label not in erased | {"interviews.SafeguardingFlag.detail"}
    }
    assert after == {label: token for label, token in before.items() if label in after}


def test_draft_retention_deletes_released_drafts_after_the_setting_and_nothing_else(world, settings):
    settings.DRAFT_RETENTION_DAYS = 7
    with time_machine.travel(NOW - timedelta(days=7), tick=False):
        expiring = draft_for(completed_interview(world), NotesDraft.Status.SUBMITTED, q1="Lamps out.")
        PiiResolution.objects.create(
            draft=expiring, section="free", finding_type="NAME", action="dismissed", reason="r", by=world.peer
        )
        gate.release_notes(expiring, by=world.coordinator)
    with time_machine.travel(NOW - timedelta(days=6), tick=False):
        recent = draft_for(completed_interview(world), NotesDraft.Status.SUBMITTED, q1="Benches.")
        gate.release_notes(recent, by=world.coordinator)
    writing = draft_for(completed_interview(world), q1="Still writing.")
    with time_machine.travel(NOW - timedelta(seconds=1), tick=False):
        assert gate.purge_released_drafts() == 0
    with time_machine.travel(NOW, tick=False):
        assert gate.purge_released_drafts() == 1
        assert gate.purge_released_drafts() == 0
    assert set(NotesDraft.objects.values_list("pk", flat=True)) == {recent.pk, writing.pk}
    assert not PiiResolution.objects.filter(draft_id=expiring.pk).exists()
    assert Document.objects.count() == 2  # the released Documents are the corpus, not the drafts


def with_details(participant: Participant) -> Participant:
    participant.contact_email, participant.wants_reminders = f"{participant.code}@example.org", True
    participant.save(update_fields=["contact_email", "wants_reminders"])
    return participant


def test_contact_details_sweeper_erases_exactly_the_spent_details(world):
    from tests.participation.factories import consenting_participant

    with time_machine.travel(NOW - timedelta(days=31), tick=False):
        unused_old = with_details(consenting_participant(world.project, world.coordinator))
    with time_machine.travel(NOW - timedelta(days=29), tick=False):
        unused_recent = with_details(consenting_participant(world.project, world.coordinator))
    with time_machine.travel(NOW, tick=False):
        to_come = make_interview(world.project, world.peer, booked_by=world.coordinator, starts_in=timedelta(days=2))
        held = completed_interview(world)
        unmarked_recent = make_interview(world.project, world.peer, booked_by=world.coordinator, starts_in=-timedelta(hours=23))
        unmarked_old = make_interview(world.project, world.peer, booked_by=world.coordinator, starts_in=-timedelta(hours=25))
        waiting = completed_interview(world)
        for interview in (to_come, held, unmarked_recent, unmarked_old, waiting):
            with_details(interview.participant)
        Notification.objects.create(
            project=world.project,
            recipient_participant=waiting.participant,
            channel=Notification.Channel.EMAIL,
            template="appointment-cancelled",
            due_at=NOW,
            idempotency_key="retention-waiting",
        )
        assert interview_actions.erase_spent_contact_details() == 3
        assert interview_actions.erase_spent_contact_details() == 0
    still_held = set(Participant.objects.filter(contact_email__isnull=False).values_list("pk", flat=True))
    assert still_held == {
        unused_recent.pk,
        to_come.participant_id,
        unmarked_recent.participant_id,
        waiting.participant_id,
    }
    for gone in (unused_old, held.participant, unmarked_old.participant):
        gone.refresh_from_db()
        assert (gone.contact_email, gone.contact_phone, gone.wants_reminders) == (None, None, False)


def test_export_retention_deletes_exactly_the_old_files_and_rows(world, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.EXPORT_RETENTION_DAYS = 7

    def export(at: datetime) -> ExportJob:
        with time_machine.travel(at, tick=False):
            job = ExportJob.objects.create(project=world.project, requested_by=world.analyst, format="csv", status="done")
        job.file_name = f"{job.pk}-{world.project.slug}.csv"
        job.save(update_fields=["file_name"])
        (export_dir() / job.file_name).write_text("theme,count\n")
        return job

    old = export(NOW - timedelta(days=7, seconds=1))
    kept = export(NOW - timedelta(days=6))
    orphan = export_dir() / "999999-riverside.csv"
    orphan.write_text("left behind")
    with time_machine.travel(NOW, tick=False):
        assert delete_old_exports() == 2  # the old export and the orphaned file
        assert delete_old_exports() == 0
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [kept.pk]
    assert sorted(p.name for p in export_dir().iterdir()) == [kept.file_name]
    assert not ExportJob.objects.filter(pk=old.pk).exists()


def test_session_requests_go_once_spent_and_past_retention(world, settings):
    settings.SESSION_REQUEST_RETENTION_DAYS = 30

    def request(days_ago: float, *, declined_days_ago: float | None = None, booked: bool = False) -> SessionRequest:
        with time_machine.travel(NOW - timedelta(days=days_ago), tick=False):
            item = SessionRequest.objects.create(
                project=world.project, requested_by=world.peer, kind="debrief", preferred_times="Not Tuesdays"
            )
        if declined_days_ago is not None:
            item.declined_at = NOW - timedelta(days=declined_days_ago)
        if booked:
            item.session = session(world.project, [world.peer], booked_by=world.coordinator, starts_at=NOW + timedelta(days=1))
        item.save()
        return item

    declined_old = request(40, declined_days_ago=30)
    declined_recent = request(40, declined_days_ago=29)
    booked_old = request(30, booked=True)
    booked_recent = request(29, booked=True)
    open_old = request(365)
    with time_machine.travel(NOW, tick=False):
        assert purge_spent_session_requests() == 2
        assert purge_spent_session_requests() == 0
    assert set(SessionRequest.objects.values_list("pk", flat=True)) == {declined_recent.pk, booked_recent.pk, open_old.pk}
    assert not SessionRequest.objects.filter(pk__in=[declined_old.pk, booked_old.pk]).exists()
    assert booked_old.session.__class__.objects.filter(pk=booked_old.session_id).exists()  # the booking itself stays


def test_individual_session_requests_are_erased_30_days_after_closing_and_nothing_else(world):
    from coproduction.engagement.actions import close_session_request, erase_closed_session_requests
    from coproduction.models import IndividualSessionRequest

    values = every_encrypted_value(world)
    with time_machine.travel(NOW - timedelta(days=30), tick=False):
        closed_long_ago = IndividualSessionRequest.objects.create(project=world.project, name="A", contact="a@example.org")
        close_session_request(closed_long_ago, by=world.coordinator)
    with time_machine.travel(NOW - timedelta(days=29), tick=False):
        closed_lately = IndividualSessionRequest.objects.create(project=world.project, name="B", contact="b@example.org")
        close_session_request(closed_lately, by=world.coordinator)
    before = stored_tokens(values)
    with time_machine.travel(NOW, tick=False):
        assert erase_closed_session_requests() == 1
        assert erase_closed_session_requests() == 0
    closed_long_ago.refresh_from_db()
    closed_lately.refresh_from_db()
    assert (closed_long_ago.name, closed_long_ago.contact, closed_long_ago.preferred_time) == (None, None, None)
    assert closed_lately.contact == "b@example.org"
    assert stored_tokens(values) == before, "open requests and every other record are left alone"


def test_expired_sign_in_sessions_are_deleted_and_live_ones_kept(db, settings):
    def sign_in_session(expires: datetime) -> str:
        store = SessionStore()
        store["_messages"] = "Interview with SW-003 booked."
        store.create()
        Session.objects.filter(session_key=store.session_key).update(expire_date=expires)
        return store.session_key

    expired = sign_in_session(NOW - timedelta(seconds=1))
    live = sign_in_session(NOW + timedelta(minutes=settings.SESSION_IDLE_MINUTES))
    with time_machine.travel(NOW, tick=False):
        assert clear_expired_sessions() == 1
        assert clear_expired_sessions() == 0
    assert list(Session.objects.values_list("session_key", flat=True)) == [live]
    assert expired != live


def test_a_completed_interview_keeps_its_record_after_every_sweeper(world):
    """Sweepers delete words and details, never the fact of an interview (counts, audit)."""
    interview = completed_interview(world)
    with_details(interview.participant)
    with time_machine.travel(NOW + timedelta(days=400), tick=False):
        interview_actions.erase_spent_contact_details()
        gate.purge_released_drafts()
        purge_spent_session_requests()
        clear_expired_sessions()
    assert Interview.objects.filter(pk=interview.pk).exists()
