"""Coding a document: mouse selection offsets or a chosen passage, validated server-side; blind
mode; memos; who may change what."""

import pytest
from django.urls import reverse

from coproduction.analysis import actions
from coproduction.models import Coding, Excerpt
from tests.analysis.factories import ThemeFactory, code, make_document


def url(world, name, **kwargs):
    return reverse(f"analysis:{name}", kwargs={"slug": world.project.slug, **kwargs})


@pytest.fixture
def doc(world):
    # Emoji and accented letters: one code point each in Python, two UTF-16 units for the emoji.
    return make_document(world.project, text="Café 🙂 is safe. The lamp is dark.\n\nOutreach helps.")


def test_code_a_mouse_selection_by_code_points(world, client_for, doc):
    theme = ThemeFactory(project=world.project)
    start = doc.text.index("The lamp")
    response = client_for(world.analyst).post(
        url(world, "document", pk=doc.pk), {"start": start, "end": start + len("The lamp is dark."), "themes": [theme.pk]}
    )
    assert response.status_code == 302
    excerpt = Excerpt.objects.get()
    assert excerpt.quote == "The lamp is dark." and excerpt.start == 16  # "Café 🙂 is safe. " is 16 code points
    coding = excerpt.codings.get()
    assert coding.coder == world.analyst and coding.theme == theme and coding.created_at


def test_code_a_sentence_chosen_from_the_list(world, client_for, doc):
    theme = ThemeFactory(project=world.project)
    page = client_for(world.analyst).get(url(world, "document", pk=doc.pk))
    assert "Sentence: The lamp is dark." in page.text and "Paragraph: Outreach helps." in page.text
    start = doc.text.index("Outreach")
    client_for(world.analyst).post(url(world, "document", pk=doc.pk), {"passage": f"{start}-{start + 15}", "themes": [theme.pk]})
    assert Excerpt.objects.get().quote == "Outreach helps."


@pytest.mark.parametrize(
    "data",
    [
        {"start": 5, "end": 500},  # past the end
        {"start": 9, "end": 9},  # empty
        {"start": 9, "end": 3},  # backwards
        {"start": -1, "end": 3},  # negative
        {"start": "x", "end": 3},  # not a number
        {"passage": "0-999"},  # a passage that is not in the list
        {},  # nothing selected
    ],
)
def test_bad_offsets_are_refused(world, client_for, doc, data):
    theme = ThemeFactory(project=world.project)
    response = client_for(world.analyst).post(url(world, "document", pk=doc.pk), {**data, "themes": [theme.pk]})
    assert response.status_code == 200 and "There is a problem" in response.text
    assert not Excerpt.objects.exists()


def test_overlapping_coding_with_the_same_theme_is_refused(world, client_for, doc):
    theme = ThemeFactory(project=world.project, name="Lighting")
    other = ThemeFactory(project=world.project, name="Policing")
    code(doc, 16, 33, [theme], world.analyst)
    response = client_for(world.analyst).post(url(world, "document", pk=doc.pk), {"start": 20, "end": 40, "themes": [theme.pk]})
    assert response.status_code == 200 and "already coded part of this passage" in response.text
    assert Excerpt.objects.count() == 1
    # Another theme on the same words, or another coder with the same theme, is fine.
    code(doc, 20, 40, [other], world.analyst)
    code(doc, 20, 40, [theme], world.peer)
    assert Excerpt.objects.count() == 3


def test_another_projects_theme_cannot_be_applied(world, client_for, doc):
    foreign = ThemeFactory(project=world.other_project)
    response = client_for(world.analyst).post(url(world, "document", pk=doc.pk), {"start": 0, "end": 4, "themes": [foreign.pk]})
    assert response.status_code == 200 and not Excerpt.objects.exists()
    with pytest.raises(actions.CodingRefused):
        code(doc, 0, 4, [foreign], world.analyst)


def test_another_projects_document_and_excerpt_are_404(world, client_for):
    elsewhere = make_document(world.other_project)
    theme = ThemeFactory(project=world.other_project)
    excerpt = code(elsewhere, 0, 5, [theme], world.outsiders["analyst"])
    client = client_for(world.analyst)
    assert client.get(url(world, "document", pk=elsewhere.pk)).status_code == 404
    assert client.post(url(world, "excerpt", pk=excerpt.pk), {"action": "memo", "text": "hi"}).status_code == 404
    assert not excerpt.memos.exists()


def test_peer_researcher_codes_with_codebook_and_own_proposals(world, client_for, doc):
    active = ThemeFactory(project=world.project, name="Active")
    mine = actions.create_theme(project=world.project, name="Mine", by=world.peer, proposed=True)
    theirs = actions.create_theme(project=world.project, name="Theirs", by=world.second_peer, proposed=True)
    page = client_for(world.peer).get(url(world, "document", pk=doc.pk))
    assert "Active" in page.text and "Mine" in page.text and ">Theirs<" not in page.text
    client_for(world.peer).post(url(world, "document", pk=doc.pk), {"start": 0, "end": 4, "themes": [active.pk, mine.pk]})
    assert Coding.objects.filter(coder=world.peer).count() == 2
    assert theirs.codings.count() == 0


def test_only_the_coder_removes_an_excerpt(world, client_for, doc):
    theme = ThemeFactory(project=world.project)
    excerpt = code(doc, 0, 4, [theme], world.analyst)
    client_for(world.peer).post(url(world, "excerpt", pk=excerpt.pk), {"action": "remove"})
    assert Excerpt.objects.filter(pk=excerpt.pk).exists()
    client_for(world.analyst).post(url(world, "excerpt", pk=excerpt.pk), {"action": "remove"})
    assert not Excerpt.objects.filter(pk=excerpt.pk).exists()


def test_memo_on_an_excerpt_and_choosing_it_for_the_report(world, client_for, doc):
    theme = ThemeFactory(project=world.project)
    excerpt = code(doc, 0, 4, [theme], world.analyst)
    client = client_for(world.analyst)
    client.post(url(world, "excerpt", pk=excerpt.pk), {"action": "memo", "text": "Strong quote"})
    client.post(url(world, "excerpt", pk=excerpt.pk), {"action": "choose"})
    excerpt.refresh_from_db()
    assert excerpt.memos.get().text == "Strong quote" and excerpt.chosen_for_report
    # A peer researcher cannot choose report quotes.
    client_for(world.peer).post(url(world, "excerpt", pk=excerpt.pk), {"action": "unchoose"})
    excerpt.refresh_from_db()
    assert excerpt.chosen_for_report


def test_blind_mode_hides_the_first_coders_work_until_finished(world, client_for, doc):
    theme = ThemeFactory(project=world.project, name="Safety")
    code(doc, 0, 4, [theme], world.analyst)
    client = client_for(world.peer)
    client.post(url(world, "blind"), {"action": "start"})
    page = client.get(url(world, "document", pk=doc.pk))
    assert "coding blind" in page.text and "cg-coded" not in page.text and str(world.analyst) not in page.text
    client.post(url(world, "blind"), {"action": "finish"})
    page = client.get(url(world, "document", pk=doc.pk))
    assert "cg-coded" in page.text and str(world.analyst) in page.text


def test_deleting_a_document_removes_its_excerpts_codings_and_memos(world, doc):
    theme = ThemeFactory(project=world.project)
    excerpt = code(doc, 0, 4, [theme], world.analyst)
    actions.add_memo(project=world.project, author=world.analyst, text="memo", excerpt=excerpt)
    doc.delete()
    assert not Excerpt.objects.exists() and not Coding.objects.exists() and not excerpt.memos.exists()
    assert theme.pk and theme.__class__.objects.filter(pk=theme.pk).exists()


def test_blind_coder_sees_no_other_quotes_counts_disagreements_or_exports(world, client_for, doc):
    theme = ThemeFactory(project=world.project, name="Safety")
    code(doc, 0, 4, [theme], world.peer)
    second = world.analyst
    client = client_for(second)
    client.post(url(world, "blind"), {"action": "start"})
    assert "Café" not in client.get(url(world, "theme", pk=theme.pk)).text.split("Quotes you coded")[1].split("Memos")[0]
    assert "Passages</th>" not in client.get(url(world, "themes")).text
    assert "Coded passages</th>" not in client.get(url(world, "documents")).text
    page = client.get(url(world, "agreement"), {"coder_a": world.peer.pk, "coder_b": second.pk, "unit": "character"})
    assert "You are coding blind" in page.text and "Disagreements" not in page.text
    response = client.post(url(world, "export"), {"format": "csv"})
    assert response.status_code == 302 and not response.has_header("Content-Disposition")


def test_coding_page_query_count_is_constant(world, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    doc = make_document(world.project, text="abcdefghijklmnopqrstuvwxyz")
    theme = ThemeFactory(project=world.project)
    client = client_for(world.analyst)
    counts = []
    for start in (0, 10):
        for offset in range(start, start + 5):
            excerpt = code(doc, offset, offset + 1, [theme], world.analyst)
            actions.add_memo(project=world.project, author=world.analyst, text="m", excerpt=excerpt)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(world, "document", pk=doc.pk)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
