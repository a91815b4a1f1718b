"""Full-text search across a project's released Documents.

PostgreSQL: a stemmed English search (websearch syntax) ranked, with highlighted headlines.
Elsewhere (SQLite in development): a case-insensitive match on every word, with a plain
snippet around the first hit. Both give the same shape: [SearchHit(document, snippet)].
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from coproduction.models import Document

SNIPPET_RADIUS = 90


@dataclass
class SearchHit:
    document: Document
    snippet: SafeString


def document_vector():
    """The searchable text of a Document; migration 0031 indexes exactly this expression."""
    from django.contrib.postgres.search import SearchVector

    return SearchVector("title", "text", config="english")


def search_documents(documents: QuerySet, query: str) -> QuerySet:
    """A queryset (for pagination) of matching documents, best first."""
    query = query.strip()
    if not query:
        return documents.none()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank

        search = SearchQuery(query, config="english", search_type="websearch")
        vector = document_vector()
        return (
            documents.annotate(vector=vector, rank=SearchRank(vector, search))
            .filter(vector=search)
            .annotate(
                headline=SearchHeadline(
                    "text", search, config="english", start_sel="<mark>", stop_sel="</mark>", max_words=35, min_words=15
                )
            )
            .order_by("-rank", "pk")
        )
    condition = Q()
    for word in query.split():
        condition &= Q(text__icontains=word) | Q(title__icontains=word)
    return documents.filter(condition).order_by("-month", "title", "pk")


def hits(page_of_documents, query: str) -> list[SearchHit]:
    out = []
    for document in page_of_documents:
        headline = getattr(document, "headline", None)
        if headline is not None:
            # PostgreSQL's headline holds document text: escape it, then restore only our <mark>.
            safe = escape(headline).replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>")
            out.append(SearchHit(document, mark_safe(safe)))  # noqa: S308 — escaped above
        else:
            out.append(SearchHit(document, snippet(document.text, query)))
    return out


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
