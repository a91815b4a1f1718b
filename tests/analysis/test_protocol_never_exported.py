"""Records of the distress protocol's use never leave through an export, the corpus, a
REFI-QDA file or a publication.

The demo-like project of the publication-promise test gets an interview (the one its released
Document came from) on which the protocol was used, with a service signposted and a follow-up
call agreed; then every export format, internal and for publication, a published version and
the released corpus are searched for anything the record holds.
"""

import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from coproduction.analysis import builders
from coproduction.models import Document, ExportJob, ProtocolStep
from coproduction.publication import actions as publication_actions
from interviews.models import Interview, ProtocolUse
from tests.analysis.test_publication_promise import demo_like, private_media, texts_of  # noqa: F401 - fixtures
from tests.interviews.factories import guide_for, venue_for
from tests.publication.factories import composed
from tests.signposting.factories import protocol_use, service

pytestmark = pytest.mark.django_db


@pytest.fixture
def protocol_used(demo_like):  # noqa: F811 - the imported fixture
    world = demo_like
    document = Document.objects.get(project=world.project, participant__cohort="Resident")
    interview = Interview.objects.create(
        project=world.project,
        participant=document.participant,
        interviewer=world.peer,
        starts_at=timezone.now() - timedelta(days=3),
        venue=venue_for(world.project),
        topic_guide=guide_for(world.project),
        booked_by=world.coordinator,
        status=Interview.Status.COMPLETED,
        completed_at=timezone.now() - timedelta(days=3),
        document=document,
    )
    hub = service(world.project, "Tannery Lane Night Hub", languages="Tigrinya")
    protocol_use(
        interview,
        stage=2,
        interview_ended=True,
        offered=[value for value in ProtocolUse.Offer.values],
        services=[hub],
        follow_up_on=timezone.localdate() + timedelta(days=2),
    )
    return world


def record_words(project, *, generic: bool = True) -> list[str]:
    """Everything a record of the protocol's use holds or names, and (generic) the words that
    would say one exists."""
    words = ["follow-up call", "Tannery Lane", "Tigrinya", "pocket card"]
    if generic:
        words += ["protocol", "distress"]
    words += list(ProtocolStep.objects.filter(project=project).values_list("title", flat=True))
    words += [label for label in ProtocolUse.Offer.labels if label != "A break"]  # "a break" is ordinary prose
    return words


def _assert_clean(text: str, where: str, words: list[str]) -> None:
    for word in words:
        assert word.casefold() not in text.casefold(), f"{word!r} in {where}"


@pytest.mark.parametrize("publication", [False, True], ids=["internal", "publication"])
@pytest.mark.parametrize("fmt", [choice.value for choice in ExportJob.Format])
def test_no_export_format_carries_a_record_of_the_protocol(protocol_used, fmt, publication):
    world = protocol_used
    assert ProtocolUse.objects.filter(interview__project=world.project).exists()
    built = io.BytesIO()
    builders.build(world.project, fmt, publication, built)
    parts = texts_of(fmt, built.getvalue(), world.project)
    assert parts and any(part.strip() for part in parts.values())
    for part, text in parts.items():
        _assert_clean(text, f"{part} of the {fmt} export", record_words(world.project))


def test_the_corpus_and_a_published_version_carry_no_record_of_the_protocol(protocol_used):
    world = protocol_used
    # Not the bare words: published pages say what training is offered, and "Distress protocol"
    # is one of the default training modules (coproduction.support_offer). Never any use of it.
    words = record_words(world.project, generic=False)
    for document in Document.objects.filter(project=world.project):
        _assert_clean(f"{document.title}\n{document.text}", f"document {document.pk}", words)
    publication, _, _ = composed(world.project, world.analyst)
    version = publication_actions.publish(publication, by=world.coordinator)
    _assert_clean(json.dumps(version.snapshot), "the published snapshot", words)
    _assert_clean(version.page_html, "the public page", words)
    _assert_clean(version.case_study_html, "the case study", words)
