"""Full-text search across a project's released Documents.

PostgreSQL: a stemmed English search (websearch syntax) over stored, GIN-indexed vectors
(DocumentSearchIndex, written by a trigger in the statement that inserts a Document), ranked,
with highlighted headlines computed for the shown page only.
Ranking reads every matching vector, so it is limited early: the index finds the matches, the
RANKED (200) released last are ranked, and the page says when more matched (a common word in
20,000 Documents matched all of them, and ranking them all took seconds). One query finds,
ranks and tells whether more matched; one more reads the texts of the shown page. Headlines are
made from a window of each shown text around its first match, not the whole text.
Elsewhere (SQLite in development): a case-insensitive match on every word, with a plain snippet
around the first hit. Both give the same shape: [SearchHit(document, snippet)].
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from coproduction.models import Document
from coproduction.prepared import PreparedQuery

SNIPPET_RADIUS = 90
RANKED = 200
HEADLINE_WINDOW = 400  # characters either side of the first match given to ts_headline


@dataclass
class SearchHit:
    document: Document
    snippet: SafeString


def _query(text: str):
    from django.contrib.postgres.search import SearchQuery

    return SearchQuery(text, config="english", search_type="websearch")


@dataclass
class Found:
    documents: Sequence[Document]  # best first, for a Paginator
    more: bool  # more matched than are ranked (PostgreSQL)


def ranked(documents: QuerySet, query: str, limit: int | None = None) -> QuerySet:
    """PostgreSQL: the RANKED + 1 matching Documents released last, best first, without their
    text (only what a result lists). One query: the index finds the candidates, ts_rank orders
    them."""
    from django.contrib.postgres.search import SearchRank

    search = _query(query)
    limit = RANKED if limit is None else limit
    candidates = documents.filter(search_index__vector=search).order_by("-pk").values("pk")[: limit + 1]
    return (
        documents.filter(pk__in=candidates)
        .annotate(rank=SearchRank(F("search_index__vector"), search))
        .order_by("-rank", "pk")
        .only("pk", "title", "cohort", "month")
    )


def _ranked_for(role: str, limit: int, project_id: int, query: str) -> QuerySet:
    return ranked(Document.objects.visible_to_role(role, project_id), query, limit)


# The search page on every search: compiled once per role and limit (coproduction.prepared).
_ranked_in_project = PreparedQuery(_ranked_for)


def search_project(project, role: str, query: str) -> Found:
    """The Documents this role sees in the project that match, best first."""
    documents = Document.objects.visible_to_role(role, project.pk)
    return search_documents(documents, query, ranking=lambda q: _ranked_in_project(role, RANKED, project_id=project.pk, query=q))


def search_documents(documents: QuerySet, query: str, ranking=None) -> Found:
    """The matching documents, best first. `ranking(query)`, if given, ranks them as
    `ranked(documents, query)` would (search_project's, compiled once)."""
    query = query.strip()
    if not query:
        return Found(documents.none(), False)
    if connection.vendor == "postgresql":
        found = ranking(query) if ranking else list(ranked(documents, query))
        if len(found) <= RANKED:
            return Found(found, False)
        oldest = min(found, key=lambda document: document.pk)  # the one candidate past RANKED
        return Found([document for document in found if document is not oldest], True)
    condition = Q()
    for word in query.split():
        condition &= Q(text__icontains=word) | Q(title__icontains=word)
    return Found(documents.filter(condition).order_by("-month", "title", "pk"), False)


def _window(text: str, query: str) -> str:
    """The part of the text around the first word of the query (its first five letters, so a
    stemmed match such as "policing" for "police" is found too), for ts_headline."""
    lower = text.lower()
    stems = [w.strip('"-').lower()[:5] for w in query.split() if w.strip('"-')]
    position = min((i for i in (lower.find(s) for s in stems if s) if i >= 0), default=0)
    start = max(0, position - HEADLINE_WINDOW)
    return text[start : position + HEADLINE_WINDOW]


_texts = PreparedQuery(lambda ids: Document.objects.filter(pk__in=ids).values_list("pk", "text").order_by())


def hits(page_of_documents, query: str) -> list[SearchHit]:
    documents = list(page_of_documents)
    if connection.vendor == "postgresql" and documents:
        texts = dict(_texts(ids=[d.pk for d in documents]))
        windows = [_window(texts[d.pk], query) for d in documents]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT ts_headline('english', w, websearch_to_tsquery('english', %s), "
                "'StartSel=<mark>, StopSel=</mark>, MaxWords=35, MinWords=15') "
                "FROM unnest(%s::text[]) WITH ORDINALITY AS t(w, n) ORDER BY n",
                [query, windows],
            )
            headlines = [row[0] for row in cursor.fetchall()]
        out = []
        for document, headline in zip(documents, headlines, strict=True):
            # The headline holds document text: escape it, then restore only our <mark>.
            safe = escape(headline).replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>")
            out.append(SearchHit(document, mark_safe(safe)))  # noqa: S308 — escaped above
        return out
    return [SearchHit(document, snippet(document.text, query)) for document in documents]


def snippet(text: str, query: str) -> SafeString:
    words = [w for w in query.split() if w]
    lower = text.lower()
    position = min((i for i in (lower.find(w.lower()) for w in words) if i >= 0), default=0)
    start = max(0, position - SNIPPET_RADIUS)
    end = min(len(text), position + SNIPPET_RADIUS)
    piece = escape(text[start:end])
    for word in words:
        escaped = escape(word)
        index = piece.lower().find(escaped.lower())
        if index >= 0:
            piece = piece[:index] + "<mark>" + piece[index : index + len(escaped)] + "</mark>" + piece[index + len(escaped) :]
    prefix = "…" if start else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + piece + suffix)  # noqa: S308 — text escaped above
