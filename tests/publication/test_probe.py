"""A probe of everything that publishes: plant personal information and small cells in the demo
project and check that none of it reaches a published page, the case study (and so its PDF) or
a follow-up notice; and that the demo publishes once, however often it is seeded."""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from coproduction.models import (
    ActionUpdate,
    Coding,
    Document,
    Event,
    Excerpt,
    Participant,
    Project,
    Publication,
    PublishedTheme,
    Theme,
    User,
)
from coproduction.publication import actions
from tests.analysis.factories import code

pytestmark = pytest.mark.django_db

PLANTED_NAME = "Priyanka Okonkwo-Hale"
PLANTED_PHONE = "07700 900461"


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    project = Project.objects.get(slug="riverside-safety")
    return project, Publication.objects.get(project=project)


def test_the_demo_publishes_once_and_its_page_opens_without_a_cookie(demo):
    project, publication = demo
    call_command("seed_demo")
    assert publication.versions.count() == 1
    response = Client().get(reverse("publication_public:latest", kwargs={"public_id": publication.public_id}))
    text = response.content.decode()
    assert response.status_code == 200 and not response.cookies
    assert "We asked" in text and "You said" in text and "We did" in text and "down 26%" in text


def _everything_published(version) -> str:
    return "\n".join([version.page_html, version.case_study_html, str(version.snapshot), *version.changes])


def test_planted_personal_information_and_small_cells_never_reach_what_is_published(demo):
    project, publication = demo
    analyst = User.objects.get(email="analyst@example.org")
    coordinator = User.objects.get(email="coordinator@example.org")
    theme = Theme.objects.get(project=project, name="Support services")
    # 1. A quote with a name and a phone number, from a participant who agreed to publication.
    consenting = next(
        p for p in Participant.objects.filter(project=project) if p.current_consent and p.current_consent.quotes_published
    )
    document = Document.objects.filter(participant=consenting).first()
    text = f"Ask {PLANTED_NAME} at the clinic, {PLANTED_PHONE}. The outreach van helps."
    planted = Document.objects.create(
        project=project,
        participant=consenting,
        title="Planted",
        cohort=consenting.cohort,
        month=document.month,
        sections=[],
        text=text,
        released_by=coordinator,
    )
    code(planted, 0, len(text), [theme], analyst)
    # 2. A quote from a participant who did not agree to quotes being published.
    refusing = next(
        p for p in Participant.objects.filter(project=project) if p.current_consent and not p.current_consent.quotes_published
    )
    secret = "Only my key worker knows where I sleep."
    hidden = Document.objects.create(
        project=project,
        participant=refusing,
        title="Refused",
        cohort=refusing.cohort,
        month=document.month,
        sections=[],
        text=secret,
        released_by=coordinator,
    )
    code(hidden, 0, len(secret), [theme], analyst)
    # 3. A quote from event notes whose ground rules did not allow quotes.
    event = Event.objects.filter(project=project, document__isnull=False).first()
    Event.objects.filter(pk=event.pk).update(ground_rules_allow_quotes=False)
    event_quote = Excerpt.objects.filter(document=event.document).first()
    Excerpt.objects.filter(document__project=project).update(chosen_for_report=True)
    # 4. A name in an action's update and in a theme's summary: publishing is refused until edited.
    update = ActionUpdate.objects.filter(action__project=project).first()
    ActionUpdate.objects.filter(pk=update.pk).update(text=f"{update.text} Thanks to {PLANTED_NAME}.")
    summary = PublishedTheme.objects.get(publication=publication, theme=theme)
    PublishedTheme.objects.filter(pk=summary.pk).update(summary=f"Call {PLANTED_PHONE} for help.")
    blocking = actions.blockers(publication)
    assert len(blocking.findings) >= 2
    with pytest.raises(actions.PublishRefused):
        actions.publish(publication, by=coordinator)
    ActionUpdate.objects.filter(pk=update.pk).update(text=update.text)
    PublishedTheme.objects.filter(pk=summary.pk).update(summary="Outreach that comes to people works.")

    version = actions.publish(publication, by=coordinator)
    published = _everything_published(version)
    for leaked in [PLANTED_NAME, "Okonkwo", PLANTED_PHONE, "900461", secret, event_quote.quote]:
        assert leaked not in published, leaked
    # No participant code, coder or member name, and no exact date of anything people said.
    for participant_code in Participant.objects.filter(project=project).values_list("code", flat=True):
        assert participant_code not in published
    for person in User.objects.all():
        assert person.display_name not in published and person.email not in published
    assert not re.search(
        r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) 20\d\d\b",
        version.page_html,
    )
    # Every count of people in the snapshot under the threshold reads "<10", never 1 to 9.
    threshold = project.small_number_threshold
    cells = [cell["count"] for t in version.snapshot["said"] for cell in t["by_cohort"]]
    cells += [count for row in version.snapshot["asked"]["cohorts"] for count in [*row["counts"], row["total"]]]
    cells += [t["participants"] for t in version.snapshot["said"]] + [version.snapshot["asked"]["peer_researchers"]]
    cells += [e["count"] for e in version.snapshot["asked"]["events"] if e["kind"] == "Individual session"]
    assert all(cell == "0" or cell.startswith("<") or int(cell) >= threshold for cell in cells)
    # Nothing from wellbeing but what is offered: no count of sessions, check-ins or requests.
    assert "psychotherapist" in version.case_study_html
    assert not re.search(r"\d+ (supervision|session|check-in|psychotherapy)", version.case_study_html, re.I)
    assert Coding.objects.filter(excerpt__document=planted).exists()  # the quote was there to leak


def test_the_follow_up_notice_names_no_topic_no_project_and_nobody(demo, mailoutbox):
    from tests.factories import deliver_outbox
    from tests.publication.follow_up_factories import resident_contact

    project, publication = demo
    resident_contact(project, email="someone@example.org")
    version = actions.publish(publication, by=User.objects.get(email="coordinator@example.org"))
    deliver_outbox()
    notices = [m for m in mailoutbox if m.to == ["someone@example.org"]]
    assert len(notices) == 1
    text = notices[0].subject + notices[0].body + "".join(str(a[0]) for a in getattr(notices[0], "alternatives", []))
    assert f"/s/{publication.public_id}/" in text and version.number == 2
    for word in ["sex", "Sex", "strategy", "Strategy", project.name, "Riverside", "safety", "police", project.slug]:
        assert word not in text, word
    for participant_code in Participant.objects.filter(project=project).values_list("code", flat=True):
        assert participant_code not in text
