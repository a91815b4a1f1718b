"""Counts behind the theme list, the theme × cohort matrix and the reports.

Each function runs a fixed number of queries however many themes, documents or codings there
are. Participants who withdrew are never counted (their Documents are deleted on withdrawal;
the filter is a second guard).

The counts are kept as data (`ThemeCount`: per coding set, theme and cohort), not worked out
per request: at 200,000 codings a GROUP BY over everything took seconds on every page. Each
action that changes what a count means calls `recount(project, theme ids)` in its own
transaction, which counts those themes afresh from the codings, exactly as the pages once did,
and replaces their rows. The callers, all of them:

- coding: `analysis.actions.code_excerpt`, `remove_excerpt`;
- the codebook: `merge_themes`, `decline_proposal` (retiring, restoring, accepting and moving a
  theme change which rows are shown, not what they count; a deleted theme takes its rows);
- the corpus: a Document leaving it (withdrawal and a consent without "notes kept", through
  `participation.actions.erase_notes`, or any other deletion): two receivers connected in
  `analysis/registry.py`, `note_themes_of_leaving_document` (pre_delete: which themes it has)
  and `recount_after_document_left` (post_delete: recount them, its codings gone), skipped when
  the whole project is being deleted (its counts go with it); and `recount_after_withdrawal`
  (post_save of a Participant marked withdrawn, for any Document of theirs still there). Documents are never changed, so a
  cohort never moves; the project's list of cohorts is read live;
- consensus: `consensus.start_adjudication` (the whole new set), `decide`; discarding a set
  deletes its rows with it;
- imports: `refiqda_import.attach_pending` (codings attached on release), the demo data.

Whether quotes may be published (consent) changes no count here: publication filters quotes,
and reads the consent when it does. `fresh_counts` gives what the table should hold, for tests.

What is counted is a *coding set* (`coding_set(project)`): every coder's codings, or, once an
analyst has started adjudication (coproduction.analysis.consensus), the consensus coding alone.
Either way the unit counted is a passage: an excerpt of one coder (all coders' codings: two
coders marking the same words count twice) or a span of the consensus (once).
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db import router, transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from coproduction.analysis.suppression import suppress_count, suppress_small_counts
from coproduction.models import Adjudication, Coding, ConsensusCoding, Consent, Project, Theme, ThemeCount
from coproduction.models.codebook import theme_paths
from coproduction.prepared import PreparedQuery

NOT_WITHDRAWN = Q(excerpt__document__participant__isnull=True) | Q(excerpt__document__participant__withdrawn_at__isnull=True)


def _not_withdrawn(document: str) -> Q:
    return Q(**{f"{document}__participant__isnull": True}) | Q(**{f"{document}__participant__withdrawn_at__isnull": True})


def codings_of(project: Project) -> QuerySet:
    return Coding.objects.filter(excerpt__document__project=project, theme__project=project).filter(NOT_WITHDRAWN)


def with_publishable_quotes(codings: QuerySet, document: str = "excerpt__document") -> QuerySet:
    """Only codings whose participant's current consent lets anonymous quotes be published.

    Documents with no participant (engagement events) carry no individual consent: their
    quotes may be published only when the event's ground rules said so to the room.
    `document` is the path from the rows to their Document ("document" for consensus rows).
    """
    current = Consent.objects.filter(
        participant=OuterRef(f"{document}__participant"), withdrawn_at__isnull=True, take_part=True
    ).order_by("-given_at")
    event_allows = Q(**{f"{document}__participant__isnull": True, f"{document}__event__ground_rules_allow_quotes": True})
    return codings.annotate(may_publish=Subquery(current.values("quotes_published")[:1])).filter(
        Q(may_publish=True) | event_allows
    )


@dataclass(frozen=True)
class CodingSet:
    """Which codings the counts, matrix, exports and reports are made from.

    `rows()` is a queryset of Coding (all coders) or ConsensusCoding (the consensus); `document`
    and `passage` are the lookups to a row's Document and to what counts as one passage, so one
    GROUP BY serves both. `spans()` gives (document id, start, end, theme id) for either, the
    shape an exporter such as REFI-QDA needs.
    """

    project: Project
    adjudication: Adjudication | None

    @property
    def consensus(self) -> bool:
        return self.adjudication is not None

    @property
    def document(self) -> str:
        return "document" if self.consensus else "excerpt__document"

    @property
    def passage(self) -> str:
        return "pk" if self.consensus else "excerpt"

    @property
    def described(self) -> str:
        return "the consensus coding" if self.consensus else "all coders' codings"

    @property
    def label(self) -> str:
        return f"Counts from {self.described}"

    @property
    def passages_explained(self) -> str:
        if self.consensus:
            return "Passages are spans of the consensus coding: each counts once, however many coders marked it."
        return "Passages are coders' excerpts: when two coders marked the same words, both count."

    def rows(self) -> QuerySet:
        if not self.consensus:
            return codings_of(self.project)
        return ConsensusCoding.objects.filter(adjudication=self.adjudication, theme__project=self.project).filter(
            _not_withdrawn("document")
        )

    def publishable(self, rows: QuerySet) -> QuerySet:
        return with_publishable_quotes(rows, self.document)

    def spans(self, rows: QuerySet | None = None) -> Iterator[tuple[int, int, int, int]]:
        """(document id, start, end, theme id) of every row, in document order, streamed."""
        rows = self.rows() if rows is None else rows
        if self.consensus:
            fields = ("document_id", "start", "end", "theme_id")
        else:
            fields = ("excerpt__document_id", "excerpt__start", "excerpt__end", "theme_id")
        yield from rows.order_by(*fields).values_list(*fields).iterator(chunk_size=2000)


# Asked by every analysis page: compiled once (coproduction.prepared).
_adjudication_of = PreparedQuery(lambda project_id: Adjudication.objects.filter(project=project_id).order_by("pk")[:1])


def coding_set(project: Project) -> CodingSet:
    """The consensus coding when the project has one, otherwise all coders' codings. One query."""
    found = _adjudication_of(project_id=project.pk)
    return CodingSet(project, found[0] if found else None)


@dataclass
class ThemeRow:
    theme: Theme
    path: str
    depth: int
    excerpts: int = 0
    documents: int = 0
    participants: int = 0

    def labels(self, threshold: int, publication: bool) -> tuple[str, str, str]:
        if not publication:
            return str(self.excerpts), str(self.documents), str(self.participants)
        return tuple(suppress_count(n, threshold) for n in (self.excerpts, self.documents, self.participants))


def themes_of(project: Project, statuses: tuple[str, ...]) -> list[Theme]:
    """The project's themes with these statuses (each knowing its project). One query, compiled
    once per set of statuses: the codebook, matrix and reports ask it on every visit."""
    themes = _themes_with_status(tuple(statuses), project_id=project.pk)
    for theme in themes:
        theme.project = project  # as project.themes would: no query for theme.project
    return themes


_themes_with_status = PreparedQuery(lambda statuses, project_id: Theme.objects.filter(project=project_id, status__in=statuses))


def ordered_themes(project: Project, statuses=(Theme.Status.ACTIVE,)) -> list[tuple[Theme, str, int]]:
    """Themes depth-first in codebook order, as (theme, path, depth). One query."""
    themes = themes_of(project, statuses)
    paths = theme_paths(themes)
    ids = {t.pk for t in themes}
    children: dict[int | None, list[Theme]] = {}
    for theme in themes:
        parent = theme.parent_id if theme.parent_id in ids else None
        children.setdefault(parent, []).append(theme)
    out: list[tuple[Theme, str, int]] = []

    def walk(parent, depth):
        for theme in sorted(children.get(parent, []), key=lambda t: (t.order, t.name.lower())):
            out.append((theme, paths[theme.pk], depth))
            walk(theme.pk, depth + 1)

    walk(None, 0)
    return out


def theme_rows(project: Project, statuses=(Theme.Status.ACTIVE,), codings: CodingSet | None = None) -> list[ThemeRow]:
    """Every theme with its passage, document and participant counts. Three queries."""
    return counted_rows(ordered_themes(project, statuses), codings or coding_set(project))


def counted_rows(ordered: list[tuple[Theme, str, int]], codings: CodingSet) -> list[ThemeRow]:
    """These themes (as `ordered_themes` gives them) with their counts. One query."""
    adjudication = codings.adjudication.pk if codings.consensus else None
    ids = [theme.pk for theme, _, _ in ordered]
    counts = {
        theme_id: (passages, documents, participants)
        for theme_id, passages, documents, participants in _theme_totals(adjudication, project_id=codings.project.pk, ids=ids)
    }
    return [ThemeRow(theme, path, depth, *counts.get(theme.pk, (0, 0, 0))) for theme, path, depth in ordered]


def _theme_totals_of(adjudication_id: int | None, project_id: int, ids: list[int]) -> QuerySet:
    return ThemeCount.objects.filter(project=project_id, adjudication=adjudication_id, cohort="", theme_id__in=ids).values_list(
        "theme_id", "passages", "documents", "participants"
    )


# The codebook and reports on every visit: compiled once per coding set and number of themes.
_theme_totals = PreparedQuery(_theme_totals_of)


def codebook_page(project: Project, codings: CodingSet, number, per_page: int = 50):
    """One page of the codebook for the theme list: `per_page` top-level themes, each with all
    its sub-themes, so a branch is never split across pages. Returns the page (of top-level
    branches) and its rows, counted. Three queries."""
    branches: list[list[tuple[Theme, str, int]]] = []
    for entry in ordered_themes(project):
        if entry[2] == 0 or not branches:
            branches.append([])
        branches[-1].append(entry)
    page = Paginator(branches, per_page).get_page(number)
    return page, counted_rows([entry for branch in page.object_list for entry in branch], codings)


@dataclass
class Matrix:
    cohorts: list[str]
    rows: list[tuple[Theme, str, list[int]]]
    label: str = ""

    def labelled(self, threshold: int, publication: bool) -> list[tuple[Theme, str, list[str]]]:
        """Each row's cells and its total (participants raising the theme in any cohort)."""
        if publication:
            labels = suppress_small_counts([counts for _, _, counts in self.rows], threshold)
        else:
            labels = [[str(n) for n in counts] + [str(sum(counts))] for _, _, counts in self.rows]
        return [(theme, path, row_labels) for (theme, path, _), row_labels in zip(self.rows, labels, strict=True)]


def _cohort_cells_of(adjudication_id: int | None, project_id: int) -> QuerySet:
    return (
        ThemeCount.objects.filter(project=project_id, adjudication=adjudication_id, participants__gt=0)
        .exclude(cohort="")
        .values_list("theme_id", "cohort", "participants")
    )


# The matrix and its chart on every visit: compiled once per coding set (the adjudication, or
# all coders' codings: None, which is IS NULL in SQL, so it is part of the shape).
_cohort_cells = PreparedQuery(_cohort_cells_of)


def cohort_matrix(project: Project, codings: CodingSet | None = None) -> Matrix:
    """How many participants of each cohort raised each theme. Three queries.

    A participant belongs to one cohort, so a row's cells add up to the participants who raised
    the theme at all. A cohort no longer in the project's list still has its column while
    participants in it raised a theme.
    """
    codings = codings or coding_set(project)
    cohorts = list(project.cohorts)
    found = _cohort_cells(codings.adjudication.pk if codings.consensus else None, project_id=project.pk)
    cells: dict[tuple[int, str], int] = {}
    for theme_id, cohort, participants in found:
        cells[(theme_id, cohort)] = participants
    cohorts += sorted({cohort for _, cohort in cells} - set(cohorts))
    rows = [(theme, path, [cells.get((theme.pk, cohort), 0) for cohort in cohorts]) for theme, path, _ in ordered_themes(project)]
    return Matrix(cohorts, rows, codings.label)


# ---- keeping the counts ---------------------------------------------------------------------


def fresh_counts(codings: CodingSet, theme_ids=None, using: str | None = None) -> dict[tuple[int, str], tuple[int, int, int]]:
    """{(theme id, cohort or ""): (passages, documents, participants)} counted from the codings
    now, for the given themes (every theme when None). Two queries."""
    doc = codings.document
    rows = codings.rows().using(using or router.db_for_read(ThemeCount))
    if theme_ids is not None:
        rows = rows.filter(theme_id__in=list(theme_ids))
    measures = {
        "passages": Count(codings.passage, distinct=True),
        "documents": Count(doc, distinct=True),
        "participants": Count(f"{doc}__participant", distinct=True),
    }
    out: dict[tuple[int, str], tuple[int, int, int]] = {}
    for row in rows.values("theme", f"{doc}__cohort").annotate(**measures).order_by():
        out[(row["theme"], row[f"{doc}__cohort"])] = (row["passages"], row["documents"], row["participants"])
    for row in rows.values("theme").annotate(**measures).order_by():
        out[(row["theme"], "")] = (row["passages"], row["documents"], row["participants"])
    return out


def stored_counts(codings: CodingSet) -> dict[tuple[int, str], tuple[int, int, int]]:
    """What the table holds for the coding set, in the shape of `fresh_counts`."""
    return {
        (theme_id, cohort): (passages, documents, participants)
        for theme_id, cohort, passages, documents, participants in ThemeCount.objects.filter(
            project=codings.project, adjudication=codings.adjudication
        ).values_list("theme_id", "cohort", "passages", "documents", "participants")
    }


def recount(project: Project, theme_ids=None, *, using: str | None = None) -> None:
    """Count these themes (every theme when None) afresh in each of the project's coding sets,
    and store the result, inside the caller's transaction.

    Steps: lock the themes' rows (two coders coding the same theme at once: the second waits,
    then counts what the first committed, so the last writer always stores a full count); for
    all coders' codings and for the consensus, if there is one, count and replace the rows.
    """
    using = using or router.db_for_write(ThemeCount)
    with transaction.atomic(using=using):
        themes = Theme.objects.using(using).select_for_update().filter(project=project).order_by("pk")
        if theme_ids is not None:
            themes = themes.filter(pk__in=list(theme_ids))
        locked = list(themes.values_list("pk", flat=True))
        if not locked:
            return
        sets = [CodingSet(project, None)]
        adjudication = Adjudication.objects.using(using).filter(project=project).first()
        if adjudication is not None:
            sets.append(CodingSet(project, adjudication))
        for codings in sets:
            counts = fresh_counts(codings, None if theme_ids is None else locked, using)
            _store(codings, locked, counts, everything=theme_ids is None, using=using)


def _store(codings: CodingSet, theme_ids: list[int], counts: dict, *, everything: bool, using: str) -> None:
    existing = ThemeCount.objects.using(using).filter(project=codings.project, adjudication=codings.adjudication)
    if not everything:
        existing = existing.filter(theme_id__in=theme_ids)
    existing.delete()
    ThemeCount.objects.using(using).bulk_create(
        [
            ThemeCount(
                project=codings.project,
                adjudication=codings.adjudication,
                theme_id=theme_id,
                cohort=cohort,
                passages=passages,
                documents=documents,
                participants=participants,
            )
            for (theme_id, cohort), (passages, documents, participants) in counts.items()
        ],
        batch_size=1000,
    )


def rebuild_counts(project: Project, using: str | None = None) -> None:
    """Every count of the project, afresh (after bulk inserts that bypassed the actions)."""
    recount(project, using=using)


def _themes_coded_in(documents, using: str | None) -> set[int]:
    """The themes any coding set has on these Documents. Two queries."""
    ids = set(Coding.objects.using(using).filter(excerpt__document__in=documents).values_list("theme_id", flat=True))
    ids |= set(ConsensusCoding.objects.using(using).filter(document__in=documents).values_list("theme_id", flat=True))
    return ids


def _deleting_a_project(origin) -> bool:
    model = getattr(origin, "model", type(origin))
    return model is Project


def note_themes_of_leaving_document(sender, instance, origin=None, using=None, **kwargs) -> None:
    """pre_delete of a Document: remember the themes coded in it, while its codings exist."""
    if _deleting_a_project(origin):
        return
    instance._themes_to_recount = _themes_coded_in([instance], using)


def recount_after_withdrawal(sender, instance, raw=False, using=None, **kwargs) -> None:
    """post_save of a Participant: a withdrawn participant is never counted. Their Documents are
    normally deleted in the same transaction (and recounted then); any that remain are the
    second guard's business, so their themes are recounted here."""
    if raw or instance.withdrawn_at is None:
        return
    ids = _themes_coded_in(instance.documents.using(using).all(), using)
    if ids:
        recount(instance.project, ids, using=using)


def recount_after_document_left(sender, instance, origin=None, using=None, **kwargs) -> None:
    """post_delete of a Document: its excerpts, codings and consensus rows are gone; recount."""
    ids = getattr(instance, "_themes_to_recount", None)
    if ids:
        recount(Project.objects.using(using).get(pk=instance.project_id), ids, using=using)
