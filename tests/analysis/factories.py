"""Factories for the analysis tests: Documents are made here directly (the release workflow is
another area's), with consent, themes, excerpts and codings."""

from datetime import date

import factory

from coproduction.analysis import actions
from coproduction.models import Consent, Document, InformationSheet, Participant, Theme
from tests.factories import ParticipantFactory, ProjectFactory, UserFactory


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Theme {n}")
    description = "What this theme is about."
    colour = "#1d70b8"


def make_document(
    project,
    *,
    text="One sentence here. Another one there.\n\nA second paragraph.",
    cohort="Sex worker",
    participant=None,
    quotes_published=True,
    title=None,
    with_participant=True,
    released_by=None,
) -> Document:
    """A released Document, with a participant whose current consent says whether quotes may be published."""
    if participant is None and with_participant:
        participant = ParticipantFactory(project=project, cohort=cohort)
        give_consent(participant, quotes_published=quotes_published)
    return Document.objects.create(
        project=project,
        participant=participant,
        title=title or f"Interview {participant.code if participant else 'event'}",
        cohort=cohort,
        month=date(2026, 5, 1),
        sections=[],
        text=text,
        released_by=released_by or UserFactory(),
    )


def give_consent(participant: Participant, *, quotes_published=True) -> Consent:
    sheet = InformationSheet.objects.filter(project=participant.project).first() or InformationSheet.objects.create(
        project=participant.project, version=1, text="Sheet"
    )
    return Consent.objects.create(
        participant=participant,
        information_sheet=sheet,
        take_part=True,
        notes_kept=True,
        quotes_published=quotes_published,
        follow_up=False,
        recorded_by=UserFactory(),
    )


def code(document, start, end, themes, coder):
    return actions.code_excerpt(document=document, start=start, end=end, themes=themes, coder=coder)
