"""Theme list counts, the theme × cohort matrix, small-number suppression, search, and constant
query counts as rows grow."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coproduction.analysis.counts import cohort_matrix, theme_rows
from coproduction.analysis.search import ranked, search_documents
from coproduction.analysis.suppression import suppress_count, suppress_small_counts
from coproduction.models import Document
from tests.analysis.factories import ThemeFactory, code, make_document


def url(world, name, **kwargs):
    return reverse(f"analysis:{name}", kwargs={"slug": world.project.slug, **kwargs})


def test_theme_counts(corpus):
    rows = {row.theme.name: row for row in theme_rows(corpus.project)}
    assert (rows["Street safety"].excerpts, rows["Street safety"].documents, rows["Street safety"].participants) == (3, 2, 2)
    assert (rows["Lighting"].excerpts, rows["Lighting"].documents) == (1, 1)
    assert rows["Lighting"].path == "Street safety › Lighting" and rows["Lighting"].depth == 1
    assert [r.theme.name for r in theme_rows(corpus.project)] == ["Street safety", "Lighting", "Support services"]


def test_matrix_counts_participants_per_cohort(corpus):
    matrix = cohort_matrix(corpus.project)
    assert matrix.cohorts[:2] == ["Sex worker", "Resident"]
    cells = {theme.name: counts for theme, _, counts in matrix.rows}
    assert cells["Street safety"][:2] == [1, 1]
    assert cells["Support services"][:2] == [1, 0]


def test_matrix_page_table_and_chart(corpus, client_for):
    client = client_for(corpus.analyst)
    response = client.get(url(corpus, "matrix"))
    assert response.status_code == 200 and "Street safety" in response.text
    # The chart is its own address, loaded when scrolled to: the page stays small.
    chart = re.search(r'<img src="([^"]+)"[^>]* loading="lazy"', response.text).group(1)
    assert chart == url(corpus, "matrix_chart") and "data:" not in response.text
    picture = client.get(chart)
    assert picture["Content-Type"] == "image/png" and picture.content.startswith(b"\x89PNG")
    assert "no-store" in picture["Cache-Control"]  # like every signed-in response
    # Another count is another picture at the same address.
    code(
        make_document(corpus.project, text="The lamps are out again.", cohort="Resident"),
        0,
        8,
        [corpus.extra["services"]],
        corpus.analyst,
    )
    assert client.get(chart).content != picture.content
    published = client.get(url(corpus, "matrix"), {"publication": "1"}).text
    # For publication every count here is under the threshold: no bars, so no picture either.
    assert "No bars are drawn" in published and "<img" not in published.split("Chart", 1)[1]
    assert client.get(chart, {"publication": "1"}).status_code == 404


def test_the_matrix_chart_is_for_analysts_of_the_project_only(corpus, client_for, client):
    chart = url(corpus, "matrix_chart")
    assert client_for(corpus.analyst).get(chart).status_code == 200
    assert client_for(corpus.peer).get(chart).status_code == 403
    assert client_for(corpus.supervisor).get(chart).status_code == 403
    assert client_for(corpus.outsiders["analyst"]).get(chart).status_code == 404
    client.logout()
    assert client.get(chart).status_code == 302


def test_matrix_in_publication_view_hides_small_numbers(corpus, client_for):
    response = client_for(corpus.analyst).get(url(corpus, "matrix"), {"publication": "1"})
    assert "&lt;10" in response.text


def test_primary_suppression():
    assert suppress_count(3, 10) == "<10" and suppress_count(0, 10) == "0" and suppress_count(10, 10) == "10"
    assert suppress_count(4, 5) == "<5"


def test_secondary_suppression_stops_recovery_from_the_total():
    # One small cell (3) next to a total (33) would be revealed by 33 − 12 − 18: the next
    # smallest cell (12) is hidden too.
    assert suppress_small_counts([[3, 12, 18]], 10) == [["<10", "<10", "18", "33"]]
    # Two small cells already protect each other.
    assert suppress_small_counts([[3, 4, 18]], 10) == [["<10", "<10", "18", "25"]]
    # Only zeros beside the small cell: the total would equal it, so the total is hidden.
    assert suppress_small_counts([[0, 4, 0]], 10) == [["0", "<10", "0", "<10"]]
    # Nothing small: nothing hidden.
    assert suppress_small_counts([[10, 0, 25]], 10) == [["10", "0", "25", "35"]]
    # A threshold of 5.
    assert suppress_small_counts([[5, 4, 20]], 5) == [["<5", "<5", "20", "29"]]


@pytest.mark.parametrize("threshold", [3, 10, 20])
def test_no_row_has_exactly_one_hidden_cell_with_a_shown_total(threshold):
    from hypothesis import given
    from hypothesis import strategies as st

    @given(st.lists(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=5), min_size=1, max_size=5))
    def check(rows):
        for labels in suppress_small_counts(rows, threshold):
            cells, total = labels[:-1], labels[-1]
            hidden = sum(1 for c in cells if c.startswith("<"))
            assert hidden != 1 or total.startswith("<")

    check()


def test_search_finds_documents_with_a_snippet(corpus, client_for):
    response = client_for(corpus.peer).post(url(corpus, "search"), {"q": "outreach"})
    assert response.status_code == 200
    assert corpus.extra["first"].title in response.text and corpus.extra["second"].title not in response.text
    assert "<mark>" in response.text
    nothing = client_for(corpus.peer).post(url(corpus, "search"), {"q": "zebra"})
    assert "Nothing found" in nothing.text


def test_search_stays_inside_the_project(corpus):
    make_document(corpus.other_project, text="The outreach van elsewhere.")
    found = search_documents(Document.objects.filter(project=corpus.project), "outreach")
    assert list(found.documents) == [corpus.extra["first"]] and not found.more


def test_search_escapes_document_text(world, client_for):
    make_document(world.project, text="A <script>alert(1)</script> outreach note.")
    response = client_for(world.analyst).post(url(world, "search"), {"q": "outreach"})
    # SQLite's snippet escapes the tag; PostgreSQL's headline drops it. Neither lets it through.
    assert "<script>alert(1)" not in response.text and "alert(1)" in response.text


def _grow(world, n):
    for i in range(n):
        theme = ThemeFactory(project=world.project, name=f"Theme {world.project.themes.count()}-{i}")
        child = ThemeFactory(project=world.project, parent=theme)
        document = make_document(world.project, cohort=["Sex worker", "Resident"][i % 2])
        code(document, 0, 12, [theme, child], world.analyst)
        code(document, 13, 20, [theme], world.peer)


@pytest.mark.parametrize("name", ["themes", "matrix", "documents"])
def test_query_count_is_constant_as_rows_grow(world, client_for, name):
    client = client_for(world.analyst)
    counts = []
    for n in (2, 18):
        _grow(world, n)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(world, name)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_postgresql_search_uses_the_full_text_index(corpus):
    if connection.vendor != "postgresql":
        pytest.skip("the GIN index exists on PostgreSQL only")
    # Few rows in a test database: tell the planner to avoid the other ways so the plan shows
    # whether the index matches the search expression at all.
    queryset = ranked(Document.objects.all(), "outreach")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "document_search_vector_gin" in plan, plan


def test_postgresql_search_finds_documents_created_in_bulk_or_changed(world):
    if connection.vendor != "postgresql":
        pytest.skip("stored vectors exist on PostgreSQL only")
    from coproduction.models import DocumentSearchIndex

    created = make_document(world.project, text="Signal indexed outreach.")
    assert DocumentSearchIndex.objects.filter(document=created).exclude(vector=None).exists()
    bulk = Document.objects.bulk_create(
        [
            Document(
                project=world.project,
                title="Bulk",
                cohort="Resident",
                month="2026-05-01",
                text="Bulk outreach.",
                released_by=world.coordinator,
            )
        ]
    )
    found = search_documents(Document.objects.filter(project=world.project), "outreach").documents
    assert set(found) == {created, *bulk}
    # A changed text is searched as it now reads (the trigger rewrites the vector).
    Document.objects.filter(pk=created.pk).update(text="Signal indexed canal.")
    assert set(search_documents(Document.objects.filter(project=world.project), "outreach").documents) == set(bulk)
    assert set(search_documents(Document.objects.filter(project=world.project), "canal").documents) == {created}


def test_matrix_cell_drills_down_to_that_cohorts_quotes(corpus, client_for):
    client = client_for(corpus.analyst)
    matrix = client.get(url(corpus, "matrix")).text
    safety = corpus.extra["safety"]
    link = f"/p/{corpus.project.slug}/analysis/themes/{safety.pk}/?cohort=Resident"
    assert link in matrix
    page = client.get(url(corpus, "theme", pk=safety.pk), {"cohort": "Resident"}).text
    assert "Streets feel unsafe at night." in page and "I do not feel safe." not in page


def test_search_terms_never_go_in_the_address(corpus, client_for):
    client = client_for(corpus.peer)
    ignored = client.get(url(corpus, "search"), {"q": "outreach"})
    assert corpus.extra["first"].title not in ignored.text  # a query string is not searched
    page = client.get(url(corpus, "search")).text
    assert 'method="post" role="search"' in page


def test_search_pages_are_posted_with_the_terms(corpus, client_for):
    for i in range(25):
        make_document(corpus.project, text=f"Outreach visit number {i}.")
    client = client_for(corpus.analyst)
    first = client.post(url(corpus, "search"), {"q": "outreach"}).text
    assert "Page 1 of 2" in first and 'name="page" value="2"' in first
    second = client.post(url(corpus, "search"), {"q": "outreach", "page": "2"}).text
    assert "Page 2 of 2" in second


def test_postgresql_search_ranks_the_documents_released_last_and_says_more_matched(world, client_for, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("ranking is limited on PostgreSQL only")
    monkeypatch.setattr("coproduction.analysis.search.RANKED", 2)
    monkeypatch.setattr("coproduction.analysis.views.RANKED", 2)
    oldest, middle, newest = (make_document(world.project, title=f"Visit {n}", text=f"Outreach note {n}.") for n in range(3))
    found = search_documents(Document.objects.filter(project=world.project), "outreach")
    assert found.more and set(found.documents) == {middle, newest}
    assert "text" in found.documents[0].get_deferred_fields()  # a result list never reads whole texts
    page = client_for(world.analyst).post(url(world, "search"), {"q": "outreach"}).text
    assert "More than 2 documents found" in page
    assert "Visit 2" in page and "Visit 1" in page and "Visit 0" not in page
