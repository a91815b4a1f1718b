"""The corpus list a page at a time, by keyset: the page after (or before) a Document.

An offset page (`?page=800`) makes the database walk past every Document before it, and a
paginator counts the whole annotated list first; at 20,000 Documents both took seconds. Here a
page is "the 25 after this Document" in the list's order (newest month first, then title), read
from the index on (project, month, title, id); the cursor is the Document's id, which says
nothing about anyone. Coded-passage counts are made for the shown page only.
"""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from coproduction.models import Document, Excerpt, User

PAGE_SIZE = 25
# What a row of the list shows: never a whole text.
LISTED = ("pk", "title", "cohort", "month")


@dataclass
class DocumentPage:
    documents: list[Document]
    total: int
    first_shown: int | None  # cursor for "Previous": the page before this Document
    last_shown: int | None  # cursor for "Next": the page after this Document
    has_previous: bool
    has_next: bool


def _cursor(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


def _after(anchor: dict) -> Q:
    m, t, pk = anchor["month"], anchor["title"], anchor["pk"]
    return Q(month__lt=m) | Q(month=m, title__gt=t) | Q(month=m, title=t, pk__gt=pk)


def _before(anchor: dict) -> Q:
    m, t, pk = anchor["month"], anchor["title"], anchor["pk"]
    return Q(month__gt=m) | Q(month=m, title__lt=t) | Q(month=m, title=t, pk__lt=pk)


def document_page(documents: QuerySet, query, user: User) -> DocumentPage:
    """The page of `documents` that `?after=<id>` or `?before=<id>` asks for (else the first),
    each Document with `excerpt_count` and `my_count`. Four queries however long the corpus."""
    after, before = _cursor(query.get("after")), _cursor(query.get("before"))
    listed_fields = documents.only(*LISTED)
    anchor_id = after or before
    anchor = documents.filter(pk=anchor_id).values("month", "title", "pk").first() if anchor_id else None
    if anchor and before and not after:
        rows = list(listed_fields.filter(_before(anchor)).order_by("month", "-title", "-pk")[: PAGE_SIZE + 1])
        has_previous, has_next = len(rows) > PAGE_SIZE, True
        rows = list(reversed(rows[:PAGE_SIZE]))
    else:
        listed = listed_fields.filter(_after(anchor)) if anchor else listed_fields
        rows = list(listed.order_by("-month", "title", "pk")[: PAGE_SIZE + 1])
        has_previous, has_next = anchor is not None, len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
    counts = {
        row["document_id"]: row
        for row in Excerpt.objects.filter(document_id__in=[d.pk for d in rows])
        .values("document_id")
        .annotate(total=Count("pk"), mine=Count("pk", filter=Q(coder=user)))
        .order_by()
    }
    for document in rows:
        found = counts.get(document.pk, {})
        document.excerpt_count, document.my_count = found.get("total", 0), found.get("mine", 0)
    return DocumentPage(
        rows,
        documents.count(),
        rows[0].pk if rows else None,
        rows[-1].pk if rows else None,
        has_previous and bool(rows),
        has_next and bool(rows),
    )
