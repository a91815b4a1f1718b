"""Analysis pages for `make bench` (see tests/bench.py)."""

from django.urls import reverse

from coproduction.models import Document, Theme
from tests.analysis.factories import ThemeFactory, code, make_document
from tests.bench import Page

COHORTS = ["Sex worker", "Resident"]
SENTENCE = "Lamps out again. "  # 17 code points; the coding page codes each one


def _url(world, name, **kwargs):
    return reverse(f"analysis:{name}", kwargs={"slug": world.project.slug, **kwargs})


def theme_list(world, n):
    """n more themes, each with a sub-theme, each coded once in its own document."""
    start = Theme.objects.filter(project=world.project).count()
    for i in range(n):
        theme = ThemeFactory(project=world.project, name=f"Theme {start + i}")
        child = ThemeFactory(project=world.project, name=f"Theme {start + i} detail", parent=theme)
        document = make_document(world.project, cohort=COHORTS[i % 2])
        code(document, 0, 12, [theme, child], world.analyst)
    return _url(world, "themes"), world.analyst


def matrix(world, n):
    """n more coded documents, one participant each, across two cohorts and five themes (the
    rows are themes; what grows is what each cell counts — a thousand theme rows would be a
    thousand-bar chart, which no one reads)."""
    themes = list(Theme.objects.filter(project=world.project, name__startswith="Matrix "))
    if not themes:
        themes = [ThemeFactory(project=world.project, name=f"Matrix {i}") for i in range(5)]
    for i in range(n):
        document = make_document(world.project, cohort=COHORTS[i % 2])
        code(document, 0, 12, [themes[i % 5]], world.analyst)
        code(document, 13, 20, [themes[(i + 1) % 5]], world.peer)
    return _url(world, "matrix"), world.analyst


def document_list(world, n):
    theme = Theme.objects.filter(project=world.project).first() or ThemeFactory(project=world.project, name="Listed")
    for i in range(n):
        document = make_document(world.project, cohort=COHORTS[i % 2])
        code(document, 0, 12, [theme], world.analyst)
        code(document, 13, 20, [theme], world.peer)
    return _url(world, "documents"), world.analyst


def document_coding(world, n):
    """One document of one part (under PART_CHARACTERS, so all its codings are on the page); n
    more of its sentences coded, by two coders, with a memo-free theme each."""
    document = Document.objects.filter(project=world.project, title="Bench: coding").first()
    if document is None:
        document = make_document(world.project, text=SENTENCE * 1150, title="Bench: coding")
        for i in range(4):
            ThemeFactory(project=world.project, name=f"Coding {i}")
    themes = list(Theme.objects.filter(project=world.project, name__startswith="Coding ").order_by("name"))
    coded = document.excerpts.count()
    for k in range(coded, coded + n):
        start = k * len(SENTENCE)
        coder = world.analyst if k % 2 else world.peer
        code(document, start, start + len(SENTENCE) - 2, [themes[k % 4]], coder)
    return _url(world, "document", pk=document.pk), world.analyst


# Server time the issue asks of these two at 2,000 themes (1,000 with a sub-theme each) and at
# 1,000 codings on one document.
PAGES = [
    Page("analysis: theme list", theme_list, target_ms=150),
    Page("analysis: theme × cohort matrix", matrix),
    Page("analysis: document list", document_list),
    Page("analysis: a document's coding page", document_coding, target_ms=150),
]
