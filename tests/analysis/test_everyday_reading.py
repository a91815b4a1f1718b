"""Small things that read wrong: the theme report's plurals and a publication chart with no bar
to draw; the agreement and consensus pages comparing a coder with themselves by default; both
blind-coding buttons at once."""

import pytest
from django.urls import reverse

from coproduction.analysis import report
from coproduction.analysis.actions import start_blind_session
from tests.analysis.factories import ThemeFactory, code, make_document

pytestmark = pytest.mark.django_db


def url(world, name):
    return reverse(f"analysis:{name}", kwargs={"slug": world.project.slug})


@pytest.fixture
def one_of_each(world):
    theme = ThemeFactory(project=world.project, name="Street lighting")
    code(make_document(world.project), 0, 12, [theme], world.analyst)
    return theme


def test_the_report_says_one_passage_not_one_passages(world, one_of_each):
    html = report.report_html(world.project, publication=False)
    assert "1 passage · 1 document · 1 participant<" in html
    assert "1 released document from 1 participant, coded into 1 theme." in html
    assert "passages ·" not in html and "participants<" not in html


def test_a_suppressed_count_reads_plural(world, one_of_each):
    html = report.report_html(world.project, publication=True)
    assert "&lt;10 passages · &lt;10 documents · &lt;10 participants" in html


def test_a_publication_chart_of_nothing_but_small_counts_says_why_it_has_no_bars(world, one_of_each, client_for):
    context = report.report_context(world.project, publication=True)
    assert not context["bars_drawn"]
    assert context["chart_note"].startswith("No bars are drawn: every count is under 10")
    assert "No bars are drawn" in report.report_html(world.project, publication=True)
    internal = report.report_context(world.project, publication=False)
    assert internal["bars_drawn"] and internal["chart_note"] == ""
    assert 'class="bar"' in report.report_html(world.project, publication=False)
    page = client_for(world.analyst).get(url(world, "matrix"), {"publication": "1"}).content.decode()
    assert "No bars are drawn: every count is under 10" in page and "data:image/png" not in page


def test_a_publication_chart_with_some_bars_says_which_are_missing(world):
    world.project.small_number_threshold = 2
    world.project.save(update_fields=["small_number_threshold"])
    shown = ThemeFactory(project=world.project, name="Street lighting")
    for _ in range(3):
        code(make_document(world.project, cohort="Sex worker"), 0, 12, [shown], world.analyst)
    small = ThemeFactory(project=world.project, name="Outreach")
    code(make_document(world.project, cohort="Resident"), 0, 12, [small], world.analyst)
    context = report.report_context(world.project, publication=True)
    assert context["bars_drawn"]
    assert context["chart_note"] == "Counts under 2 are not drawn as bars: they read “<2”."


def test_the_two_coder_boxes_start_on_two_different_coders(world, one_of_each, client_for):
    code(make_document(world.project), 0, 12, [one_of_each], world.peer)
    for name in ("agreement", "consensus"):
        response = client_for(world.analyst).get(url(world, name))
        form = response.context["form"] if name == "agreement" else response.context["start_form"]
        assert form["coder_a"].value() != form["coder_b"].value(), name
        assert {form["coder_a"].value(), form["coder_b"].value()} == {world.analyst.pk, world.peer.pk}


def test_the_corpus_offers_one_blind_coding_button_at_a_time(world, one_of_each, client_for):
    page = client_for(world.peer).get(url(world, "documents")).content.decode()
    assert "Start coding blind" in page and "I have finished coding blind" not in page
    start_blind_session(world.project, world.peer)
    page = client_for(world.peer).get(url(world, "documents")).content.decode()
    assert "I have finished coding blind" in page and "Start coding blind" not in page
