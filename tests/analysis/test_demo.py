"""seed_demo adds a codebook from the brief's themes, a few fictional Documents if there are
none, and codings by two coders; running it twice changes nothing."""

import io

from django.core.management import call_command

from coproduction.analysis import agreement
from coproduction.models import Coding, Document, Excerpt, Project, Theme, User


def test_seed_demo_builds_a_coded_corpus(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    project = Project.objects.get(slug="riverside-safety")
    names = set(project.themes.values_list("name", flat=True))
    assert {"Street safety", "Lighting and infrastructure", "Support services", "Community engagement", "Policing"} <= names
    assert Theme.objects.filter(project=project, parent__isnull=False).count() >= 2
    assert Document.objects.filter(project=project).exists()
    coders = set(Coding.objects.filter(theme__project=project).values_list("coder", flat=True))
    assert len(coders) == 2
    analyst = User.objects.get(email="analyst@example.org")
    peer = User.objects.get(email="peer1@example.org")
    result = agreement.compare(project, analyst, peer)
    assert result.overall.kappa is not None and 0 < result.overall.kappa < 1
    counts = (Theme.objects.count(), Excerpt.objects.count(), Document.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Theme.objects.count(), Excerpt.objects.count(), Document.objects.count()) == counts


def test_seed_demo_codes_documents_that_already_exist(db, settings):
    from coproduction import demo
    from coproduction.analysis import demo_data

    settings.DEBUG = True
    project, people = demo.seed()
    # seed() ran every step; start again with a Document of the interviews' making only.
    Excerpt.objects.all().delete()
    Document.objects.all().delete()
    text, spans = Document.compose([("Safety", "The street is not safe at night. The police never come.")])
    Document.objects.create(
        project=project,
        title="Released interview",
        cohort="Sex worker",
        month="2026-06-01",
        sections=spans,
        text=text,
        released_by=people["coordinator"],
    )
    demo_data.seed_codebook(project, people)
    assert Document.objects.count() == 1 and Excerpt.objects.exists()
