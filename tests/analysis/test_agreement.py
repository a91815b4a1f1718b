"""Cohen's κ and percentage agreement between two coders, checked against a worked example."""

import pytest
from django.urls import reverse

from coproduction.analysis import agreement
from tests.analysis.factories import ThemeFactory, code, make_document


@pytest.fixture
def example(world):
    """Worked example by hand, over one document of 20 characters ("0123456789" twice).

    Theme T: coder A codes [0,10); coder B codes [0,8) and [16,18).
        both = [0,8) = 8, only A = [8,10) = 2, only B = [16,18) = 2, neither = 20-12 = 8
        po = (8+8)/20 = 0.80;  pA = 10/20 = 0.5;  pB = 10/20 = 0.5
        pe = 0.5·0.5 + 0.5·0.5 = 0.50;  κ = (0.80-0.50)/(1-0.50) = 0.60
    Theme U: coder A codes [12,20); coder B codes [14,20).
        both = 6, only A = [12,14) = 2, only B = 0, neither = 12
        po = 18/20 = 0.90;  pA = 8/20 = 0.4;  pB = 6/20 = 0.3
        pe = 0.4·0.3 + 0.6·0.7 = 0.12 + 0.42 = 0.54;  κ = (0.90-0.54)/0.46 = 0.7826…
    Overall (the two tables pooled, 40 units):
        both = 14, only A = 4, only B = 2, neither = 20
        po = 34/40 = 0.85;  pA = 18/40 = 0.45;  pB = 16/40 = 0.40
        pe = 0.45·0.40 + 0.55·0.60 = 0.18 + 0.33 = 0.51;  κ = (0.85-0.51)/0.49 = 0.6939…
    """
    document = make_document(world.project, text="0123456789" * 2)
    t = ThemeFactory(project=world.project, name="T")
    u = ThemeFactory(project=world.project, name="U")
    a, b = world.analyst, world.peer
    code(document, 0, 10, [t], a)
    code(document, 12, 20, [u], a)
    code(document, 0, 8, [t], b)
    code(document, 16, 18, [t], b)
    code(document, 14, 20, [u], b)
    return document, t, u


def test_kappa_over_characters_matches_the_worked_example(world, example):
    document, t, u = example
    result = agreement.compare(world.project, world.analyst, world.peer, "character")
    tables = {theme.name: table for theme, table in result.per_theme}
    assert (tables["T"].both, tables["T"].only_a, tables["T"].only_b, tables["T"].neither) == (8, 2, 2, 8)
    assert tables["T"].percent_agreement == pytest.approx(80.0)
    assert tables["T"].kappa == pytest.approx(0.60)
    assert tables["U"].percent_agreement == pytest.approx(90.0)
    assert tables["U"].kappa == pytest.approx(0.36 / 0.46)
    assert result.overall.percent_agreement == pytest.approx(85.0)
    assert result.overall.kappa == pytest.approx(0.34 / 0.49)
    spans = {(d.theme.name, d.start, d.end, d.coded_by) for d in result.disagreements}
    assert spans == {("T", 8, 10, "A"), ("T", 16, 18, "B"), ("U", 12, 14, "A")}


def test_kappa_over_sentences(world):
    """Five sentences. Coder A applies T to sentences 0, 1, 2; coder B to 0, 1, 3 (B touches
    sentence 3 with only one word: a sentence counts as coded if any of it is coded).
        both = 2 (s0, s1), only A = 1 (s2), only B = 1 (s3), neither = 1 (s4)
        po = 3/5 = 0.6;  pA = pB = 3/5 = 0.6;  pe = 0.36 + 0.16 = 0.52
        κ = (0.6-0.52)/(1-0.52) = 0.08/0.48 = 0.1667
    """
    text = "One two. Three four. Five six. Seven eight. Nine ten."
    document = make_document(world.project, text=text)
    spans = agreement.sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["One two.", "Three four.", "Five six.", "Seven eight.", "Nine ten."]
    t = ThemeFactory(project=world.project, name="T")
    code(document, spans[0][0], spans[2][1], [t], world.analyst)
    code(document, spans[0][0], spans[1][1], [t], world.peer)
    code(document, spans[3][0], spans[3][0] + 5, [t], world.peer)
    result = agreement.compare(world.project, world.analyst, world.peer, "sentence")
    table = result.per_theme[0][1]
    assert (table.both, table.only_a, table.only_b, table.neither) == (2, 1, 1, 1)
    assert table.kappa == pytest.approx(0.08 / 0.48)


def test_plain_english_explanation():
    assert "moderate agreement" in agreement.explain(0.6)
    assert "substantial agreement" in agreement.explain(0.78)
    assert "almost perfect" in agreement.explain(0.95)
    assert "less agreement than chance" in agreement.explain(-0.2)
    assert "Not defined" in agreement.explain(None)


def test_kappa_is_undefined_when_chance_agreement_is_total():
    assert agreement.Table(both=0, only_a=0, only_b=0, neither=10).kappa is None


def test_documents_coded_by_only_one_coder_are_left_out(world):
    t = ThemeFactory(project=world.project)
    code(make_document(world.project), 0, 5, [t], world.analyst)
    result = agreement.compare(world.project, world.analyst, world.peer)
    assert result.documents == 0 and not result.per_theme


def test_agreement_page(world, client_for, example):
    url = reverse("analysis:agreement", kwargs={"slug": world.project.slug})
    client = client_for(world.analyst)
    response = client.get(url, {"coder_a": world.analyst.pk, "coder_b": world.peer.pk, "unit": "character"})
    assert response.status_code == 200
    assert "0.60" in response.text and "85.0%" in response.text and "moderate agreement" in response.text
    assert "?start=8&amp;end=10#focus" in response.text
    same = client.get(url, {"coder_a": world.analyst.pk, "coder_b": world.analyst.pk, "unit": "character"})
    assert "Choose two different coders" in same.text
    assert client_for(world.peer).get(url).status_code == 403


def test_character_tables_match_a_brute_force_count(world):
    """Random codings by two coders over one document: the bit-set tables and disagreement spans
    equal a plain count character by character."""
    import random

    from coproduction.models import Coding, Excerpt

    rng = random.Random(7)
    length = 200
    document = make_document(world.project, text="x" * length)
    themes = [ThemeFactory(project=world.project, name=f"T{i}") for i in range(3)]
    marks = {}
    for coder in (world.analyst, world.peer):
        for theme in themes:
            covered: set[int] = set()
            for _ in range(rng.randint(0, 4)):
                start = rng.randrange(0, length - 1)
                end = rng.randrange(start + 1, min(length, start + 40) + 1)
                if covered & set(range(start, end)):
                    continue  # overlapping spans of one theme are refused by design
                excerpt = Excerpt.objects.create(document=document, start=start, end=end, coder=coder)
                Coding.objects.create(excerpt=excerpt, theme=theme, coder=coder)
                covered |= set(range(start, end))
            marks[(coder.pk, theme.pk)] = covered
    result = agreement.compare(world.project, world.analyst, world.peer)
    if not result.documents:
        pytest.skip("one coder coded nothing in this draw")
    for theme, table in result.per_theme:
        a, b = marks[(world.analyst.pk, theme.pk)], marks[(world.peer.pk, theme.pk)]
        assert (table.both, table.only_a, table.only_b) == (len(a & b), len(a - b), len(b - a))
        assert table.neither == length - len(a | b)
        shown = {i for d in result.disagreements if d.theme == theme for i in range(d.start, d.end)}
        assert shown == a ^ b
