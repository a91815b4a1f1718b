"""Composing, previewing and publishing the public pages: what blocks publishing, the snapshot
rules (suppression, consent, the quote re-scan), immutable versions, what changed, unpublishing."""

import pytest
from django.urls import reverse

from coproduction.models import ActionStatus, ActionUpdate, AuditEvent, PublishableTextDismissal, PublishedVersion
from coproduction.models.publication import VersionImmutable
from coproduction.publication import actions
from tests.publication.factories import coded_theme, composed, make_action

pytestmark = pytest.mark.django_db


def url(world, name, **kwargs):
    return reverse(f"publication:{name}", kwargs={"slug": world.project.slug, **kwargs})


def test_publish_stores_an_immutable_snapshot_that_later_edits_do_not_change(world):
    publication, theme, action = composed(world.project, world.analyst)
    version = actions.publish(publication, by=world.coordinator)
    assert version.number == 1 and version.changes == ["First version."]
    assert "Three outreach hubs" in version.page_html and "People want outreach" in version.page_html
    action.title = "Renamed later"
    action.save()
    version.refresh_from_db()
    assert "Three outreach hubs" in version.page_html and "Renamed later" not in version.page_html
    version.page_html = "tampered"
    with pytest.raises(VersionImmutable):
        version.save()
    assert AuditEvent.objects.filter(action="publication.published", object_id=str(version.pk)).exists()


def test_counts_under_the_threshold_read_less_than_ten_and_quotes_follow_consent(world):
    publication, theme, _ = composed(world.project, world.analyst)
    refused = coded_theme(
        world.project, world.analyst, name="Policing", texts=("Nobody listens at the station.",), quotes_published=False
    )
    publication.themes.create(theme=refused, summary="Trust in the police is low.", order=1)
    data = actions.snapshot.build(publication)
    said = {t["name"]: t for t in data["said"]}
    assert said["Support services"]["participants"] == "<10"
    assert said["Support services"]["quotes"] == ["The outreach van helps us."]
    assert said["Policing"]["quotes"] == []  # the participant did not agree to published quotes
    assert all(cell["count"] in {"0", "<10"} for t in data["said"] for cell in t["by_cohort"])
    assert data["asked"]["peer_researchers"] == "<10"


def test_a_quote_with_personal_information_is_left_out_and_counted(world):
    publication, _, _ = composed(world.project, world.analyst)
    named = coded_theme(world.project, world.analyst, name="Street safety", texts=("Call Sarah Jones on 07700 900982.",))
    publication.themes.create(theme=named, summary="Streets feel unsafe at night.", order=1)
    data = actions.snapshot.build(publication)
    assert {t["name"]: t for t in data["said"]}["Street safety"]["quotes"] == []
    assert data["quotes_left_out"] == 1


def test_a_name_in_an_update_blocks_publishing_until_kept_with_a_reason(world):
    publication, _, action = composed(world.project, world.analyst)
    ActionUpdate.objects.create(action=action, text="Maria Lopez from the hub said it went well.", author=world.coordinator)
    blocking = actions.blockers(publication)
    assert blocking.findings and "Three outreach hubs: update of" in blocking.findings[0].source.label
    with pytest.raises(actions.PublishRefused):
        actions.publish(publication, by=world.coordinator)
    assert not PublishedVersion.objects.exists()
    for finding in blocking.findings:
        actions.keep_finding(publication, finding_id=finding.id, reason="Invented for the test", by=world.coordinator)
    assert not actions.blockers(publication)
    assert PublishableTextDismissal.objects.count() == len(blocking.findings)
    assert actions.publish(publication, by=world.coordinator).number == 1


def test_a_theme_without_a_summary_and_an_empty_publication_are_refused(world):
    publication = actions.publication_for(world.project)
    assert "Choose at least one theme or action to publish." in actions.blockers(publication).problems
    theme = coded_theme(world.project, world.analyst)
    publication.themes.create(theme=theme)
    assert "Write a summary for Support services." in actions.blockers(publication).problems


def test_the_next_version_says_what_changed_and_the_first_stays_readable(world, client):
    publication, _, action = composed(world.project, world.analyst)
    first = actions.publish(publication, by=world.coordinator)
    action.status = ActionStatus.objects.get(project=world.project, stage=ActionStatus.Stage.DONE)
    action.save()
    make_action(world.project, "A high-risk panel", early=True)
    second = actions.publish(publication, by=world.coordinator)
    assert "Three outreach hubs: agreed → done." in second.changes
    assert "New action: A high-risk panel (agreed)." in second.changes
    latest = client.get(reverse("publication_public:latest", kwargs={"public_id": publication.public_id}))
    assert latest.status_code == 200 and "Acted on early" in latest.content.decode()
    earlier = client.get(reverse("publication_public:version", kwargs={"public_id": publication.public_id, "number": 1}))
    assert "A high-risk panel" not in earlier.content.decode() and "an earlier version" in earlier.content.decode()
    actions.unpublish(first, by=world.coordinator)
    gone = client.get(reverse("publication_public:version", kwargs={"public_id": publication.public_id, "number": 1}))
    assert gone.status_code == 410
    assert AuditEvent.objects.filter(action="publication.unpublished").count() == 1


def test_public_pages_set_no_cookie_are_cacheable_and_name_no_project_in_the_address(world, client):
    publication, _, _ = composed(world.project, world.analyst)
    actions.publish(publication, by=world.coordinator)
    address = reverse("publication_public:latest", kwargs={"public_id": publication.public_id})
    assert world.project.slug not in address
    response = client.get(address)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers and not response.cookies
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    assert "Exit this page" in response.content.decode()
    assert client.get(reverse("publication_public:latest", kwargs={"public_id": "nope"})).status_code == 404


def test_nothing_public_before_the_first_version(world, client):
    publication = actions.publication_for(world.project)
    assert client.get(reverse("publication_public:latest", kwargs={"public_id": publication.public_id})).status_code == 404


def test_coordinator_composes_previews_and_publishes_through_the_pages(world, client_for):
    composed(world.project, world.analyst)
    coordinator = client_for(world.coordinator)
    bad = coordinator.post(url(world, "compose"), {"title": "", "introduction": "Hello"})
    assert bad.status_code == 400 and "Hello" in bad.content.decode()
    saved = coordinator.post(
        url(world, "compose"), {"title": "What you said", "introduction": "We listened.", "all_agreed_actions": "on"}
    )
    assert saved.status_code == 302
    preview = coordinator.get(url(world, "preview")).content.decode()
    assert "Nothing blocks publishing." in preview and "We listened." in preview
    assert coordinator.post(url(world, "publish")).status_code == 302
    assert PublishedVersion.objects.get().snapshot["title"] == "What you said"
    pdf = coordinator.get(url(world, "case_study_pdf", number=1))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_others_are_refused(world, client_for):
    composed(world.project, world.analyst)
    for person in (world.peer, world.supervisor):
        assert client_for(person).get(url(world, "overview")).status_code == 403
    assert client_for(world.analyst).post(url(world, "publish")).status_code == 403
    assert client_for(world.outsiders["coordinator"]).get(url(world, "preview")).status_code == 404


def test_a_signed_in_reader_gets_the_public_page_uncached(world, client_for):
    """Shared caches keep the anonymous page only: a signed-in page carries a CSRF token."""
    publication, _, _ = composed(world.project, world.analyst)
    actions.publish(publication, by=world.coordinator)
    response = client_for(world.coordinator).get(
        reverse("publication_public:latest", kwargs={"public_id": publication.public_id})
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "public" not in response["Cache-Control"]
