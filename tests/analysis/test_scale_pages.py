"""Pages that stay fast as the corpus grows: the corpus by keyset, long documents by part."""

from django.urls import reverse

from coproduction.analysis.parts import PART_CHARACTERS
from coproduction.models import Document
from tests.analysis.factories import ThemeFactory, code, make_document

SENTENCE = "Lamps out by the canal again tonight.\n"


def _url(world, name, **kwargs):
    return reverse(f"analysis:{name}", kwargs={"slug": world.project.slug, **kwargs})


def test_the_corpus_pages_forward_and_back_by_keyset(world, client_for):
    for i in range(30):
        make_document(world.project, title=f"Interview {i:02d}")
    client = client_for(world.analyst)
    first = client.get(_url(world, "documents"))
    shown = [d.title for d in first.context["page"].documents]
    assert len(shown) == 25 and first.context["page"].total == 30 and "25 of 30 documents" in first.text
    assert not first.context["page"].has_previous and first.context["page"].has_next
    second = client.get(_url(world, "documents"), {"after": first.context["page"].last_shown})
    rest = [d.title for d in second.context["page"].documents]
    assert len(rest) == 5 and not set(rest) & set(shown) and not second.context["page"].has_next
    back = client.get(_url(world, "documents"), {"before": second.context["page"].first_shown})
    assert [d.title for d in back.context["page"].documents] == shown
    assert client.get(_url(world, "documents"), {"after": "not-a-number"}).status_code == 200


def test_the_corpus_cursor_cannot_reach_another_project(world, client_for):
    elsewhere = make_document(world.other_project, title="Elsewhere")
    make_document(world.project, title="Ours")
    page = client_for(world.analyst).get(_url(world, "documents"), {"after": elsewhere.pk})
    assert [d.title for d in page.context["page"].documents] == ["Ours"]


def test_a_long_document_is_coded_a_part_at_a_time(world, client_for):
    text = SENTENCE * (2 * PART_CHARACTERS // len(SENTENCE) + 10)
    document = make_document(world.project, text=text)
    theme = ThemeFactory(project=world.project, name="Lighting")
    code(document, 0, 10, [theme], world.analyst)
    late = PART_CHARACTERS + 2 * len(SENTENCE)
    code(document, late, late + 10, [theme], world.analyst)
    client = client_for(world.analyst)
    first = client.get(_url(world, "document", pk=document.pk))
    assert len(first.context["parts"]) == 3 and [e.start for e in first.context["excerpts"]] == [0]
    assert f'data-offset="{late}"' not in first.text and f'value="{late}-' not in first.text  # neither text nor passages
    second = client.get(_url(world, "document", pk=document.pk), {"part": "2"})
    assert [e.start for e in second.context["excerpts"]] == [late]
    assert all(piece["start"] >= second.context["part"].start for piece in second.context["segments"])
    focused = client.get(_url(world, "document", pk=document.pk), {"start": late, "end": late + 10})
    assert focused.context["part"].number == 2
    response = client.post(
        _url(world, "document", pk=document.pk) + "?part=2", {"start": late + 40, "end": late + 60, "themes": [theme.pk]}
    )
    assert response.status_code == 302 and response["Location"].endswith("?part=2")
    assert document.excerpts.count() == 3


def test_a_short_document_is_one_part_as_before(world, client_for):
    document = make_document(world.project)
    page = client_for(world.analyst).get(_url(world, "document", pk=document.pk))
    assert page.context["parts"] == [] and "part 1" not in page.text
    assert Document.objects.count() == 1


def test_a_large_codebook_is_listed_a_page_of_branches_at_a_time(world, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    top = [ThemeFactory(project=world.project, name=f"Theme {i:02}") for i in range(52)]
    for theme in top[-3:]:
        ThemeFactory(project=world.project, name=f"{theme.name} detail", parent=theme)
    code(make_document(world.project), 0, 5, [top[51]], world.analyst)
    client = client_for(world.analyst)
    with CaptureQueriesContext(connection) as first_queries:
        first = client.get(_url(world, "themes"))
    names = [row.theme.name for row in first.context["rows"]]
    assert names[0] == "Theme 00" and names[-2:] == ["Theme 49", "Theme 49 detail"]  # the branch stays whole
    assert "Top-level themes 1 to 50 of 52" in first.text and "page=2" in first.text
    with CaptureQueriesContext(connection) as second_queries:
        second = client.get(_url(world, "themes"), {"page": "2"})
    rows = {row.theme.name: row for row in second.context["rows"]}
    assert list(rows) == ["Theme 50", "Theme 50 detail", "Theme 51", "Theme 51 detail"]
    assert (rows["Theme 51"].excerpts, rows["Theme 51"].participants) == (1, 1)
    assert len(first_queries) == len(second_queries)
    # the form to add a theme still offers every theme as a parent, on every page
    assert second.text.count('<option value="') == 1 + 55


def test_a_theme_name_is_escaped_in_the_parent_select_and_the_coding_checkboxes(world, client_for):
    ThemeFactory(project=world.project, name='Lamps <script>alert("x")</script>')
    document = make_document(world.project)
    client = client_for(world.analyst)
    for page in (client.get(_url(world, "themes")), client.get(_url(world, "document", pk=document.pk))):
        assert "<script>alert" not in page.text and "&lt;script&gt;alert" in page.text


def test_the_coding_page_lists_coded_passages_a_page_at_a_time_and_returns_to_the_card(world, client_for):
    from coproduction.analysis.views import CARDS_PER_PAGE

    document = make_document(world.project, text="Lamps out. " * (CARDS_PER_PAGE + 10))
    theme = ThemeFactory(project=world.project, name="Lighting")
    excerpts = [code(document, 11 * i, 11 * i + 9, [theme], world.analyst) for i in range(CARDS_PER_PAGE + 5)]
    client = client_for(world.analyst)
    first = client.get(_url(world, "document", pk=document.pk))
    assert [e.pk for e in first.context["excerpts"]] == [e.pk for e in excerpts[:CARDS_PER_PAGE]]
    assert first.text.count('class="cg-coded"') == CARDS_PER_PAGE + 5  # the text shows every coding
    assert f"Passages 1 to {CARDS_PER_PAGE} of {CARDS_PER_PAGE + 5}" in first.text and "passages=2#passages" in first.text
    second = client.get(_url(world, "document", pk=document.pk), {"passages": "2"})
    assert [e.pk for e in second.context["excerpts"]] == [e.pk for e in excerpts[CARDS_PER_PAGE:]]
    late = excerpts[-1]
    response = client.post(_url(world, "excerpt", pk=late.pk), {"action": "memo", "text": "Bridge lamps again"})
    assert response["Location"].endswith(f"?passages=2#excerpt-{late.pk}")
    assert late.memos.get().text == "Bridge lamps again"
    early = excerpts[0]
    response = client.post(_url(world, "excerpt", pk=early.pk), {"action": "remove"})
    assert response["Location"].endswith(f"/documents/{document.pk}/#passages")
    assert not document.excerpts.filter(pk=early.pk).exists()


def test_another_coders_card_page_is_not_reachable_by_a_blind_coder(world, client_for):
    from coproduction.analysis import actions

    document = make_document(world.project, text="Lamps out. " * 10)
    theme = ThemeFactory(project=world.project, name="Lighting")
    theirs = code(document, 0, 9, [theme], world.analyst)
    mine = code(document, 11, 20, [theme], world.peer)
    actions.start_blind_session(world.project, world.peer)
    page = client_for(world.peer).get(_url(world, "document", pk=document.pk))
    assert [e.pk for e in page.context["excerpts"]] == [mine.pk]
    assert page.text.count('class="cg-coded"') == 1 and f"excerpt-{theirs.pk}" not in page.text


def test_the_codebook_rows_escape_what_analysts_typed_link_each_theme_and_hide_counts_from_a_blind_coder(world, client_for):
    import re

    from coproduction.models import CodingSession

    hostile = ThemeFactory(project=world.project, name="Lamps <b>x</b>", description='Says "<i>dark</i>" & more')
    child = ThemeFactory(project=world.project, name="Underpass", parent=hostile, colour="#00703c")
    document = make_document(world.project)
    code(document, 0, 5, [child], world.analyst)
    page = client_for(world.analyst).get(_url(world, "themes")).text
    assert "Lamps &lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    assert "Says &quot;&lt;i&gt;dark&lt;/i&gt;&quot; &amp; more" in page
    assert f'href="{_url(world, "theme", pk=child.pk)}">Underpass</a>' in page
    assert re.search(r'cg-depth-1">.*?fill="#00703c".*?Underpass', page)
    assert 'data-label="Passages">1</td>' in page
    CodingSession.objects.create(project=world.project, coder=world.analyst, blind=True)
    blind = client_for(world.analyst).get(_url(world, "themes")).text
    assert "Underpass" in blind and 'data-label="Passages"' not in blind


def test_a_coded_passage_card_escapes_the_quote_and_memo_and_offers_only_what_the_reader_may_do(world, client_for):
    import re

    from coproduction.models import Memo

    document = make_document(world.project, text='She said <b>"lights"</b> & left. Another sentence here.')
    theme = ThemeFactory(project=world.project, name="Lighting <i>")
    mine = code(document, 0, 32, [theme], world.analyst)
    theirs = code(document, 33, 49, [theme], world.peer)
    Memo.objects.create(project=world.project, excerpt=mine, author=world.analyst, text="First line\n<script>x</script>")
    page = client_for(world.analyst).get(_url(world, "document", pk=document.pk)).text
    found = re.findall(r'<div class="govuk-summary-card" id="excerpt-(\d+)">(.*?)</form>', page, re.S)
    cards = {int(pk): body for pk, body in found}
    assert set(cards) == {mine.pk, theirs.pk}
    assert "She said &lt;b&gt;&quot;lights&quot;&lt;/b&gt; &amp; left." in cards[mine.pk] and "<b>" not in cards[mine.pk]
    assert "First line<br>&lt;script&gt;x&lt;/script&gt;" in cards[mine.pk]
    assert "Lighting &lt;i&gt;" in cards[mine.pk]
    assert 'value="remove"' in cards[mine.pk] and 'value="remove"' not in cards[theirs.pk]
    token = r'name="csrfmiddlewaretoken" value="\w{20,}"'
    assert all('value="choose"' in body and re.search(token, body) for body in cards.values())
    assert f'action="{_url(world, "excerpt", pk=theirs.pk)}"' in cards[theirs.pk]
    peer_page = client_for(world.peer).get(_url(world, "document", pk=document.pk)).text
    assert 'value="choose"' not in peer_page and peer_page.count('value="remove"') == 1
