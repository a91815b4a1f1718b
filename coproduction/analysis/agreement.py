"""How far coders agree: percentage agreement and Cohen's κ for two coders, Krippendorff's α for
two or more, per theme and overall.

A unit is one character (code point) or one sentence of a document. For each theme and each
unit, each coder either applied the theme there (1) or not (0). The 2×2 table of
(coder A, coder B) pairs gives:

    po = (both + neither) / units                     observed agreement
    pe = pA·pB + (1 − pA)(1 − pB)                     agreement expected by chance
    κ  = (po − pe) / (1 − pe)                         undefined when pe = 1

Only documents that both coders have coded are compared. "Overall" pools the tables of every
theme. Character masks are Python integers used as bit sets, so long documents stay fast.
"""

import re
from dataclasses import dataclass, field

from coproduction.models import Coding, Document, Project, Theme, User


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """[(start, end)] of each sentence (code points), skipping blank stretches."""
    spans = []
    for match in re.finditer(r"[^\s.!?][^.!?\n]*(?:[.!?]+[\"'”’)]*)?", text):
        spans.append((match.start(), match.end()))
    return spans


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]*\S[^\n]*", text)]


@dataclass
class Table:
    both: int = 0
    only_a: int = 0
    only_b: int = 0
    neither: int = 0

    def add(self, other: "Table") -> None:
        self.both += other.both
        self.only_a += other.only_a
        self.only_b += other.only_b
        self.neither += other.neither

    @property
    def units(self) -> int:
        return self.both + self.only_a + self.only_b + self.neither

    @property
    def percent_agreement(self) -> float | None:
        if not self.units:
            return None
        return 100 * (self.both + self.neither) / self.units

    @property
    def kappa(self) -> float | None:
        n = self.units
        if not n:
            return None
        po = (self.both + self.neither) / n
        pa = (self.both + self.only_a) / n
        pb = (self.both + self.only_b) / n
        pe = pa * pb + (1 - pa) * (1 - pb)
        if pe >= 1:
            return None
        return (po - pe) / (1 - pe)


def cohen_kappa(table: Table) -> float | None:
    return table.kappa


def explain(kappa: float | None) -> str:
    """Plain English, with the bands of Landis & Koch (1977)."""
    if kappa is None:
        return "Not defined: both coders made the same choice everywhere, so chance agreement is total."
    kappa = round(kappa, 2)  # bands are read at two decimals; 0.6000001 is still "moderate"
    if kappa < 0:
        band = "less agreement than chance"
    elif kappa <= 0.20:
        band = "slight agreement"
    elif kappa <= 0.40:
        band = "fair agreement"
    elif kappa <= 0.60:
        band = "moderate agreement"
    elif kappa <= 0.80:
        band = "substantial agreement"
    else:
        band = "almost perfect agreement"
    return f"κ = {kappa:.2f}: {band} beyond what chance would give (Landis & Koch bands)."


@dataclass
class Disagreement:
    document: Document
    theme: Theme
    start: int
    end: int
    coded_by: str  # "A" or "B": who applied the theme here

    @property
    def quote(self) -> str:
        return self.document.text[self.start : self.end]


@dataclass
class Result:
    unit: str
    per_theme: list[tuple[Theme, Table]] = field(default_factory=list)
    overall: Table = field(default_factory=Table)
    disagreements: list[Disagreement] = field(default_factory=list)
    documents: int = 0


def _mask(start: int, end: int) -> int:
    return ((1 << (end - start)) - 1) << start


def _runs(mask: int) -> list[tuple[int, int]]:
    bits = bin(mask)[2:][::-1]
    return [(m.start(), m.end()) for m in re.finditer("1+", bits)]


def _sentence_mask(spans: list[tuple[int, int]], char_mask: int) -> int:
    """Bit i set when sentence i contains any coded character."""
    mask = 0
    for i, (start, end) in enumerate(spans):
        if char_mask & _mask(start, end):
            mask |= 1 << i
    return mask


def compare(project: Project, coder_a: User, coder_b: User, unit: str = "character") -> Result:
    """Agreement between two coders over the documents both have coded."""
    codings = list(
        Coding.objects.filter(excerpt__document__project=project, coder__in=[coder_a, coder_b])
        .exclude(theme__status__in=[Theme.Status.DECLINED, Theme.Status.MERGED])
        .values_list("coder_id", "theme_id", "excerpt__document_id", "excerpt__start", "excerpt__end")
    )
    docs_a = {d for c, _, d, _, _ in codings if c == coder_a.pk}
    docs_b = {d for c, _, d, _, _ in codings if c == coder_b.pk}
    doc_ids = docs_a & docs_b
    result = Result(unit=unit, documents=len(doc_ids))
    if not doc_ids:
        return result
    documents = {d.pk: d for d in Document.objects.filter(pk__in=doc_ids).only("id", "title", "text", "project_id")}
    theme_ids = sorted({t for _, t, d, _, _ in codings if d in doc_ids})
    themes = {t.pk: t for t in Theme.objects.filter(pk__in=theme_ids)}
    masks: dict[tuple[int, int, int], int] = {}
    for coder_id, theme_id, doc_id, start, end in codings:
        if doc_id in doc_ids:
            key = (coder_id, theme_id, doc_id)
            masks[key] = masks.get(key, 0) | _mask(start, end)
    sentences = {d: sentence_spans(doc.text) for d, doc in documents.items()} if unit == "sentence" else {}
    for theme_id in theme_ids:
        table = Table()
        for doc_id, document in documents.items():
            a = masks.get((coder_a.pk, theme_id, doc_id), 0)
            b = masks.get((coder_b.pk, theme_id, doc_id), 0)
            for coded_by, only in (("A", a & ~b), ("B", b & ~a)):
                for start, end in _runs(only):
                    result.disagreements.append(Disagreement(document, themes[theme_id], start, end, coded_by))
            if unit == "sentence":
                spans = sentences[doc_id]
                a, b, n = _sentence_mask(spans, a), _sentence_mask(spans, b), len(spans)
            else:
                n = len(document.text)
            both = (a & b).bit_count()
            only_a = (a & ~b).bit_count()
            only_b = (b & ~a).bit_count()
            table.add(Table(both, only_a, only_b, n - both - only_a - only_b))
        result.per_theme.append((themes[theme_id], table))
        result.overall.add(table)
    result.disagreements.sort(key=lambda d: (d.document.title, d.start, d.theme.name))
    return result


# ---- Krippendorff's α ---------------------------------------------------------------------

ALPHA_EXPLAINED = (
    "Krippendorff's alpha (α) asks the same question as κ for any number of coders, and copes with a "
    'coder who did not code a document (that document is missing for them, not counted as "no"). '
    "1 is perfect agreement, 0 is what chance would give."
)


@dataclass
class Alpha:
    """α per theme and pooled over every theme, for a group of coders."""

    unit: str
    coders: list[User]
    per_theme: list[tuple[Theme, float | None]] = field(default_factory=list)
    overall: float | None = None
    documents: int = 0


class _Counts:
    """The value counts of one theme (or all pooled) in the compact form α needs.

    Krippendorff's coincidence matrix adds, per unit, n_c·n_k/(m−1) (minus the diagonal), where m
    coders gave the unit a value. A unit all m coders left uncoded adds exactly m to o(0,0), and so
    does one pooled row "S coders said 0" with S the sum of those m: so every unanimous unit
    is folded into one row per value and only units where the coders differ need a row each.
    The library then computes α from rows that grow with the disagreements, not with the text.
    """

    def __init__(self):
        self.unanimous = [0, 0]  # coders' values in units where all said 0, all said 1
        self.mixed: dict[tuple[int, int], int] = {}  # (said 0, said 1) -> how many units

    def add(self, coders: int, coded: int, units: int) -> None:
        if not units:
            return
        if coded == 0:
            self.unanimous[0] += coders * units
        elif coded == coders:
            self.unanimous[1] += coders * units
        else:
            key = (coders - coded, coded)
            self.mixed[key] = self.mixed.get(key, 0) + units

    def merge(self, other: "_Counts") -> None:
        self.unanimous[0] += other.unanimous[0]
        self.unanimous[1] += other.unanimous[1]
        for key, units in other.mixed.items():
            self.mixed[key] = self.mixed.get(key, 0) + units

    def value_counts(self):
        import numpy as np

        rows = [[self.unanimous[0], 0], [0, self.unanimous[1]]]
        patterns = list(self.mixed)
        mixed = np.repeat(np.array(patterns, dtype=np.int64).reshape(-1, 2), [self.mixed[p] for p in patterns], axis=0)
        return np.vstack([np.array(rows, dtype=np.int64), mixed])

    def alpha(self) -> float | None:
        import krippendorff
        import numpy as np

        if not self.mixed and not (self.unanimous[0] and self.unanimous[1]):
            return None  # one value everywhere: no variation, so α is not defined
        with np.errstate(divide="ignore", invalid="ignore"):
            value = float(krippendorff.alpha(value_counts=self.value_counts(), level_of_measurement="nominal"))
        return value if np.isfinite(value) else None


def _coder_counts(masks: list[int], units: int, counts: _Counts) -> None:
    """Add one theme on one document: how many units each number of coders marked."""
    cuts = {0, units}
    for mask in masks:
        for start, end in _runs(mask):
            cuts.update((start, end))
    points = sorted(cuts)
    for start, end in zip(points, points[1:], strict=False):
        bit = 1 << start
        counts.add(len(masks), sum(1 for mask in masks if mask & bit), end - start)


def krippendorff_alpha(project: Project, coders: list[User], unit: str = "character") -> Alpha:
    """α for two or more coders over every document at least two of them coded.

    A unit is a character or a sentence of a document, for each theme; each coder who coded the
    document (any theme) says 1 where they applied the theme, 0 elsewhere, so uncoded text counts
    as agreement that the theme does not apply. A coder who did not code the document gives no
    value there (missing data). Three queries.
    """
    ids = [c.pk for c in coders]
    codings = list(
        Coding.objects.filter(excerpt__document__project=project, coder__in=ids)
        .exclude(theme__status__in=[Theme.Status.DECLINED, Theme.Status.MERGED])
        .values_list("coder_id", "theme_id", "excerpt__document_id", "excerpt__start", "excerpt__end")
    )
    coders_of: dict[int, set[int]] = {}
    for coder_id, _, doc_id, _, _ in codings:
        coders_of.setdefault(doc_id, set()).add(coder_id)
    doc_ids = {d for d, who in coders_of.items() if len(who) >= 2}
    result = Alpha(unit=unit, coders=coders, documents=len(doc_ids))
    if not doc_ids:
        return result
    documents = {d.pk: d for d in Document.objects.filter(pk__in=doc_ids).only("id", "text")}
    theme_ids = sorted({t for _, t, d, _, _ in codings if d in doc_ids})
    themes = {t.pk: t for t in Theme.objects.filter(pk__in=theme_ids)}
    masks: dict[tuple[int, int, int], int] = {}
    for coder_id, theme_id, doc_id, start, end in codings:
        if doc_id in doc_ids:
            key = (theme_id, doc_id, coder_id)
            masks[key] = masks.get(key, 0) | _mask(start, end)
    sentences = {d: sentence_spans(doc.text) for d, doc in documents.items()} if unit == "sentence" else {}
    overall = _Counts()
    for theme_id in theme_ids:
        counts = _Counts()
        for doc_id, document in documents.items():
            who = sorted(coders_of[doc_id])
            theme_masks = [masks.get((theme_id, doc_id, c), 0) for c in who]
            if unit == "sentence":
                spans = sentences[doc_id]
                theme_masks, units = [_sentence_mask(spans, m) for m in theme_masks], len(spans)
            else:
                units = len(document.text)
            _coder_counts(theme_masks, units, counts)
        result.per_theme.append((themes[theme_id], counts.alpha()))
        overall.merge(counts)
    result.overall = overall.alpha()
    return result
