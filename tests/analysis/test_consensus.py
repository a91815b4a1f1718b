"""Consensus coding: adjudicating two coders' disagreements, and the counts, matrix, exports and
report that then use the consensus."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coproduction.analysis import agreement, consensus
from coproduction.analysis.counts import coding_set, cohort_matrix, theme_rows
from coproduction.analysis.exports import excerpt_rows
from coproduction.analysis.report import report_html
from coproduction.models import Adjudication, AuditEvent, ConsensusCoding, ConsensusDecision
from tests.analysis.factories import ThemeFactory, code, make_document

pytestmark = pytest.mark.django_db

TEXT = "0123456789" * 3


def url(world, name="consensus", **kwargs):
    return reverse(f"analysis:{name}", kwargs={"slug": world.project.slug, **kwargs})


@pytest.fixture
def pair(world):
    """One document of 30 characters, coded by the analyst (first) and a peer researcher (second).

    T: both code [0,10)                    -> agreed, into the consensus at the start
    U on [10,20) by the first, V there by the second -> one disagreement, different themes
    T on [25,30) by the second only        -> one disagreement, coded by one, not the other
    """
    document = make_document(world.project, text=TEXT, cohort="Resident")
    t, u, v = (ThemeFactory(project=world.project, name=name) for name in "TUV")
    a, b = world.analyst, world.peer
    code(document, 0, 10, [t], a)
    code(document, 10, 20, [u], a)
    code(document, 0, 10, [t], b)
    code(document, 10, 20, [v], b)
    code(document, 25, 30, [t], b)
    world.extra.update(document=document, t=t, u=u, v=v)
    return world


def start(world, client, a=None, b=None, **extra):
    data = {"action": "start", "start-coder_a": (a or world.analyst).pk, "start-coder_b": (b or world.peer).pk, **extra}
    return client.post(url(world), data)


def decide(world, client, start_, end, choice, document=None):
    document = document or world.extra["document"]
    return client.post(url(world), {"action": "decide", "document": document.pk, "start": start_, "end": end, "choice": choice})


def test_disagreements_are_passages_where_the_two_coders_themes_differ(pair):
    comparison = consensus.compare(pair.project, pair.analyst, pair.peer)
    t, u, v = (pair.extra[k].pk for k in "tuv")
    assert [(p.start, p.end, p.only_a, p.only_b) for p in comparison.passages] == [(10, 20, (u,), (v,)), (25, 30, (), (t,))]
    assert comparison.agreed == [(pair.extra["document"].pk, t, 0, 10)]


def test_disagreements_cover_exactly_what_agreement_py_reports(world):
    """Random codings: the characters in the passages, theme by theme, are agreement.compare's."""
    import random

    rng = random.Random(11)
    document = make_document(world.project, text="x" * 150)
    themes = [ThemeFactory(project=world.project, name=f"T{i}") for i in range(3)]
    for coder in (world.analyst, world.peer):
        for theme in themes:
            covered: set[int] = set()
            for _ in range(3):
                s = rng.randrange(0, 140)
                e = rng.randrange(s + 1, min(150, s + 30) + 1)
                if not covered & set(range(s, e)):
                    code(document, s, e, [theme], coder)
                    covered |= set(range(s, e))
    comparison = consensus.compare(world.project, world.analyst, world.peer)
    reference = agreement.compare(world.project, world.analyst, world.peer)
    for theme in themes:
        for side, attribute in (("A", "only_a"), ("B", "only_b")):
            ours = {i for p in comparison.passages if theme.pk in getattr(p, attribute) for i in range(p.start, p.end)}
            theirs = {
                i for d in reference.disagreements if d.theme == theme and d.coded_by == side for i in range(d.start, d.end)
            }
            assert ours == theirs


def test_adjudicating_builds_the_consensus_and_every_output_uses_it(pair, client_for):
    client = client_for(pair.coordinator)
    assert "Counts from all coders&#x27; codings" in client.get(url(pair, "themes")).text
    response = start(pair, client)
    assert response.status_code == 302
    adjudication = Adjudication.objects.get(project=pair.project)
    assert list(adjudication.codings.values_list("theme__name", "start", "end", "source")) == [("T", 0, 10, "agreed")]
    page = client.get(url(pair))
    assert "2 disagreements over 1 document both coded; 2 still to decide" in page.text
    assert "0123456789" in page.text  # the passage, to read before deciding

    assert decide(pair, client, 10, 20, "both").status_code == 302
    assert decide(pair, client, 25, 30, "neither").status_code == 302
    rows = sorted(adjudication.codings.values_list("theme__name", "start", "end", "source"))
    assert rows == [("T", 0, 10, "agreed"), ("U", 10, 20, "first"), ("V", 10, 20, "second")]
    assert "0 still to decide" in client.get(url(pair)).text
    assert "Both versions, by" in client.get(url(pair)).text

    counts = {row.theme.name: (row.excerpts, row.documents, row.participants) for row in theme_rows(pair.project)}
    assert counts == {"T": (1, 1, 1), "U": (1, 1, 1), "V": (1, 1, 1)}  # T once, not once per coder
    themes_page = client.get(url(pair, "themes")).text
    assert "Counts from the consensus coding" in themes_page and "Passages</th>" in themes_page
    assert "Counts from the consensus coding" in client.get(url(pair, "matrix")).text
    assert "Counts from the consensus coding" in report_html(pair.project, publication=False)
    assert "Counts from the consensus coding" in client.get(url(pair, "export")).text
    csv_response = client.post(url(pair, "export"), {"format": "csv"})
    assert "-consensus.csv" in csv_response["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(b"".join(csv_response.streaming_content).decode("utf-8").lstrip("\ufeff"))))
    assert lines[0][5] == "Consensus source"
    assert sorted((r[0], r[6], r[7]) for r in lines[1:]) == [("T", "0", "10"), ("U", "10", "20"), ("V", "10", "20")]

    actions = list(AuditEvent.objects.filter(action__startswith="consensus.").order_by("pk").values_list("action", "object_type"))
    assert actions == [
        ("consensus.started", "coproduction.adjudication"),
        ("consensus.decided", "coproduction.consensusdecision"),
        ("consensus.decided", "coproduction.consensusdecision"),
    ]


def test_counts_after_adjudication_equal_a_fresh_recount(pair, client_for):
    client = client_for(pair.analyst)
    start(pair, client)
    decide(pair, client, 10, 20, "first")
    decide(pair, client, 25, 30, "second")
    rows = list(ConsensusCoding.objects.filter(project=pair.project).select_related("document"))
    recount: dict[str, tuple[int, int, int]] = {}
    for name in "TUV":
        mine = [r for r in rows if r.theme.name == name]
        recount[name] = (len(mine), len({r.document_id for r in mine}), len({r.document.participant_id for r in mine}))
    counts = {row.theme.name: (row.excerpts, row.documents, row.participants) for row in theme_rows(pair.project)}
    assert counts == recount == {"T": (2, 1, 1), "U": (1, 1, 1), "V": (0, 0, 0)}
    matrix = {theme.name: cells for theme, _, cells in cohort_matrix(pair.project).rows}
    cohort = pair.project.cohorts.index("Resident") if "Resident" in pair.project.cohorts else -1
    assert matrix["T"][cohort] == 1 and matrix["V"] == [0] * len(matrix["V"])


def test_discarding_the_consensus_goes_back_to_all_coders(pair, client_for):
    client = client_for(pair.analyst)
    start(pair, client)
    assert coding_set(pair.project).consensus
    client.post(url(pair), {"action": "discard"})
    assert not coding_set(pair.project).consensus and not ConsensusCoding.objects.exists()
    assert {r.theme.name: r.excerpts for r in theme_rows(pair.project)}["T"] == 3
    assert AuditEvent.objects.filter(action="consensus.discarded").exists()


def test_a_decision_on_a_passage_that_is_not_a_disagreement_is_refused(pair, client_for):
    client = client_for(pair.analyst)
    start(pair, client)
    response = decide(pair, client, 0, 10, "first")  # both coders agree here
    assert response.status_code == 400 and "not a disagreement between the two coders" in response.text
    response = decide(pair, client, 10, 21, "first")  # not the passage's bounds
    assert response.status_code == 400
    assert not ConsensusDecision.objects.exists() and ConsensusCoding.objects.count() == 1


def test_a_decision_without_a_choice_keeps_the_passage_and_says_why(pair, client_for):
    client = client_for(pair.analyst)
    start(pair, client)
    response = decide(pair, client, 10, 20, "")
    assert response.status_code == 400
    assert "Choose the first coder&#x27;s version, the second&#x27;s, both or neither." in response.text
    response = decide(pair, client, 10, 20, "everything")
    assert response.status_code == 400 and not ConsensusDecision.objects.exists()


def test_a_second_decision_on_the_same_passage_is_refused(pair, client_for):
    client = client_for(pair.analyst)
    start(pair, client)
    decide(pair, client, 10, 20, "first")
    response = decide(pair, client, 10, 20, "second")
    assert response.status_code == 400 and "already been decided" in response.text
    assert ConsensusDecision.objects.get().choice == "first"
    assert sorted(ConsensusCoding.objects.values_list("theme__name", flat=True)) == ["T", "U"]


def test_a_document_of_another_project_is_not_found(pair, client_for):
    client = client_for(pair.analyst)
    start(pair, client)
    elsewhere = make_document(pair.other_project, text=TEXT)
    response = decide(pair, client, 10, 20, "first", document=elsewhere)
    assert response.status_code == 404 and not ConsensusDecision.objects.exists()


def test_starting_needs_two_different_coders_and_starting_again_needs_confirming(pair, client_for):
    client = client_for(pair.analyst)
    response = start(pair, client, pair.analyst, pair.analyst)
    assert response.status_code == 400 and "Choose two different coders" in response.text
    assert not Adjudication.objects.exists()
    start(pair, client)
    decide(pair, client, 10, 20, "first")
    response = start(pair, client, pair.analyst, pair.peer)
    assert response.status_code == 400 and "Tick the box" in response.text
    assert ConsensusDecision.objects.count() == 1
    assert start(pair, client, **{"start-replace": "on"}).status_code == 302
    assert not ConsensusDecision.objects.exists() and ConsensusCoding.objects.count() == 1


def test_deciding_before_starting_changes_nothing(pair, client_for):
    response = decide(pair, client_for(pair.analyst), 10, 20, "first")
    assert response.status_code == 302 and not ConsensusDecision.objects.exists()


@pytest.mark.parametrize("role", ["peer_researcher", "supervisor"])
def test_other_roles_are_refused(pair, client_for, role):
    client = client_for(pair.members[role])
    assert client.get(url(pair)).status_code == 403
    assert start(pair, client).status_code == 403 and not Adjudication.objects.exists()


def test_another_projects_analyst_and_anonymous_are_refused(pair, client_for, client):
    assert client.get(url(pair)).status_code == 302  # to sign in
    assert start(pair, client).status_code == 302 and not Adjudication.objects.exists()
    outsider = client_for(pair.outsiders["analyst"])
    assert outsider.get(url(pair)).status_code == 404
    assert start(pair, outsider).status_code == 404 and not Adjudication.objects.exists()


def test_no_content_in_the_audit_log(pair, client_for):
    client = client_for(pair.analyst)
    start(pair, client)
    decide(pair, client, 10, 20, "both")
    for event in AuditEvent.objects.filter(action__startswith="consensus."):
        assert "0123" not in f"{event.action}{event.object_type}{event.object_id}"


def _grow(world, n):
    theme_a = ThemeFactory(project=world.project)
    theme_b = ThemeFactory(project=world.project)
    for _ in range(n):
        document = make_document(world.project, text=TEXT)
        code(document, 0, 10, [theme_a], world.analyst)
        code(document, 0, 10, [theme_b], world.peer)
        code(document, 12, 18, [theme_a], world.peer)


def test_query_count_is_flat_as_disagreements_grow(world, client_for):
    client = client_for(world.analyst)
    _grow(world, 1)
    start(world, client)
    counts = []
    for n in (2, 10):
        _grow(world, n)
        adjudication = Adjudication.objects.get()
        passage = consensus.compare(world.project, world.analyst, world.peer).passages[-1]
        decide(world, client, passage.start, passage.end, "first", document=passage.document)
        assert adjudication.decisions.count() >= 1
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(world)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_publication_csv_lists_each_quote_once(world, client_for):
    theme = ThemeFactory(project=world.project, name="Safety")
    document = make_document(world.project, text="I do not feel safe at night. The lamp is dark.")
    code(document, 0, 28, [theme], world.analyst)
    code(document, 0, 28, [theme], world.peer)
    code(document, 5, 28, [theme], world.second_peer)  # inside it: the same quote, joined
    public = list(excerpt_rows(world.project, publication=True))
    assert public == [["Theme", "Quote", "Cohort"], ["Safety", "I do not feel safe at night.", "Sex worker"]]
    internal = list(excerpt_rows(world.project, publication=False))
    assert len(internal) == 4  # the internal file keeps one row per coder


def test_reading_a_released_document_is_audited(world, client_for):
    document = make_document(world.project, text=TEXT)
    response = client_for(world.peer).get(url(world, "document", pk=document.pk))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="document.opened")
    assert (event.actor, event.object_id, event.project) == (world.peer, str(document.pk), world.project)


def test_coding_set_spans_give_the_same_shape_for_either_set(pair, client_for):
    document, t, u, v = (pair.extra[k] for k in ("document", "t", "u", "v"))
    everyone = list(coding_set(pair.project).spans())
    assert (document.pk, 0, 10, t.pk) in everyone and len(everyone) == 5
    client = client_for(pair.analyst)
    start(pair, client)
    decide(pair, client, 10, 20, "second")
    assert list(coding_set(pair.project).spans()) == [(document.pk, 0, 10, t.pk), (document.pk, 10, 20, v.pk)]


def test_a_deleted_document_takes_its_consensus_with_it(pair, client_for):
    """Withdrawal deletes a participant's Documents; the consensus rows and decisions go too."""
    client = client_for(pair.analyst)
    start(pair, client)
    decide(pair, client, 10, 20, "both")
    pair.extra["document"].delete()
    assert not ConsensusCoding.objects.exists() and not ConsensusDecision.objects.exists()
    assert all(row.excerpts == 0 for row in theme_rows(pair.project))
