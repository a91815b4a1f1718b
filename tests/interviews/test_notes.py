from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse

from coproduction.models import AuditEvent, DenyListTerm, Document, NotesDraft, Notification, PiiResolution
from coproduction.models.notes import MAX_NOTES_CHARACTERS
from coproduction.notes import actions as gate
from coproduction.participation.actions import withdraw_participant
from interviews import actions
from interviews.models import Interview
from tests.interviews.factories import completed_interview, draft_for

pytestmark = pytest.mark.django_db


def url(name, world, **kwargs):
    return reverse(f"interviews:{name}", kwargs={"slug": world.project.slug, **kwargs})


def corpus_url(name, world, **kwargs):
    return reverse(f"analysis:{name}", kwargs={"slug": world.project.slug, **kwargs})


def notes_data(draft, version=None, **texts):
    data = {"version": version or draft.version}
    for key, _, text in draft.section_list():
        data[key] = text
    for order, question in enumerate(draft.interview.topic_guide.questions.all(), start=1):
        if f"q{order}" in texts:
            data[f"q{question.pk}"] = texts[f"q{order}"]
    if "free" in texts:
        data["free"] = texts["free"]
    return data


@pytest.fixture
def interview(world):
    return completed_interview(world)


def test_opening_creates_an_encrypted_draft_and_saving_bumps_the_version(world, client_for, interview):
    client = client_for(world.peer)
    page = client.get(url("notes", world, pk=interview.pk))
    assert page.status_code == 200
    draft = NotesDraft.objects.get(interview=interview)
    response = client.post(url("notes", world, pk=interview.pk), notes_data(draft, q1="Lamps out on the towpath."))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.version == 2 and draft.sections[f"q{interview.topic_guide.questions.first().pk}"] == "Lamps out on the towpath."
    with connection.cursor() as cursor:
        cursor.execute("select content from interviews_notesdraft where id = %s", [draft.pk])
        assert "towpath" not in str(cursor.fetchone()[0])
    assert AuditEvent.objects.filter(action="notes.opened", object_id=str(draft.pk)).exists()


def test_autosave_answers_json(world, client_for, interview):
    draft = actions.open_draft(interview, by=world.peer)
    response = client_for(world.peer).post(
        url("notes", world, pk=interview.pk), notes_data(draft, free="call 020 7946 0018"), HTTP_X_REQUESTED_WITH="fetch"
    )
    assert response.status_code == 200
    assert response.json()["ok"] and response.json()["version"] == 2 and response.json()["findings"] == 1


def test_conflicting_save_shows_both_texts_and_loses_neither(world, client_for, interview):
    draft = actions.open_draft(interview, by=world.peer)
    client = client_for(world.peer)
    client.post(url("notes", world, pk=interview.pk), notes_data(draft, version=1, q1="Saved from the laptop."))
    response = client.post(url("notes", world, pk=interview.pk), notes_data(draft, version=1, q1="Typed on the phone."))
    assert response.status_code == 409
    body = response.content.decode()
    assert "Saved from the laptop." in body and "Typed on the phone." in body
    draft.refresh_from_db()
    assert draft.version == 2 and "Saved from the laptop." in draft.sections.values()
    assert 'name="version" value="2"' in body
    combined = client.post(url("notes", world, pk=interview.pk), notes_data(draft, version=2, q1="Laptop and phone."))
    assert combined.status_code == 302
    as_json = client.post(
        url("notes", world, pk=interview.pk), notes_data(draft, version=1, q1="x"), HTTP_X_REQUESTED_WITH="fetch"
    )
    assert as_json.status_code == 409 and as_json.json()["conflict"]


def test_bad_input_is_refused_and_nothing_saved(world, client_for, interview):
    draft = actions.open_draft(interview, by=world.peer)
    client = client_for(world.peer)
    too_long = client.post(url("notes", world, pk=interview.pk), notes_data(draft, q1="a" * (MAX_NOTES_CHARACTERS + 1)))
    assert too_long.status_code == 400
    split = MAX_NOTES_CHARACTERS // 2 + 1
    too_long_total = client.post(url("notes", world, pk=interview.pk), notes_data(draft, q1="a" * split, q2="b" * split))
    assert too_long_total.status_code == 400 and b"longer than 200,000 characters" in too_long_total.content
    unreadable = client.post(url("notes", world, pk=interview.pk), notes_data(draft, q1="bad \ufffd byte"))
    assert unreadable.status_code == 400 and b"could not be read" in unreadable.content
    nul = client.post(url("notes", world, pk=interview.pk), notes_data(draft, q1="nul \x00 here"))
    assert nul.status_code == 400
    draft.refresh_from_db()
    assert draft.version == 1 and not any(draft.sections.values())


def test_html_in_notes_is_always_escaped(world, client_for, interview):
    draft = draft_for(interview, q1="<script>alert(1)</script><b>bold</b>")
    page = client_for(world.peer).get(url("notes", world, pk=interview.pk)).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    draft.status = NotesDraft.Status.SUBMITTED
    draft.save()
    review = client_for(world.coordinator).get(url("review", world, pk=interview.pk)).content.decode()
    assert "<script>alert(1)" not in review and "<b>bold</b>" not in review


def test_submit_refused_until_findings_are_redacted_or_dismissed(world, client_for, interview):
    DenyListTerm.objects.create(project=world.project, term="Mazza", kind="nickname", added_by=world.coordinator)
    draft = draft_for(interview, q1="Met mazza, call 020 7946 0018.", free="It was Bridget who said so.")
    client = client_for(world.peer)
    refused = client.post(url("submit", world, pk=interview.pk), follow=True)
    assert b"not resolved" in refused.content
    draft.refresh_from_db()
    assert draft.status == NotesDraft.Status.WRITING
    findings = gate.findings_for(draft)
    assert {f.finding.type for f in findings} == {"NICKNAME", "PHONE", "POSSIBLE_NAME"}
    # Each redaction shifts later spans: the page is re-scanned before the next one.
    while redactable := [f for f in gate.findings_for(draft) if f.finding.type != "POSSIBLE_NAME"]:
        client.post(url("redact", world, pk=interview.pk), {"finding": redactable[0].id, "version": draft.version})
        draft.refresh_from_db()
    draft.refresh_from_db()
    q1 = draft.sections[f"q{interview.topic_guide.questions.first().pk}"]
    assert q1 == "Met [NICKNAME], call [PHONE]."
    (possible,) = gate.findings_for(draft)
    no_reason = client.post(url("dismiss", world, pk=interview.pk), {"finding": possible.id, "reason": ""}, follow=True)
    assert b"Give a reason" in no_reason.content
    client.post(url("dismiss", world, pk=interview.pk), {"finding": possible.id, "reason": "A street name used as a landmark"})
    assert gate.findings_for(draft) == []
    assert AuditEvent.objects.filter(action="notes.finding_dismissed").count() == 1
    assert list(PiiResolution.objects.values_list("action", flat=True)) == ["redacted", "redacted", "dismissed"]
    with connection.cursor() as cursor:
        cursor.execute("select text_hash, reason from interviews_piiresolution")
        assert "Bridget" not in str(cursor.fetchall())
    client.post(url("submit", world, pk=interview.pk))
    draft.refresh_from_db()
    assert draft.status == NotesDraft.Status.SUBMITTED


def test_redacting_with_a_stale_version_changes_nothing(world, client_for, interview):
    draft = draft_for(interview, q1="call 020 7946 0018")
    (finding,) = gate.findings_for(draft)
    client = client_for(world.peer)
    response = client.post(url("redact", world, pk=interview.pk), {"finding": finding.id, "version": 99}, follow=True)
    assert b"changed elsewhere" in response.content
    draft.refresh_from_db()
    assert "020 7946 0018" in draft.sections[f"q{interview.topic_guide.questions.first().pk}"]


def test_every_change_rescans(world, interview):
    draft = draft_for(interview, q1="nothing here")
    assert gate.findings_for(draft) == []
    draft = gate.save_notes(draft, sections=notes_data(draft, q1="mail jo@example.org"), version=1, by=world.peer)
    assert [f.finding.type for f in gate.findings_for(draft)] == ["EMAIL"]


def test_another_researchers_draft_is_404_and_coordinator_cannot_edit(world, client_for):
    theirs = completed_interview(world, interviewer=world.second_peer)
    draft_for(theirs, q1="private")
    client = client_for(world.peer)
    for name in ["notes", "redact", "dismiss", "submit"]:
        method = client.get if name == "notes" else client.post
        assert method(url(name, world, pk=theirs.pk)).status_code == 404
    assert client_for(world.coordinator).get(url("notes", world, pk=theirs.pk)).status_code == 403
    assert client_for(world.peer).get(url("review", world, pk=theirs.pk)).status_code == 403


def test_notes_only_after_completion(world, client_for):
    from tests.interviews.factories import make_interview

    scheduled = make_interview(world.project, world.peer, booked_by=world.coordinator)
    response = client_for(world.peer).get(url("notes", world, pk=scheduled.pk), follow=True)
    assert b"once the interview is marked completed" in response.content
    assert not NotesDraft.objects.exists()


def submitted(world, interview, **texts):
    draft = draft_for(interview, **texts)
    return gate.submit_notes(draft, by=world.peer)


def test_coordinator_reads_audited_sends_back_and_overdue_reminders_follow(world, client_for, interview):
    actions.sync_interview_reminders(interview)
    draft = submitted(world, interview, q1="Lighting is poor by the depot.")
    assert not Notification.objects.about(interview).pending().filter(template__startswith="notes-overdue").exists()
    client = client_for(world.coordinator)
    page = client.get(url("review", world, pk=interview.pk))
    assert b"Lighting is poor by the depot." in page.content
    assert AuditEvent.objects.filter(action="notes.read", actor=world.coordinator, object_id=str(draft.pk)).exists()
    no_comment = client.post(url("review", world, pk=interview.pk), {"decision": "send_back", "comment": ""})
    assert b"Say what needs changing" in no_comment.content
    client.post(url("review", world, pk=interview.pk), {"decision": "send_back", "comment": "More on support, please."})
    draft.refresh_from_db()
    assert draft.status == NotesDraft.Status.SENT_BACK and draft.review_comment == "More on support, please."
    assert Notification.objects.about(interview).pending().filter(template="notes-overdue").exists()
    assert client.get(url("review", world, pk=interview.pk)).status_code == 404


def test_release_creates_an_anonymised_document_and_deletes_the_draft(world, client_for, interview, settings):
    settings.DRAFT_RETENTION_DAYS = 0
    submitted(world, interview, q1="Lamps out.", free="Go back in [MONTH].")
    client = client_for(world.coordinator)
    response = client.post(url("review", world, pk=interview.pk), {"decision": "release"})
    assert response.status_code == 302
    document = Document.objects.get()
    interview.refresh_from_db()
    assert interview.document == document and interview.notes_released_at
    assert document.participant == interview.participant and document.cohort == interview.participant.cohort
    assert document.month.day == 1 and document.month.month == interview.starts_at.month
    assert "Lamps out." in document.text and [s["heading"] for s in document.sections] == [
        "How safe do the streets feel at night?",
        "Anything else",
    ]
    assert not NotesDraft.objects.exists()
    assert AuditEvent.objects.filter(action="notes.released").exists()
    analyst = client_for(world.analyst)
    listing = analyst.get(corpus_url("documents", world)).content.decode()
    assert interview.participant.code in listing
    detail = analyst.get(corpus_url("document", world, pk=document.pk)).content.decode()
    assert "Lamps out." in detail
    assert analyst.get(url("detail", world, pk=interview.pk)).status_code == 403


def test_release_keeps_the_draft_when_retention_is_configured(world, interview, settings):
    settings.DRAFT_RETENTION_DAYS = 7
    draft = submitted(world, interview, q1="Lamps out.")
    gate.release_notes(draft, by=world.coordinator)
    draft.refresh_from_db()
    assert draft.status == NotesDraft.Status.RELEASED
    assert gate.purge_released_drafts() == 0
    NotesDraft.objects.filter(pk=draft.pk).update(released_at=draft.released_at - timedelta(days=8))
    assert gate.purge_released_drafts() == 1


def test_release_refused_if_the_deny_list_grew(world, client_for, interview):
    submitted(world, interview, q1="lamps out by the gasworks")
    DenyListTerm.objects.create(project=world.project, term="gasworks", kind="place", added_by=world.coordinator)
    response = client_for(world.coordinator).post(url("review", world, pk=interview.pk), {"decision": "release"})
    assert b"not resolved" in response.content
    assert not Document.objects.exists()


def test_withdrawal_erases_drafts_documents_and_bookings_end_to_end(world, client_for, interview):
    participant = interview.participant
    draft = submitted(world, interview, q1="Lamps out.")
    document = gate.release_notes(draft, by=world.coordinator)
    second = completed_interview(world)
    Interview.objects.filter(pk=second.pk).update(participant=participant)
    draft_for(Interview.objects.get(pk=second.pk), q1="More words.")
    from tests.interviews.factories import make_interview

    upcoming = make_interview(world.project, world.peer, booked_by=world.coordinator, participant=participant)
    actions.sync_interview_reminders(upcoming)
    response = client_for(world.coordinator).post(
        reverse("participation:withdraw", kwargs={"slug": world.project.slug, "pk": participant.pk})
    )
    body = response.content.decode()
    assert "Notes drafts" in body and "Released documents" in body and "Interviews cancelled" in body
    assert not Document.objects.filter(pk=document.pk).exists()
    assert not NotesDraft.objects.filter(interview__participant=participant).exists()
    upcoming.refresh_from_db()
    assert upcoming.status == Interview.Status.CANCELLED
    # Its reminders are cancelled; the interviewer is told it is off.
    assert list(Notification.objects.about(upcoming).pending().values_list("template", flat=True)) == ["appointment-cancelled"]
    analyst = client_for(world.analyst)
    assert "Lamps out." not in analyst.get(corpus_url("documents", world)).content.decode()
    assert analyst.get(corpus_url("document", world, pk=document.pk)).status_code == 404
    withdrawn_event = AuditEvent.objects.get(action="participant.withdrawn")
    assert withdrawn_event.object_type == "coproduction.participant"
    with pytest.raises(ValueError):
        withdraw_participant(participant, by=world.coordinator)
    # Nothing asks for notes about them any more, and none can be started.
    peer = client_for(world.peer)
    dashboard = peer.get(reverse("coproduction:dashboard", kwargs={"slug": world.project.slug})).content.decode()
    assert participant.code not in dashboard
    refused = peer.get(url("notes", world, pk=second.pk), follow=True)
    assert b"has withdrawn" in refused.content
    assert not NotesDraft.objects.filter(interview__participant=participant).exists()
    assert not Notification.objects.pending().filter(template__startswith="notes-overdue", about_id=str(second.pk)).exists()


def test_digest_and_dashboard_panels(world, client_for, interview):
    from coproduction.notifications.digest import digest_lines

    submitted(world, interview, q1="x")
    lines = digest_lines(world.project)
    assert ("Items waiting for your review", 1) in [(line.label, line.count) for line in lines]
    dashboard = client_for(world.coordinator).get(reverse("coproduction:dashboard", kwargs={"slug": world.project.slug}))
    assert b"1 waiting for your review" in dashboard.content
    writing = completed_interview(world)
    peer_dashboard = client_for(world.peer).get(reverse("coproduction:dashboard", kwargs={"slug": world.project.slug}))
    assert writing.participant.code.encode() in peer_dashboard.content


def test_bytes_that_are_not_utf8_are_refused_with_a_clear_message(world, client_for, interview):
    draft = actions.open_draft(interview, by=world.peer)
    question = interview.topic_guide.questions.first()
    body = f"version={draft.version}&q{question.pk}=caf%FF%FE+x".encode()
    response = client_for(world.peer).generic(
        "POST", url("notes", world, pk=interview.pk), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400 and b"could not be read" in response.content
    draft.refresh_from_db()
    assert draft.version == 1


def test_review_list_uses_constant_queries(world, client_for, django_assert_max_num_queries):
    def add(n):
        for _ in range(n):
            draft_for(completed_interview(world), NotesDraft.Status.SUBMITTED, q1="x")

    add(2)
    coordinator = client_for(world.coordinator)
    review_list = reverse("notes:review_list", kwargs={"slug": world.project.slug})
    with django_assert_max_num_queries(30) as few_review:
        coordinator.get(review_list)
    add(10)
    with django_assert_max_num_queries(len(few_review.captured_queries)):
        assert coordinator.get(review_list).content.decode().count("/review/") >= 12


def test_released_notes_are_linked_to_the_analysis_corpus_only_for_roles_that_may_open_it(world, client_for, interview):
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        url("released", world)
    with pytest.raises(NoReverseMatch):
        url("released_detail", world, pk=1)
    draft = submitted(world, interview, q1="Lamps out.")
    document = gate.release_notes(draft, by=world.coordinator)
    documents_link = corpus_url("documents", world)
    document_link = corpus_url("document", world, pk=document.pk)

    coordinator = client_for(world.coordinator)
    review_list = reverse("notes:review_list", kwargs={"slug": world.project.slug})
    assert documents_link in coordinator.get(review_list).content.decode()
    assert document_link in coordinator.get(url("detail", world, pk=interview.pk)).content.decode()
    assert coordinator.get(document_link).status_code == 200
    # The peer who interviewed co-analyses the corpus, so the link is theirs too.
    peer = client_for(world.peer)
    assert document_link in peer.get(url("detail", world, pk=interview.pk)).content.decode()
    assert peer.get(document_link).status_code == 200
    # Roles the corpus refuses see no interview page and so no link; the corpus refuses them.
    assert client_for(world.supervisor).get(document_link).status_code == 403
    assert client_for(world.supervisor).get(url("detail", world, pk=interview.pk)).status_code == 403
    # Once the Document is erased the detail page links to nothing.
    Document.objects.filter(pk=document.pk).delete()
    assert document_link not in coordinator.get(url("detail", world, pk=interview.pk)).content.decode()


def test_release_message_points_to_released_documents(world, client_for, interview):
    submitted(world, interview, q1="Lamps out.")
    response = client_for(world.coordinator).post(url("review", world, pk=interview.pk), {"decision": "release"}, follow=True)
    body = response.content.decode()
    assert "Released documents" in body and corpus_url("documents", world) in body


def test_acting_on_notes_erased_by_a_withdrawal_is_a_clear_refusal(world, interview):
    draft = submitted(world, interview, q1="Lamps out.")
    withdraw_participant(interview.participant, by=world.coordinator)
    with pytest.raises(gate.NotesRefused, match="no longer exist"):
        gate.release_notes(draft, by=world.coordinator)
    assert not Document.objects.exists()


def test_no_notes_without_consent_to_keep_them(world, client_for, interview):
    interview.participant.consents.update(notes_kept=False)
    response = client_for(world.peer).get(url("notes", world, pk=interview.pk), follow=True)
    assert b"did not agree to notes being kept" in response.content
    assert not NotesDraft.objects.exists()


def test_release_refused_if_consent_to_keep_notes_was_changed(world, interview):
    draft = submitted(world, interview, q1="Lamps out.")
    interview.participant.consents.update(notes_kept=False)
    with pytest.raises(gate.NotesRefused, match="does not cover keeping notes"):
        gate.release_notes(draft, by=world.coordinator)
    assert not Document.objects.exists()


def test_submit_button_saves_what_was_typed_before_submitting(world, client_for, interview):
    draft = actions.open_draft(interview, by=world.peer)
    client = client_for(world.peer)
    data = {**notes_data(draft, q1="Lamps out on the towpath."), "then": "submit"}
    response = client.post(url("notes", world, pk=interview.pk), data)
    assert response.status_code == 302 and response.url == url("detail", world, pk=interview.pk)
    draft.refresh_from_db()
    assert draft.status == NotesDraft.Status.SUBMITTED and "Lamps out on the towpath." in draft.sections.values()


def test_submit_button_saves_then_refuses_while_a_name_is_unresolved(world, client_for, interview):
    draft = actions.open_draft(interview, by=world.peer)
    client = client_for(world.peer)
    data = {**notes_data(draft, q1="her friend Maria Lopez walks her home"), "then": "submit"}
    response = client.post(url("notes", world, pk=interview.pk), data, follow=True)
    assert b"not resolved" in response.content
    draft.refresh_from_db()
    assert draft.status == NotesDraft.Status.WRITING and "her friend Maria Lopez walks her home" in draft.sections.values()
    (finding,) = gate.findings_for(draft)
    assert finding.finding.text == "Maria Lopez"


@pytest.mark.parametrize("typed", ["her friend Maria Lopez said", "call Dave Smith", "[NAME] Lopez said", "Lopez [NAME] said"])
def test_a_redaction_replaces_the_whole_name_and_leaves_no_half_behind(world, interview, typed):
    draft = draft_for(interview, q1=typed)
    while found := gate.findings_for(draft):
        gate.redact_finding(draft, finding_id=found[0].id, version=draft.version, by=world.peer)
        draft.refresh_from_db()
    text = next(t for t in draft.sections.values() if "[NAME]" in t)
    assert not any(word in text for word in ("Maria", "Lopez", "Dave", "Smith"))
    assert PiiResolution.objects.filter(draft=draft, action=PiiResolution.Action.REDACTED).exists()


def test_a_failing_detector_refuses_submission_and_logs_no_text(world, client_for, interview, monkeypatch, caplog):
    from coproduction import pii

    def broken(text):
        raise RuntimeError(f"library fault on {text}")

    monkeypatch.setitem(pii.DETECTORS, "number", broken)
    draft = draft_for(interview, q1="ring 07700 900123 tonight")
    client = client_for(world.peer)
    response = client.post(url("submit", world, pk=interview.pk), follow=True)
    assert response.status_code == 200 and b"could not run" in response.content
    draft.refresh_from_db()
    assert draft.status == NotesDraft.Status.WRITING
    page = client.get(url("notes", world, pk=interview.pk))
    assert page.status_code == 200 and b"could not run" in page.content
    assert "detector=number" in caplog.text and "07700" not in caplog.text


def test_reviewer_sees_kept_findings_with_their_reasons_beside_the_text(world, client_for, interview):
    draft = draft_for(interview, q1="we walked past Grace's stall, then home")
    (finding,) = gate.findings_for(draft)
    gate.dismiss_finding(draft, finding_id=finding.id, reason="A market stall's sign, not a person", by=world.peer)
    gate.submit_notes(draft, by=world.peer)
    page = client_for(world.coordinator).get(url("review", world, pk=interview.pk)).content.decode()
    assert '<mark class="cg-kept" id="kept-text-1">Grace</mark>' in page
    assert "A market stall&#x27;s sign, not a person" in page
    other_peer = client_for(world.second_peer).get(url("review", world, pk=interview.pk))
    assert other_peer.status_code == 403
