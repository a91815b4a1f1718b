import pytest
from django.urls import reverse

from coproduction.models import AuditEvent, Consent, DenyListTerm, Document, InformationSheet, Notification, Participant
from coproduction.participation.actions import withdraw_participant
from tests.participation.factories import consenting_participant, information_sheet

pytestmark = pytest.mark.django_db


def url(name, world, **kwargs):
    return reverse(f"participation:{name}", kwargs={"slug": world.project.slug, **kwargs})


def test_coordinator_adds_a_participant_with_a_generated_code_and_no_name_field(world, client_for):
    client = client_for(world.coordinator)
    from coproduction.participation.forms import ParticipantForm

    assert set(ParticipantForm(project=world.project).fields) == {"cohort"}  # no name, ever
    assert client.get(url("create", world)).status_code == 200
    response = client.post(url("create", world), {"cohort": "Sex worker"})
    participant = Participant.objects.get(project=world.project)
    assert participant.code == "SW-001"
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="participant.created", object_id=str(participant.pk)).exists()
    client.post(url("create", world), {"cohort": "Resident"})
    assert Participant.objects.filter(project=world.project, code="R-001").exists()


def test_unknown_cohort_is_refused_and_nothing_saved(world, client_for):
    response = client_for(world.coordinator).post(url("create", world), {"cohort": "Astronaut"})
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert not Participant.objects.exists()


def test_consent_is_recorded_against_a_sheet_version(world, client_for):
    sheet = information_sheet(world.project)
    participant = Participant.objects.create(project=world.project, code="SW-001", cohort="Sex worker")
    client = client_for(world.coordinator)
    response = client.post(
        url("consent", world, pk=participant.pk), {"information_sheet": sheet.pk, "take_part": "on", "notes_kept": "on"}
    )
    assert response.status_code == 302
    consent = participant.current_consent
    assert consent.information_sheet == sheet and consent.notes_kept and not consent.quotes_published
    assert consent.recorded_by == world.coordinator


def test_consent_without_taking_part_is_refused(world, client_for):
    sheet = information_sheet(world.project)
    participant = Participant.objects.create(project=world.project, code="SW-001", cohort="Sex worker")
    response = client_for(world.coordinator).post(url("consent", world, pk=participant.pk), {"information_sheet": sheet.pk})
    assert response.status_code == 200 and b"Consent to take part" in response.content
    assert not Consent.objects.exists()


def test_information_sheets_are_versioned(world, client_for):
    client = client_for(world.coordinator)
    client.post(url("sheets", world), {"text": "First"})
    client.post(url("sheets", world), {"text": "Second"})
    assert list(InformationSheet.objects.filter(project=world.project).values_list("version", "text")) == [
        (2, "Second"),
        (1, "First"),
    ]


def test_contact_details_are_encrypted_and_only_kept_with_reminders(world, client_for, settings):
    participant = consenting_participant(world.project, world.coordinator)
    client = client_for(world.coordinator)
    refused = client.post(url("contact", world, pk=participant.pk), {"contact_email": "p@example.org"})
    assert refused.status_code == 400
    settings.NOTIFY_API_KEY = ""
    no_sms = client.post(url("contact", world, pk=participant.pk), {"wants_reminders": "on", "contact_phone": "07700 900123"})
    assert no_sms.status_code == 400 and b"Text messages are not set up" in no_sms.content
    settings.NOTIFY_API_KEY = "test-key"
    settings.NOTIFY_SMS_TEMPLATE_ID = "sms-template"
    client.post(url("contact", world, pk=participant.pk), {"wants_reminders": "on", "contact_phone": "07700 900123"})
    participant.refresh_from_db()
    assert participant.contact_phone == "+447700900123" and participant.wants_reminders
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("select contact_phone from coproduction_participant where id = %s", [participant.pk])
        assert "7700" not in str(cursor.fetchone()[0])


def test_deny_list_add_duplicate_and_remove(world, client_for):
    client = client_for(world.coordinator)
    client.post(url("deny_list", world), {"term": "Mazza", "kind": "nickname"})
    duplicate = client.post(url("deny_list", world), {"term": "mazza", "kind": "name"})
    assert b"already on the deny-list" in duplicate.content
    entry = DenyListTerm.objects.get()
    assert entry.term == "Mazza"
    client.post(url("deny_list_remove", world, pk=entry.pk))
    assert not DenyListTerm.objects.exists()
    assert AuditEvent.objects.filter(action="deny_list.removed").exists()


def test_another_projects_participant_is_404(world, client_for):
    theirs = consenting_participant(world.other_project, world.outsiders["coordinator"])
    client = client_for(world.coordinator)
    assert client.get(url("detail", world, pk=theirs.pk)).status_code == 404
    assert client.post(url("withdraw", world, pk=theirs.pk)).status_code == 404
    assert Participant.objects.get(pk=theirs.pk).withdrawn_at is None


def test_withdrawal_erases_documents_contact_details_and_reminders(world, client_for):
    participant = consenting_participant(world.project, world.coordinator, contact_email="p@example.org", wants_reminders=True)
    other = consenting_participant(world.project, world.coordinator)
    for who in (participant, other):
        Document.objects.create(
            project=world.project,
            participant=who,
            title="t",
            cohort="Sex worker",
            month="2026-01-01",
            text="x",
            released_by=world.coordinator,
        )
    Notification.objects.create(
        project=world.project,
        recipient_participant=participant,
        template="appointment-reminder",
        due_at="2030-01-01T00:00Z",
        idempotency_key="k1",
    )
    response = client_for(world.coordinator).post(url("withdraw", world, pk=participant.pk))
    assert response.status_code == 200
    assert b"Released documents" in response.content
    participant.refresh_from_db()
    assert participant.withdrawn_at and participant.contact_email is None and not participant.wants_reminders
    assert participant.current_consent is None
    assert list(Document.objects.values_list("participant", flat=True)) == [other.pk]
    assert Notification.objects.get(idempotency_key="k1").status == Notification.Status.CANCELLED
    event = AuditEvent.objects.get(action="participant.withdrawn")
    assert event.object_id == str(participant.pk)


def test_withdrawing_twice_is_refused(world):
    participant = consenting_participant(world.project, world.coordinator)
    withdraw_participant(participant, by=world.coordinator)
    with pytest.raises(ValueError):
        withdraw_participant(participant, by=world.coordinator)


def test_participant_list_uses_constant_queries(world, client_for, django_assert_max_num_queries):
    client = client_for(world.coordinator)
    for _ in range(2):
        consenting_participant(world.project, world.coordinator)
    with django_assert_max_num_queries(30) as few:
        client.get(url("list", world))
    for _ in range(15):
        consenting_participant(world.project, world.coordinator)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url("list", world))
    assert page.content.count(b"Given") == 17


def test_attributes_are_defined_by_coordinators_and_recorded_as_choices(world, client_for):
    from coproduction.models import AttributeDefinition

    client = client_for(world.coordinator)
    one_choice = client.post(url("attributes", world), {"name": "Age band", "choices": "18–24"})
    assert b"at least two choices" in one_choice.content
    client.post(url("attributes", world), {"name": "Age band", "choices": "18–24\n25–34\n\n35+"})
    definition = AttributeDefinition.objects.get()
    assert definition.choices == ["18–24", "25–34", "35+"]
    field = f"attr_{definition.pk}"
    free_text = client.post(url("create", world), {"cohort": "Resident", field: "Jo, 31, lives on Mill Lane"})
    assert free_text.status_code == 200 and not Participant.objects.exists()
    client.post(url("create", world), {"cohort": "Resident", field: "25–34"})
    assert Participant.objects.get().attributes == {"Age band": "25–34"}
    client.post(url("attribute_remove", world, pk=definition.pk))
    assert not AttributeDefinition.objects.exists()
    assert Participant.objects.get().attributes == {"Age band": "25–34"}


def test_withdrawal_erases_excerpts_codings_memos_and_kept_exports(
    world, client_for, settings, tmp_path, django_capture_on_commit_callbacks
):
    from coproduction.models import Coding, ExportJob, Memo, Theme
    from coproduction.models import Excerpt as ExcerptModel

    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    participant = consenting_participant(world.project, world.coordinator)
    text, spans = Document.compose([("Safety", "The lamps by the canal are out.")])
    document = Document.objects.create(
        project=world.project,
        participant=participant,
        title="t",
        cohort="Sex worker",
        month="2026-01-01",
        text=text,
        sections=spans,
        released_by=world.coordinator,
    )
    theme = Theme.objects.create(project=world.project, name="Lighting")
    excerpt = ExcerptModel.objects.create(document=document, start=8, end=20, coder=world.analyst)
    Coding.objects.create(excerpt=excerpt, theme=theme, coder=world.analyst)
    Memo.objects.create(project=world.project, excerpt=excerpt, author=world.analyst, text="memo")
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "old.csv").write_text("The lamps by the canal are out.")
    ExportJob.objects.create(project=world.project, requested_by=world.analyst, format="csv", status="done", file_name="old.csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.coordinator).post(url("withdraw", world, pk=participant.pk))
    assert b"Coded excerpts and quotes" in response.content
    assert not ExcerptModel.objects.exists() and not Coding.objects.exists() and not Memo.objects.exists()
    assert Theme.objects.filter(pk=theme.pk).exists()
    assert not ExportJob.objects.exists() and not (tmp_path / "exports" / "old.csv").exists()


def test_allow_list_add_duplicate_remove_and_the_scanner_reads_it(world, client_for):
    from coproduction.models import AllowListTerm
    from coproduction.pii import scan

    client = client_for(world.coordinator)
    added = client.post(url("allow_list", world), {"term": "  Riverside   Market ", "kind": "place"})
    assert added.status_code == 302
    duplicate = client.post(url("allow_list", world), {"term": "riverside market", "kind": "organisation"})
    assert b"already on the allow-list" in duplicate.content
    entry = AllowListTerm.objects.get()
    assert entry.term == "Riverside Market" and entry.kind == "place"
    client.post(url("allow_list", world), {"term": "0808 2000 247", "kind": "helpline"})
    text = "she rang 08082000247 last night"
    assert scan(text) and not scan(text, allow_terms=AllowListTerm.objects.scanner_terms(world.project))
    AllowListTerm.objects.filter(kind="helpline").delete()
    assert AuditEvent.objects.filter(action="allow_list.added").exists()
    client.post(url("allow_list_remove", world, pk=entry.pk))
    assert not AllowListTerm.objects.exists()
    assert AuditEvent.objects.filter(action="allow_list.removed").exists()


def test_allow_list_refuses_bad_input_and_keeps_what_was_typed(world, client_for):
    from coproduction.models import AllowListTerm

    client = client_for(world.coordinator)
    response = client.post(url("allow_list", world), {"term": "x", "kind": "place"})
    assert response.status_code == 200 and b"at least two characters" in response.content
    wrong_kind = client.post(url("allow_list", world), {"term": "Riverside Station", "kind": "person"})
    assert wrong_kind.status_code == 200 and b'value="Riverside Station"' in wrong_kind.content
    assert not AllowListTerm.objects.exists()


def test_allow_list_is_per_project_and_coordinators_only(world, client_for):
    from coproduction.models import AllowListTerm

    theirs = AllowListTerm.objects.create(
        project=world.other_project, term="Elsewhere Market", added_by=world.outsiders["coordinator"]
    )
    client = client_for(world.coordinator)
    assert b"Elsewhere Market" not in client.get(url("allow_list", world)).content
    assert client.post(url("allow_list_remove", world, pk=theirs.pk)).status_code == 404
    for role in ("peer_researcher", "analyst", "supervisor"):
        other = client_for(world.members[role])
        assert other.get(url("allow_list", world)).status_code == 403
        assert other.post(url("allow_list", world), {"term": "Riverside Park", "kind": "place"}).status_code == 403
    assert AllowListTerm.objects.count() == 1
