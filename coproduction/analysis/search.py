"""Full-text search across a project's released Documents.

PostgreSQL: a stemmed English search (websearch syntax) over stored, GIN-indexed vectors
(DocumentSearchIndex), ranked, with highlighted headlines computed for the shown page only.
Elsewhere (SQLite in development): a case-insensitive match on every word, with a plain snippet
around the first hit. Both give the same shape: [SearchHit(document, snippet)].
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from coproduction.models import Document

SNIPPET_RADIUS = 90
VECTOR_SQL = "to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || coalesce(text, ''))"


@dataclass
class SearchHit:
    document: Document
    snippet: SafeString


def index_documents(document_ids=None, *, project=None) -> None:
    """Store the search vector of Documents that have none yet (PostgreSQL only).

    Called for each new Document, and before each search for any the signal missed (bulk
    creation): the anti-join costs next to nothing when every Document is indexed.
    """
    if connection.vendor != "postgresql":
        return
    where, params = ["NOT EXISTS (SELECT 1 FROM coproduction_documentsearchindex i WHERE i.document_id = d.id)"], []
    if document_ids is not None:
        where.append("d.id = ANY(%s)")
        params.append(list(document_ids))
    if project is not None:
        where.append("d.project_id = %s")
        params.append(project.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO coproduction_documentsearchindex (document_id, vector) "  # noqa: S608 — no user input
            f"SELECT d.id, {VECTOR_SQL} FROM coproduction_document d WHERE {' AND '.join(where)} "
            "ON CONFLICT (document_id) DO NOTHING",
            params,
        )


def index_new_document(sender, instance, created, raw=False, **kwargs) -> None:
    if created and not raw:
        index_documents([instance.pk])


def _query(text: str):
    from django.contrib.postgres.search import SearchQuery

    return SearchQuery(text, config="english", search_type="websearch")


def search_documents(documents: QuerySet, query: str, *, project=None) -> QuerySet:
    """A queryset (for pagination) of matching documents, best first."""
    query = query.strip()
    if not query:
        return documents.none()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchRank

        index_documents(project=project)
        search = _query(query)
        return (
            documents.filter(search_index__vector=search)
            .annotate(rank=SearchRank(F("search_index__vector"), search))
            .order_by("-rank", "pk")
        )
    condition = Q()
    for word in query.split():
        condition &= Q(text__icontains=word) | Q(title__icontains=word)
    return documents.filter(condition).order_by("-month", "title", "pk")


def hits(page_of_documents, query: str) -> list[SearchHit]:
    documents = list(page_of_documents)
    if connection.vendor == "postgresql" and documents:
        from django.contrib.postgres.search import SearchHeadline

        headlines = dict(
            Document.objects.filter(pk__in=[d.pk for d in documents])
            .annotate(
                headline=SearchHeadline(
                    "text", _query(query), config="english", start_sel="<mark>", stop_sel="</mark>", max_words=35, min_words=15
                )
            )
            .values_list("pk", "headline")
        )
        out = []
        for document in documents:
            # The headline holds document text: escape it, then restore only our <mark>.
            safe = escape(headlines.get(document.pk, "")).replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>")
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
