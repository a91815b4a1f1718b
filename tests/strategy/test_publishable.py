"""Text meant for publication is checked for personal information: a name in an update blocks
the action's publication until it is edited away or kept with a reason."""

import pytest
from django.urls import reverse
from django.utils import timezone

from coproduction import pii, publishable
from coproduction.models import ActionUpdate, AuditEvent, DenyListTerm, PublishableTextDismissal
from coproduction.notes import actions as gate
from coproduction.strategy.actions import publication_blockers
from tests.strategy.factories import make_action

pytestmark = pytest.mark.django_db


def _url(world, name, **kwargs):
    return reverse(f"strategy:{name}", kwargs={"slug": world.project.slug, **kwargs})


@pytest.fixture
def named(world):
    DenyListTerm.objects.create(project=world.project, term="Jasmine", kind="name", added_by=world.coordinator)
    action = make_action(world.project, description="Drop-in hubs in the evenings.")
    update = ActionUpdate.objects.create(
        action=action, on=timezone.localdate(), text="Jasmine opened the first hub.", author=world.coordinator
    )
    return action, update


def test_a_name_in_an_update_blocks_publication_until_kept_with_a_reason(world, client_for, named):
    action, update = named
    blockers = publication_blockers(action)
    assert [(b.source.about, b.source.field, b.finding.text) for b in blockers] == [(update, "text", "Jasmine")]
    client = client_for(world.coordinator)
    page = client.get(_url(world, "action", pk=action.pk))
    assert "Check before publishing" in page.text and "<mark>Jasmine</mark>" in page.text
    assert "edit the text" in page.text and "Keep, with this reason" in page.text
    finding_id = blockers[0].id
    response = client.post(_url(world, "keep", pk=action.pk), {"finding": finding_id, "reason": ""})
    assert response.status_code == 200 and "Give a reason for keeping this text." in response.text
    assert publication_blockers(action)
    response = client.post(_url(world, "keep", pk=action.pk), {"finding": finding_id, "reason": "The hub is named after her."})
    assert response.status_code == 302
    assert publication_blockers(action) == []
    dismissal = PublishableTextDismissal.objects.get()
    assert (dismissal.about_type, dismissal.about_id, dismissal.field, dismissal.by) == (
        "coproduction.actionupdate",
        update.pk,
        "text",
        world.coordinator,
    )
    assert "Jasmine" not in dismissal.text_hash and dismissal.reason == "The hub is named after her."
    assert AuditEvent.objects.filter(action="publishable.finding_kept", object_id=str(update.pk)).exists()
    assert "Check before publishing" not in client.get(_url(world, "action", pk=action.pk)).text


def test_a_name_edited_away_no_longer_blocks(world, named):
    action, update = named
    assert publication_blockers(action)
    update.text = "A volunteer opened the first hub."
    update.save()
    assert publication_blockers(action) == []


def test_description_and_reason_are_checked_too(world, named):
    action, update = named
    update.delete()
    action.description = "Call 07700 900123 for the hub."
    action.reason = "Jasmine asked us not to."
    action.save()
    assert sorted((b.source.field, b.finding.type) for b in publication_blockers(action)) == [
        ("description", "PHONE"),
        ("reason", "NAME"),
    ]


def test_a_dismissal_keeps_only_that_finding_in_that_text(world, named):
    action, update = named
    texts = [publishable.PublishableText(update, "text", "Update", update.text)]
    finding_id = publication_blockers(action)[0].id
    publishable.dismiss(world.project, texts, finding_id=finding_id, reason="Public name.", by=world.coordinator)
    other = ActionUpdate.objects.create(action=action, on=update.on, text="Jasmine again.", author=world.coordinator)
    assert [b.source.about for b in publication_blockers(action)] == [other]


def test_a_finding_that_is_gone_cannot_be_kept(world, client_for, named):
    action, update = named
    finding_id = publication_blockers(action)[0].id
    update.text = "Nobody named."
    update.save()
    response = client_for(world.coordinator).post(_url(world, "keep", pk=action.pk), {"finding": finding_id, "reason": "x"})
    assert response.status_code == 200 and "no longer in the text" in response.text
    assert not PublishableTextDismissal.objects.exists()


def test_another_actions_finding_cannot_be_kept_through_this_one(world, client_for, named):
    action, _ = named
    finding_id = publication_blockers(action)[0].id
    elsewhere = make_action(world.project, "Another")
    response = client_for(world.coordinator).post(_url(world, "keep", pk=elsewhere.pk), {"finding": finding_id, "reason": "x"})
    assert response.status_code == 200 and not PublishableTextDismissal.objects.exists()


def test_only_coordinators_see_and_keep_findings(world, client_for, named):
    action, _ = named
    finding_id = publication_blockers(action)[0].id
    for user in (world.peer, world.analyst):
        client = client_for(user)
        assert "Check before publishing" not in client.get(_url(world, "action", pk=action.pk)).text
        assert client.post(_url(world, "keep", pk=action.pk), {"finding": finding_id, "reason": "x"}).status_code == 403
    assert not PublishableTextDismissal.objects.exists()


def test_a_failing_detector_blocks_publication_and_logs_no_text(world, client_for, named, monkeypatch, caplog):
    action, _ = named

    def broken(text):
        raise RuntimeError(f"library fault on {text}")

    monkeypatch.setitem(pii.DETECTORS, "number", broken)
    with pytest.raises(publishable.ScanUnavailable):
        publication_blockers(action)
    page = client_for(world.coordinator).get(_url(world, "action", pk=action.pk))
    assert page.status_code == 200 and "The check for personal information did not run" in page.text
    assert "detector=number" in caplog.text and "Jasmine" not in caplog.text


def test_the_notes_gate_hashes_as_before(world):
    """The gate's keyed hash moved to coproduction.publishable: resolutions stored before still match."""
    import hashlib
    import hmac

    from django.conf import settings

    class Draft:
        pk = 42

    expected = hmac.new(settings.SECRET_KEY.encode(), b"42:free:NAME:jasmine", hashlib.sha256).hexdigest()
    assert gate.text_hash(Draft(), "free", "NAME", "Jasmine") == expected
