"""“Why we are doing this”: counts by cohort for the themes an action answers (suppressed for
publication), and a few quotes from participants who consented to publication."""

from datetime import date

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coproduction.models import Document
from coproduction.strategy.evidence import EVENTS_LABEL, evidence_context, evidence_for
from tests.analysis.factories import ThemeFactory, code, give_consent, make_document
from tests.analysis.test_boundaries import project_modules_reached
from tests.engagement.factories import held_event
from tests.strategy.evidence_factories import make_action

pytestmark = pytest.mark.django_db


def said(world, theme, cohort="Sex worker", text="The lamp by the bridge is broken.", **kwargs):
    document = make_document(world.project, text=text, cohort=cohort, **kwargs)
    code(document, 0, len(text), [theme], world.analyst)
    return document


def event_said(world, theme, text="People at the hall asked for more lighting.", *, ground_rules_allow_quotes=False):
    document = Document.objects.create(
        project=world.project,
        source=Document.Source.EVENT,
        participant=None,
        title="Resident event, May 2026",
        cohort="Resident, Faith leader",
        month=date(2026, 5, 1),
        text=text,
        released_by=world.coordinator,
    )
    code(document, 0, len(text), [theme], world.analyst)
    event = held_event(world)
    event.document, event.ground_rules_allow_quotes = document, ground_rules_allow_quotes
    event.save(update_fields=["document", "ground_rules_allow_quotes"])
    return document


def rows_of(item):
    return {row.label: (row.excerpts, row.participants) for row in item.rows}


def test_counts_by_cohort_for_each_linked_theme(world):
    safety = ThemeFactory(project=world.project, name="Street safety", order=0)
    services = ThemeFactory(project=world.project, name="Support services", order=1)
    unlinked = ThemeFactory(project=world.project, name="Housing", order=2)
    for _ in range(3):
        said(world, safety, "Sex worker")
    said(world, safety, "Resident")
    said(world, services, "Resident")
    said(world, unlinked, "Resident")
    action = make_action(world.project, themes=[safety, services])

    evidence = evidence_for(action, publication=False)

    assert [item.theme for item in evidence] == [safety, services]
    # Every cohort of the project has a row (the project's default cohorts), even with none.
    assert rows_of(evidence[0]) == {"Sex worker": ("3", "3"), "Resident": ("1", "1"), "Faith leader": ("0", "0")}
    assert (evidence[0].total.excerpts, evidence[0].total.participants) == ("4", "4")
    assert rows_of(evidence[1])["Resident"] == ("1", "1") and rows_of(evidence[1])["Sex worker"] == ("0", "0")


def test_publication_hides_small_counts_and_the_cell_that_would_give_them_away(world):
    world.project.small_number_threshold = 3
    world.project.save()
    theme = ThemeFactory(project=world.project, name="Street safety")
    for _ in range(4):
        said(world, theme, "Sex worker")
    said(world, theme, "Resident")
    action = make_action(world.project, themes=[theme])

    internal = evidence_for(action, publication=False)[0]
    published = evidence_for(action, publication=True)[0]

    assert rows_of(internal) == {"Sex worker": ("4", "4"), "Resident": ("1", "1"), "Faith leader": ("0", "0")}
    # The Resident 1 is hidden; with the total 5 shown, the Sex worker 4 would give it away.
    assert rows_of(published) == {"Sex worker": ("<3", "<3"), "Resident": ("<3", "<3"), "Faith leader": ("0", "0")}
    assert (published.total.excerpts, published.total.participants) == ("5", "5")


def test_withdrawn_participants_are_not_counted_and_events_add_excerpts_but_no_people(world):
    theme = ThemeFactory(project=world.project, name="Street safety")
    said(world, theme, "Sex worker")
    gone = said(world, theme, "Sex worker")
    gone.participant.withdrawn_at = timezone.now()
    gone.participant.save()
    event_said(world, theme)
    action = make_action(world.project, themes=[theme])

    item = evidence_for(action, publication=False)[0]

    assert rows_of(item)["Sex worker"] == ("1", "1")
    assert rows_of(item)[EVENTS_LABEL] == ("1", "")
    assert (item.total.excerpts, item.total.participants) == ("2", "1")
    assert all(quote.text != "People at the hall asked for more lighting." for quote in item.quotes)


def test_quotes_only_from_participants_whose_current_consent_allows_publication(world):
    theme = ThemeFactory(project=world.project, name="Street safety")
    said(world, theme, text="Yes you may quote me.")
    said(world, theme, text="Please do not quote me.", quotes_published=False)
    changed_mind = said(world, theme, text="I said yes, then no.")
    give_consent(changed_mind.participant, quotes_published=False)  # the newer consent is current
    gone = said(world, theme, text="I left the study.")
    gone.participant.withdrawn_at = timezone.now()
    gone.participant.save()
    event_said(world, theme, text="A quote from the hall.")
    action = make_action(world.project, themes=[theme])

    for publication in (False, True):
        quotes = [q.text for q in evidence_for(action, publication=publication)[0].quotes]
        assert quotes == ["Yes you may quote me."]


def test_event_quotes_only_when_the_events_ground_rules_allowed_them(world):
    theme = ThemeFactory(project=world.project, name="Street safety")
    event_said(world, theme, text="Said where quotes were allowed.", ground_rules_allow_quotes=True)
    event_said(world, theme, text="Said where they were not.")
    action = make_action(world.project, themes=[theme])

    item = evidence_for(action, publication=True)[0]

    assert [q.text for q in item.quotes] == ["Said where quotes were allowed."]
    assert item.quotes[0].cohort == "Resident, Faith leader"  # the room, not a person
    assert rows_of(item)[EVENTS_LABEL] == ("<10", "")


def test_at_most_three_quotes_those_chosen_for_the_report_first(world):
    theme = ThemeFactory(project=world.project, name="Street safety")
    for n in range(5):
        said(world, theme, text=f"Quote number {n}.")
    chosen = said(world, theme, text="The chosen one.")
    chosen.excerpts.update(chosen_for_report=True)
    action = make_action(world.project, themes=[theme])

    quotes = [q.text for q in evidence_for(action, publication=True)[0].quotes]

    assert len(quotes) == 3 and quotes[0] == "The chosen one."


def test_an_action_with_no_themes_has_no_evidence(world):
    action = make_action(world.project)
    assert evidence_for(action, publication=True) == []


def test_the_partial_renders_nothing_without_evidence_and_no_code_date_or_coder_with_it(world):
    assert render_to_string("strategy/includes/_evidence.html", {}).strip() == ""
    theme = ThemeFactory(project=world.project, name="Street safety")
    document = said(world, theme, text="The lamp by the bridge is broken.")
    action = make_action(world.project, themes=[theme])

    page = render_to_string("strategy/includes/_evidence.html", evidence_context(action, True))

    assert "Why we are doing this" in page and "Street safety" in page
    assert "The lamp by the bridge is broken." in page and "<10" in page.replace("&lt;", "<")
    assert document.participant.code not in page
    assert world.analyst.display_name not in page and "May 2026" not in page and "2026" not in page
    assert "/analysis/" not in page  # a published page links nowhere inside the product
    empty = render_to_string("strategy/includes/_evidence.html", evidence_context(make_action(world.project, title="B"), True))
    assert "not linked to a theme yet" in empty


def test_query_count_is_flat_as_themes_and_excerpts_grow(world):
    counts = []
    for size in (2, 12):
        themes = [ThemeFactory(project=world.project, name=f"Theme {size}-{n}") for n in range(size)]
        for theme in themes:
            for cohort in ("Sex worker", "Resident", "Faith leader"):
                said(world, theme, cohort)
        action = make_action(world.project, themes=themes, title=f"Action {size}")
        action = type(action).objects.select_related("project").get(pk=action.pk)
        with CaptureQueriesContext(connection) as queries:
            evidence = evidence_for(action, publication=True)
            assert len(evidence) == size and all(len(item.quotes) == 3 for item in evidence)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_strategy_evidence_code_never_imports_wellbeing_or_interviews():
    start = {
        f"coproduction.strategy.{name}"
        for name in ("evidence", "unanswered", "exchange", "exchange_views", "evidence_views", "tables", "pending_imports")
    }
    reached = project_modules_reached(start)
    assert not [m for m in reached if m.split(".")[0] in {"wellbeing", "interviews"}]
    assert "coproduction.analysis.counts" in reached


def test_the_action_page_shows_why_we_are_doing_this(world, client_for):
    """The evidence partial is on the action page: full counts for coordinators, small counts
    hidden for peer researchers and for the publication view."""
    from django.urls import reverse

    from tests.analysis.factories import ThemeFactory, code, make_document
    from tests.strategy.factories import make_action

    theme = ThemeFactory(project=world.project, name="Outreach hubs")
    document = make_document(world.project, text="The hub on a Tuesday is the only place I trust.")
    code(document, 0, 20, [theme], world.analyst)
    action = make_action(world.project, "Three outreach hubs")
    action.themes.add(theme)
    address = reverse("strategy:action", kwargs={"slug": world.project.slug, "pk": action.pk})
    coordinator = client_for(world.coordinator).get(address).content.decode()
    assert "Why we are doing this" in coordinator and "Outreach hubs" in coordinator
    peer = client_for(world.peer).get(address).content.decode()
    assert "Why we are doing this" in peer and f"&lt;{world.project.small_number_threshold}" in peer
