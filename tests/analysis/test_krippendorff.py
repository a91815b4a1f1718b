"""Krippendorff's α beside Cohen's κ: worked examples by hand, equal to the `krippendorff`
library run on the full reliability data, and shown on the agreement page."""

import math
import random

import krippendorff
import numpy as np
import pytest
from django.urls import reverse

from coproduction.analysis import agreement
from coproduction.models import Coding, Excerpt
from tests.analysis.factories import ThemeFactory, code, make_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def example(world):
    """The κ worked example of test_agreement.py (one document of 20 characters):

    Theme T: A codes [0,10); B codes [0,8) and [16,18): both 8, only A 2, only B 2, neither 8.
    Nominal α from the coincidence matrix (each unit gives one ordered pair each way):
        o(1,1) = 2·8 = 16, o(0,0) = 2·8 = 16, o(0,1) = o(1,0) = 2 + 2 = 4
        n0 = 16 + 4 = 20, n1 = 20, n = 40
        α = 1 − (n − 1)·(o01 + o10) / (2·n0·n1) = 1 − 39·8 / 800 = 0.61
    Theme U: A codes [12,20); B codes [14,20): both 6, only A 2, neither 12.
        o11 = 12, o00 = 24, o01 = o10 = 2;  n0 = 26, n1 = 14
        α = 1 − 39·4 / (2·26·14) = 1 − 156/728 = 11/14 = 0.7857…
    Pooled over both themes (80 values):
        o01 = o10 = 6;  n0 = 2·20 + 6 = 46, n1 = 2·14 + 6 = 34
        α = 1 − 79·12 / (2·46·34) = 1 − 948/3128 = 0.6969…
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


def _bits(spans, length):
    row = [0] * length
    for start, end in spans:
        row[start:end] = [1] * (end - start)
    return row


def test_alpha_of_two_coders_matches_the_hand_worked_example_and_the_library(world, example):
    result = agreement.krippendorff_alpha(world.project, [world.analyst, world.peer], "character")
    alphas = {theme.name: value for theme, value in result.per_theme}
    assert alphas["T"] == pytest.approx(0.61)
    assert alphas["U"] == pytest.approx(11 / 14)
    assert result.overall == pytest.approx(1 - 948 / 3128)
    # The library on the plain reliability data: one column per character, one row per coder.
    t_data = [_bits([(0, 10)], 20), _bits([(0, 8), (16, 18)], 20)]
    u_data = [_bits([(12, 20)], 20), _bits([(14, 20)], 20)]
    library = {
        "T": krippendorff.alpha(reliability_data=t_data, level_of_measurement="nominal"),
        "U": krippendorff.alpha(reliability_data=u_data, level_of_measurement="nominal"),
        "all": krippendorff.alpha(
            reliability_data=[t_data[0] + u_data[0], t_data[1] + u_data[1]], level_of_measurement="nominal"
        ),
    }
    assert alphas["T"] == pytest.approx(library["T"]) and alphas["U"] == pytest.approx(library["U"])
    assert result.overall == pytest.approx(library["all"])


def test_alpha_of_three_coders_with_a_document_one_did_not_code(world):
    """Sentences. Document 1 (4 sentences) coded by A, B and C; document 2 (2 sentences) by A
    and B only, so C's values there are missing, not "no".

        unit:  d1s0 d1s1 d1s2 d1s3 d2s0 d2s1
        A       1    1    0    0    1    0
        B       1    0    0    0    1    1
        C       1    1    0    0    ·    ·

    Coincidences, unit by unit (n_c·n_k/(m−1)): d1s0 o11 += 3; d1s1 o11 += 1, o01 = o10 += 1;
    d1s2, d1s3 o00 += 3 each; d2s0 o11 += 2; d2s1 o01 = o10 += 1.
        o00 = 6, o11 = 6, o01 = o10 = 2;  n0 = n1 = 8, n = 16
        α = 1 − 15·4 / (2·8·8) = 1 − 60/128 = 0.53125
    """
    first = make_document(world.project, text="One. Two. Three. Four.")
    second = make_document(world.project, text="Five. Six.")
    s1, s2 = agreement.sentence_spans(first.text), agreement.sentence_spans(second.text)
    t = ThemeFactory(project=world.project, name="T")
    a, b, c = world.analyst, world.peer, world.second_peer
    code(first, s1[0][0], s1[1][1], [t], a)
    code(second, s2[0][0], s2[0][1], [t], a)
    code(first, s1[0][0], s1[0][1], [t], b)
    code(second, s2[0][0], s2[1][1], [t], b)
    code(first, s1[0][0], s1[1][1], [t], c)
    result = agreement.krippendorff_alpha(world.project, [a, b, c], "sentence")
    assert result.documents == 2
    assert result.per_theme[0][1] == pytest.approx(0.53125) and result.overall == pytest.approx(0.53125)
    nan = np.nan
    library = krippendorff.alpha(
        reliability_data=[[1, 1, 0, 0, 1, 0], [1, 0, 0, 0, 1, 1], [1, 1, 0, 0, nan, nan]], level_of_measurement="nominal"
    )
    assert library == pytest.approx(0.53125)


def test_alpha_equals_the_library_on_random_codings_by_three_coders(world):
    """The compact value counts (unanimous units folded into one row per value) give exactly what
    the library gives on the full coder × unit table."""
    rng = random.Random(5)
    length = 120
    documents = [make_document(world.project, text="y" * length) for _ in range(2)]
    themes = [ThemeFactory(project=world.project, name=f"R{i}") for i in range(3)]
    coders = [world.analyst, world.peer, world.second_peer]
    marks: dict[tuple[int, int, int], set[int]] = {}
    for d, document in enumerate(documents):
        for coder in coders[: 3 - d]:  # the third coder codes only the first document
            for theme in themes:
                covered: set[int] = set()
                for _ in range(3):
                    start = rng.randrange(0, length - 1)
                    end = rng.randrange(start + 1, min(length, start + 35) + 1)
                    if covered & set(range(start, end)):
                        continue
                    excerpt = Excerpt.objects.create(document=document, start=start, end=end, coder=coder)
                    Coding.objects.create(excerpt=excerpt, theme=theme, coder=coder)
                    covered |= set(range(start, end))
                marks[(d, coder.pk, theme.pk)] = covered
    result = agreement.krippendorff_alpha(world.project, coders, "character")
    table = []
    for coder in coders:
        row = []
        for theme in themes:
            for d in range(len(documents)):
                if (d, coder.pk, theme.pk) not in marks:
                    row += [math.nan] * length
                else:
                    row += [1 if i in marks[(d, coder.pk, theme.pk)] else 0 for i in range(length)]
        table.append(row)
    expected = krippendorff.alpha(reliability_data=table, level_of_measurement="nominal")
    assert result.overall == pytest.approx(expected)


def test_alpha_is_not_defined_without_variation():
    counts = agreement._Counts()
    counts.add(coders=2, coded=0, units=10)
    assert counts.alpha() is None
    counts.add(coders=2, coded=2, units=3)
    assert counts.alpha() == pytest.approx(1.0)


def test_agreement_page_shows_alpha_and_says_what_is_counted(world, client_for, example):
    url = reverse("analysis:agreement", kwargs={"slug": world.project.slug})
    response = client_for(world.analyst).get(url, {"coder_a": world.analyst.pk, "coder_b": world.peer.pk, "unit": "character"})
    assert response.status_code == 200
    assert "α = 0.70" in response.text and "0.61" in response.text and "0.79" in response.text
    assert "Text nobody coded counts" in response.text
    assert "each character, or each sentence" in response.text
    assert "missing for them" in response.text


def test_agreement_page_gives_alpha_for_all_coders_when_more_than_two(world, client_for, example):
    document, t, _ = example
    code(document, 0, 9, [t], world.second_peer)
    url = reverse("analysis:agreement", kwargs={"slug": world.project.slug})
    response = client_for(world.coordinator).get(url, {"coder_a": world.analyst.pk, "coder_b": world.peer.pk, "unit": "sentence"})
    assert "Krippendorff's α for all 3 coders" in response.text
