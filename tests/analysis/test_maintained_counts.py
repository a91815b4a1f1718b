"""The stored theme counts (ThemeCount) never drift from a fresh recount: random sequences of
everything that changes what a count means, then the table is compared with the codings."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coproduction.analysis import actions, consensus
from coproduction.analysis.counts import CodingSet, coding_set, cohort_matrix, fresh_counts, stored_counts, theme_rows
from coproduction.models import Adjudication, Excerpt, InformationSheet, Participant, Theme, ThemeCount
from coproduction.participation.actions import record_consent, withdraw_participant
from tests.analysis.factories import ThemeFactory, give_consent, make_document

TEXT = "Lamps out by the canal. The van came late. Nobody called back.\n\nWe walked home together."
SPANS = [(0, 23), (24, 42), (43, 62), (0, 42), (64, 88), (30, 70)]
COHORTS = ["Sex worker", "Resident", "Faith leader"]

operation = st.one_of(
    st.tuples(
        st.just("code"),
        st.integers(0, 5),
        st.integers(0, 5),
        st.sets(st.integers(0, 4), min_size=1, max_size=2),
        st.integers(0, 1),
    ),
    st.tuples(st.just("remove"), st.integers(0, 40)),
    st.tuples(st.just("merge"), st.integers(0, 4), st.integers(0, 4)),
    st.tuples(st.just("decline")),
    st.tuples(st.just("withdraw"), st.integers(0, 3)),
    st.tuples(st.just("mark withdrawn"), st.integers(0, 3)),
    st.tuples(st.just("consent"), st.integers(0, 3), st.booleans(), st.booleans()),
    st.tuples(st.just("adjudicate")),
    st.tuples(st.just("decide"), st.integers(0, 10), st.sampled_from(["first", "second", "both", "neither"])),
    st.tuples(st.just("discard")),
)


def _assert_counts_are_fresh(project) -> None:
    sets = [CodingSet(project, None)]
    current = coding_set(project)
    if current.consensus:
        sets.append(current)
    for codings in sets:
        assert stored_counts(codings) == fresh_counts(codings), codings.label
    assert (
        not ThemeCount.objects.filter(project=project)
        .exclude(adjudication=None)
        .exclude(adjudication=current.adjudication)
        .exists()
    )


def _world(world):
    project = world.project
    themes = [ThemeFactory(project=project, name=f"Counted {i}") for i in range(4)]
    themes.append(ThemeFactory(project=project, name="Proposed", status=Theme.Status.PROPOSED, proposed_by=world.peer))
    participants = []
    documents = []
    for i in range(4):
        document = make_document(project, cohort=COHORTS[i % 3], text=TEXT)
        participants.append(document.participant)
        documents.append(document)
    # A second Document of the first participant, and event notes with no participant.
    documents.append(make_document(project, cohort=COHORTS[0], text=TEXT, participant=participants[0]))
    documents.append(make_document(project, cohort=COHORTS[1], text=TEXT, with_participant=False))
    return themes, participants, documents


def _apply(op, world, themes, participants, documents) -> None:
    project, coders = world.project, [world.analyst, world.peer]
    kind = op[0]
    try:
        if kind == "code":
            _, doc, span, theme_ids, coder = op
            start, end = SPANS[span]
            actions.code_excerpt(
                document=documents[doc], start=start, end=end, themes=[themes[t] for t in theme_ids], coder=coders[coder]
            )
        elif kind == "remove":
            excerpt = Excerpt.objects.filter(document__project=project).order_by("pk")[op[1] : op[1] + 1].first()
            if excerpt is not None:
                actions.remove_excerpt(excerpt, by=excerpt.coder)
        elif kind == "merge":
            source, target = (Theme.objects.get(pk=themes[i].pk) for i in op[1:])
            if source.status in {Theme.Status.ACTIVE, Theme.Status.PROPOSED} and target.status == Theme.Status.ACTIVE:
                actions.merge_themes(source, target, by=world.analyst)
        elif kind == "decline":
            proposed = Theme.objects.get(pk=themes[4].pk)
            if proposed.status == Theme.Status.PROPOSED:
                actions.decline_proposal(proposed, by=world.analyst)
        elif kind == "withdraw":
            participant = Participant.objects.get(pk=participants[op[1]].pk)
            if participant.withdrawn_at is None:
                withdraw_participant(participant, by=world.coordinator)
        elif kind == "mark withdrawn":  # the flag alone, Documents left in place (the second guard)
            participant = Participant.objects.get(pk=participants[op[1]].pk)
            participant.withdrawn_at = timezone.now()
            participant.save(update_fields=["withdrawn_at"])
        elif kind == "consent":
            participant = Participant.objects.get(pk=participants[op[1]].pk)
            if participant.withdrawn_at is None:
                items = {"take_part": True, "notes_kept": op[2], "quotes_published": op[3], "follow_up": False}
                record_consent(
                    participant=participant,
                    sheet=InformationSheet.objects.get(project=project),
                    items=items,
                    by=world.coordinator,
                )
        elif kind == "adjudicate":
            consensus.start_adjudication(project, world.analyst, world.peer, by=world.analyst)
        elif kind == "decide":
            adjudication = Adjudication.objects.filter(project=project).first()
            if adjudication is not None:
                open_passages = consensus.compare(project, world.analyst, world.peer).passages
                decided = set(adjudication.decisions.values_list("document_id", "start", "end"))
                open_passages = [p for p in open_passages if (p.document.pk, p.start, p.end) not in decided]
                if open_passages:
                    passage = open_passages[op[1] % len(open_passages)]
                    consensus.decide(adjudication, passage.document, passage.start, passage.end, op[2], by=world.analyst)
        elif kind == "discard":
            adjudication = Adjudication.objects.filter(project=project).first()
            if adjudication is not None:
                consensus.discard_adjudication(adjudication, by=world.analyst)
    except ValidationError:  # CodingRefused, DecisionRefused, a merge into itself
        pass  # refused changes change nothing, which the comparison checks too


@pytest.mark.django_db(transaction=False)
@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(operations=st.lists(operation, min_size=1, max_size=10))
def test_stored_counts_equal_a_fresh_recount_after_any_changes(world, operations):
    with transaction.atomic():
        themes, participants, documents = _world(world)
        for op in operations:
            _apply(op, world, themes, participants, documents)
        _assert_counts_are_fresh(world.project)
        transaction.set_rollback(True)


def test_theme_list_and_matrix_read_the_stored_counts(world, django_assert_num_queries):
    themes, participants, documents = _world(world)
    actions.code_excerpt(document=documents[0], start=0, end=23, themes=themes[:2], coder=world.analyst)
    actions.code_excerpt(document=documents[4], start=0, end=23, themes=themes[:1], coder=world.peer)  # same participant
    actions.code_excerpt(document=documents[1], start=24, end=42, themes=themes[:1], coder=world.analyst)
    actions.code_excerpt(document=documents[5], start=24, end=42, themes=themes[1:2], coder=world.analyst)  # event notes
    rows = {row.theme.name: (row.excerpts, row.documents, row.participants) for row in theme_rows(world.project)}
    assert rows["Counted 0"] == (3, 3, 2)
    assert rows["Counted 1"] == (2, 2, 1)
    assert rows["Counted 2"] == (0, 0, 0)
    matrix = cohort_matrix(world.project)
    cells = {theme.name: counts for theme, _, counts in matrix.rows}
    assert matrix.cohorts[:3] == COHORTS
    assert cells["Counted 0"][:3] == [1, 1, 0]
    assert cells["Counted 1"][:3] == [1, 0, 0]


def test_a_coding_that_fails_half_way_leaves_the_counts_as_they_were(world, monkeypatch):
    themes, _, documents = _world(world)
    actions.code_excerpt(document=documents[0], start=0, end=23, themes=themes[:1], coder=world.analyst)
    before = stored_counts(CodingSet(world.project, None))

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(actions, "recount", fail)
    with pytest.raises(RuntimeError):
        actions.code_excerpt(document=documents[1], start=0, end=23, themes=themes[:1], coder=world.analyst)
    assert stored_counts(CodingSet(world.project, None)) == before
    assert Excerpt.objects.filter(document=documents[1]).count() == 0


def test_counts_of_another_project_are_untouched(world):
    themes, _, documents = _world(world)
    other_theme = ThemeFactory(project=world.other_project, name="Elsewhere")
    other_document = make_document(world.other_project, text=TEXT)
    give_consent(other_document.participant)
    actions.code_excerpt(document=other_document, start=0, end=23, themes=[other_theme], coder=world.outsiders["analyst"])
    actions.code_excerpt(document=documents[0], start=0, end=23, themes=themes[:1], coder=world.analyst)
    assert ThemeCount.objects.filter(project=world.other_project, theme=other_theme, cohort="").get().passages == 1
    assert not ThemeCount.objects.filter(project=world.project, theme=other_theme).exists()
