"""Consensus coding: two coders' codings reconciled, passage by passage, by an analyst.

The comparison is agreement.py's: only documents both coders have coded, only themes still in
the codebook (not declined or merged), character by character. Where the two coders applied
the same theme to the same characters they agree; those spans enter the consensus set
automatically, copied when adjudication starts (codings made later are not in it until an
analyst starts again). Everywhere else on those documents a *disagreement* is a maximal run of
characters over which the first coder's themes and the second coder's themes differ in the
same way: passages one coded and the other did not, and passages coded with different themes,
are both disagreements. For each, an analyst chooses the first coder's version, the second's,
both or neither; the themes chosen become consensus rows on that span.

Who adjudicates: analysts and coordinators (the agreement page's roles). A coder is not kept
from deciding on their own disagreements: in a team of one analyst and three peer researchers
that would leave nobody, and consensus is usually reached by the coders talking it through.
Each decision records who made it, and the audit log has a row for each.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from coproduction.analysis.agreement import _mask, _runs
from coproduction.analysis.counts import recount
from coproduction.audit import record
from coproduction.models import (
    Adjudication,
    Coding,
    ConsensusCoding,
    ConsensusDecision,
    Document,
    Project,
    Theme,
    User,
)

EXCLUDED_STATUSES = [Theme.Status.DECLINED, Theme.Status.MERGED]


class DecisionRefused(ValidationError):
    """The decision could not be recorded; the message says why in the analyst's words."""


@dataclass
class Passage:
    """One disagreement: a span where the first coder applied `only_a` and the second `only_b`
    (theme ids; either may be empty, not both), besides the themes they share (`shared`)."""

    document: Document
    start: int
    end: int
    only_a: tuple[int, ...]
    only_b: tuple[int, ...]
    shared: tuple[int, ...]
    decision: ConsensusDecision | None = None

    @property
    def quote(self) -> str:
        return self.document.text[self.start : self.end]

    def themes_for(self, choice: str) -> list[tuple[int, str]]:
        """(theme id, ConsensusCoding source) that a choice puts into the consensus."""
        first = [(t, ConsensusCoding.Source.FIRST) for t in self.only_a]
        second = [(t, ConsensusCoding.Source.SECOND) for t in self.only_b]
        return {"first": first, "second": second, "both": first + second, "neither": []}[choice]


@dataclass
class Comparison:
    passages: list[Passage]
    agreed: list[tuple[int, int, int, int]]  # (document id, theme id, start, end)
    documents: list[Document]
    themes: dict[int, Theme]


def _codings(project: Project, coder_a: User, coder_b: User, document: Document | None = None):
    codings = Coding.objects.filter(
        excerpt__document__project=project, theme__project=project, coder__in=[coder_a, coder_b]
    ).exclude(theme__status__in=EXCLUDED_STATUSES)
    if document is not None:
        codings = codings.filter(excerpt__document=document)
    return list(codings.values_list("coder_id", "theme_id", "excerpt__document_id", "excerpt__start", "excerpt__end"))


def compare(project: Project, coder_a: User, coder_b: User, document: Document | None = None) -> Comparison:
    """Disagreements and agreements of two coders, over the documents both coded (or one).

    Three queries however many codings: the codings, the documents' texts, the themes.
    """
    codings = _codings(project, coder_a, coder_b, document)
    docs_a = {d for c, _, d, _, _ in codings if c == coder_a.pk}
    docs_b = {d for c, _, d, _, _ in codings if c == coder_b.pk}
    doc_ids = docs_a & docs_b
    if not doc_ids:
        return Comparison([], [], [], {})
    if document is not None:
        documents = [document]
    else:
        documents = list(
            Document.objects.filter(pk__in=doc_ids).only("id", "title", "text", "project_id").order_by("title", "pk")
        )
    themes = {t.pk: t for t in Theme.objects.filter(pk__in={t for _, t, d, _, _ in codings if d in doc_ids})}
    masks: dict[tuple[int, int, int], int] = {}
    for coder_id, theme_id, doc_id, start, end in codings:
        if doc_id in doc_ids:
            key = (doc_id, coder_id, theme_id)
            masks[key] = masks.get(key, 0) | _mask(start, end)
    passages: list[Passage] = []
    agreed: list[tuple[int, int, int, int]] = []
    for doc in documents:
        theme_ids = sorted({t for (d, _, t) in masks if d == doc.pk})
        a = {t: masks.get((doc.pk, coder_a.pk, t), 0) for t in theme_ids}
        b = {t: masks.get((doc.pk, coder_b.pk, t), 0) for t in theme_ids}
        cuts = {0, len(doc.text)}
        for theme_id in theme_ids:
            for start, end in _runs(a[theme_id] & b[theme_id]):
                agreed.append((doc.pk, theme_id, start, end))
            for start, end in _runs(a[theme_id]) + _runs(b[theme_id]):
                cuts.update((start, end))
        points = sorted(cuts)
        current: Passage | None = None
        for start, end in zip(points, points[1:], strict=False):
            bit = 1 << start  # the themes are constant between two cuts: its first character tells
            only_a = tuple(t for t in theme_ids if a[t] & bit and not b[t] & bit)
            only_b = tuple(t for t in theme_ids if b[t] & bit and not a[t] & bit)
            shared = tuple(t for t in theme_ids if a[t] & b[t] & bit)
            if not only_a and not only_b:
                current = None
                continue
            if current and current.end == start and (current.only_a, current.only_b) == (only_a, only_b):
                current.end = end
                current.shared = tuple(sorted(set(current.shared) | set(shared)))
                continue
            current = Passage(doc, start, end, only_a, only_b, shared)
            passages.append(current)
    return Comparison(passages, agreed, documents, themes)


def with_decisions(adjudication: Adjudication, passages: list[Passage]) -> list[Passage]:
    """Attach each passage's decision, if one was made. One query."""
    decisions = {
        (d.document_id, d.start, d.end): d
        for d in adjudication.decisions.select_related("decided_by").filter(document_id__in={p.document.pk for p in passages})
    }
    for passage in passages:
        passage.decision = decisions.get((passage.document.pk, passage.start, passage.end))
    return passages


@transaction.atomic
def start_adjudication(project: Project, coder_a: User, coder_b: User, *, by: User) -> Adjudication:
    """Replace the project's consensus set with a new one for these two coders.

    Steps: delete any earlier set (its decisions and rows go with it), create the set, copy in
    every span both coders agree on, audit (no content).
    """
    if coder_a.pk == coder_b.pk:
        raise ValidationError("Choose two different coders.")
    Adjudication.objects.filter(project=project).delete()
    adjudication = Adjudication.objects.create(project=project, coder_a=coder_a, coder_b=coder_b, started_by=by)
    comparison = compare(project, coder_a, coder_b)
    ConsensusCoding.objects.bulk_create(
        [
            ConsensusCoding(
                adjudication=adjudication,
                project=project,
                document_id=doc_id,
                theme_id=theme_id,
                start=start,
                end=end,
                source=ConsensusCoding.Source.AGREED,
            )
            for doc_id, theme_id, start, end in comparison.agreed
        ],
        batch_size=500,
    )
    recount(project)
    record(by, "consensus.started", adjudication, project=project)
    return adjudication


def decide(adjudication: Adjudication, document: Document, start: int, end: int, choice: str, *, by: User) -> ConsensusDecision:
    """Record one decision and the consensus rows it adds, all or nothing.

    The span must be a current disagreement between the two coders on this document (worked
    out again here, so the themes come from the codings, never from the form), and undecided.
    """
    if choice not in ConsensusDecision.Choice.values:
        raise DecisionRefused("Choose the first coder's version, the second's, both or neither.")
    comparison = compare(adjudication.project, adjudication.coder_a, adjudication.coder_b, document)
    passage = next((p for p in comparison.passages if (p.start, p.end) == (start, end)), None)
    if passage is None:
        raise DecisionRefused("That passage is not a disagreement between the two coders. Nothing was saved.")
    try:
        with transaction.atomic():
            decision = ConsensusDecision.objects.create(
                adjudication=adjudication,
                document=document,
                start=start,
                end=end,
                choice=choice,
                decided_by=by,
                decided_at=timezone.now(),
            )
            ConsensusCoding.objects.bulk_create(
                ConsensusCoding(
                    adjudication=adjudication,
                    project_id=adjudication.project_id,
                    document=document,
                    theme_id=theme_id,
                    start=start,
                    end=end,
                    source=source,
                    decision=decision,
                )
                for theme_id, source in passage.themes_for(choice)
            )
            recount(adjudication.project, [theme_id for theme_id, _ in passage.themes_for(choice)])
            record(by, "consensus.decided", decision, project=adjudication.project)
    except IntegrityError:
        # The unique constraint is the guard when two analysts decide the same passage at once.
        raise DecisionRefused("This disagreement has already been decided. Nothing was changed.") from None
    return decision


@transaction.atomic
def discard_adjudication(adjudication: Adjudication, *, by: User) -> None:
    """Delete the consensus set: counts go back to every coder's codings."""
    project = adjudication.project
    adjudication.delete()
    record(by, "consensus.discarded", project)
