"""Unanswered themes: active themes with evidence that no agreed, in-progress or done action
answers, heaviest evidence first; on coordinators' and analysts' dashboards."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coproduction.models import ActionStatus, Theme
from coproduction.strategy.unanswered import unanswered_page, unanswered_themes
from tests.analysis.factories import ThemeFactory
from tests.strategy.evidence_factories import make_action
from tests.strategy.test_evidence import event_said, said

pytestmark = pytest.mark.django_db
Stage = ActionStatus.Stage


def _url(world, project=None):
    return reverse("strategy:unanswered", kwargs={"slug": (project or world.project).slug})


def raised(world, name, cohorts):
    """A theme raised by one participant per entry of `cohorts`."""
    theme = ThemeFactory(project=world.project, name=name)
    for cohort in cohorts:
        said(world, theme, cohort)
    return theme


@pytest.fixture
def worked_example(world):
    """A: 3 participants in 2 cohorts; B: 5 in 1; G: 3 in 1; C answered by an agreed action;
    D answered only by a proposed action (1 participant); E retired; F answered only by an
    agreed action merged into another; H raised only at engagement events; I in the codebook
    but never coded; J answered by a declined action."""
    themes = {
        "A": raised(world, "A", ["Sex worker", "Sex worker", "Resident"]),
        "B": raised(world, "B", ["Sex worker"] * 5),
        "G": raised(world, "G", ["Resident"] * 3),
        "C": raised(world, "C", ["Sex worker"] * 9),
        "D": raised(world, "D", ["Resident"]),
        "E": raised(world, "E", ["Sex worker"] * 9),
        "F": raised(world, "F", ["Resident"] * 2),
        "H": ThemeFactory(project=world.project, name="H"),
        "I": ThemeFactory(project=world.project, name="I"),
        "J": raised(world, "J", ["Resident"]),
    }
    for _ in range(4):
        event_said(world, themes["H"])
    Theme.objects.filter(pk=themes["E"].pk).update(status=Theme.Status.RETIRED)
    make_action(world.project, title="Agreed", stage=Stage.AGREED, themes=[themes["C"]])
    make_action(world.project, title="Proposed", stage=Stage.PROPOSED, themes=[themes["D"]])
    survivor = make_action(world.project, title="Survivor", stage=Stage.PROPOSED)
    make_action(world.project, title="Merged", stage=Stage.AGREED, themes=[themes["F"]], merged_into=survivor)
    make_action(world.project, title="Declined", stage=Stage.NOT_TAKEN_FORWARD, themes=[themes["J"]], reason="Costs")
    return themes


def test_the_worked_example_of_the_brief(world):
    """A (3 participants, 2 cohorts), B (5, 1), C answered by an agreed action, D answered only
    by a proposed one, E retired: B, A, D."""
    a = raised(world, "A", ["Sex worker", "Sex worker", "Resident"])
    raised(world, "B", ["Sex worker"] * 5)
    c = raised(world, "C", ["Resident"] * 6)
    d = raised(world, "D", ["Resident"])
    e = raised(world, "E", ["Resident"] * 7)
    Theme.objects.filter(pk=e.pk).update(status=Theme.Status.RETIRED)
    make_action(world.project, title="Agreed", stage=Stage.AGREED, themes=[c])
    make_action(world.project, title="Proposed", stage=Stage.PROPOSED, themes=[d, a])
    assert [t.name for t in unanswered_themes(world.project)] == ["B", "A", "D"]


def test_the_worked_example_with_every_tie_break(world, worked_example):
    listed = list(unanswered_themes(world.project))
    # participants first (B 5; A and G 3 each, A reaching two cohorts; F 2; D and J 1, by name);
    # H has only event excerpts, so no participants: last. C is answered, E retired, I unsaid.
    assert [t.name for t in listed] == ["B", "A", "G", "F", "D", "J", "H"]
    a = listed[1]
    assert (a.participants, a.cohorts_reached, a.excerpts) == (3, 2, 3)
    h = listed[-1]
    assert (h.participants, h.cohorts_reached, h.excerpts) == (0, 0, 4)


def test_an_agreed_in_progress_or_done_action_answers_a_theme(world):
    themes = [raised(world, name, ["Resident"]) for name in ("one", "two", "three")]
    for stage, theme in zip((Stage.AGREED, Stage.IN_PROGRESS, Stage.DONE), themes, strict=True):
        make_action(world.project, title=stage, stage=stage, themes=[theme])
    assert not unanswered_themes(world.project).exists()


def test_withdrawn_participants_are_not_weight(world):
    theme = raised(world, "Lighting", ["Resident"] * 2)
    gone = theme.codings.first().excerpt.document.participant
    gone.withdrawn_at = timezone.now()
    gone.save()
    assert unanswered_themes(world.project).get().participants == 1


def test_the_page_lists_them_with_counts_by_cohort_and_links_to_the_theme(world, worked_example, client_for):
    for user in (world.coordinator, world.analyst):
        page = client_for(user).get(_url(world))
        assert page.status_code == 200
        body = page.content.decode()
        b, a, d = worked_example["B"], worked_example["A"], worked_example["D"]
        assert body.index(">B<") < body.index(">A<") < body.index(">D<")
        assert reverse("analysis:theme", kwargs={"slug": world.project.slug, "pk": a.pk}) in body
        assert ">C<" not in body and ">E<" not in body
        assert [(c, n) for c, n in page.context["themes"][1].by_cohort if n] == [("Sex worker", 2), ("Resident", 1)]
        assert b.pk == page.context["themes"][0].theme.pk and d.pk in [item.theme.pk for item in page.context["themes"]]


def test_peer_researchers_and_supervisors_are_refused_outsiders_see_nothing(world, client_for, client):
    raised(world, "Lighting", ["Resident"])
    assert client_for(world.peer).get(_url(world)).status_code == 403
    assert client_for(world.supervisor).get(_url(world)).status_code == 403
    assert client_for(world.outsiders["coordinator"]).get(_url(world)).status_code == 404
    client.logout()
    response = client.get(_url(world))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_the_list_paginates(world, client_for):
    for n in range(27):
        raised(world, f"Theme {n:02d}", ["Resident"])
    page, themes = unanswered_page(world.project, 2)
    assert page.paginator.num_pages == 2 and len(themes) == 2
    body = client_for(world.coordinator).get(_url(world), {"page": 2}).content.decode()
    assert "Page 2 of 2" in body


def test_query_count_is_flat_as_themes_grow(world, client_for):
    client = client_for(world.analyst)
    counts = []
    for n in (2, 20):
        for i in range(n):
            raised(world, f"Theme {n}-{i}", ["Resident", "Sex worker"])
        client.get(_url(world))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url(world)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def _dashboard(world, client_for, user):
    return client_for(user).get(reverse("coproduction:dashboard", kwargs={"slug": world.project.slug})).content.decode()


def test_dashboards_of_coordinators_and_analysts_show_the_count_and_top_three(world, worked_example, client_for):
    for user in (world.coordinator, world.analyst):
        page = _dashboard(world, client_for, user)
        assert "7 themes that people raised are not answered by an agreed action" in page
        top = page[page.index("Unanswered themes") :]
        assert top.index(">B<") < top.index(">A<") < top.index(">G<") and ">F<" not in top.split("</ol>")[0]
        assert _url(world) in page
    assert "strategy/actions/import" in _dashboard(world, client_for, world.coordinator)
    assert "strategy/actions/import" not in _dashboard(world, client_for, world.analyst)
    for user in (world.peer, world.supervisor):
        page = _dashboard(world, client_for, user)
        assert "Unanswered themes" not in page and _url(world) not in page


def test_the_dashboard_says_so_when_everything_is_answered(world, client_for):
    theme = raised(world, "Lighting", ["Resident"])
    make_action(world.project, themes=[theme])
    assert "Every theme people raised is answered by an agreed action" in _dashboard(world, client_for, world.coordinator)
