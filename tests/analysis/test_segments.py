"""The coding page splits a document into pieces by excerpt boundaries; the one-pass sweep must
agree with the plain definition (every excerpt covering the piece) for any overlap pattern."""

from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from coproduction.analysis.views import _segments

TEXT = "The lamps on the bridge were out again, and the outreach van came late."


def excerpt(pk, start, end, themes):
    return SimpleNamespace(pk=pk, start=start, end=end, theme_names=set(themes))


spans = st.tuples(st.integers(0, len(TEXT)), st.integers(0, len(TEXT))).map(sorted).filter(lambda s: s[0] < s[1])
excerpt_lists = st.lists(st.tuples(spans, st.sets(st.sampled_from(["Lighting", "Safety", "Services"]), min_size=1)), max_size=12)


@given(excerpt_lists)
def test_each_piece_lists_the_themes_of_every_excerpt_covering_it(drawn):
    excerpts = [excerpt(i, start, end, themes) for i, ((start, end), themes) in enumerate(drawn)]
    pieces = _segments(TEXT, excerpts, None)
    assert "".join(p["text"] for p in pieces) == TEXT
    for piece in pieces:
        start, end = piece["start"], piece["start"] + len(piece["text"])
        expected = sorted({name for e in excerpts if e.start <= start and e.end >= end for name in e.theme_names})
        assert piece["themes"] == ", ".join(expected)
