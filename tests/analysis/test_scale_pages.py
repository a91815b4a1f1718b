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
