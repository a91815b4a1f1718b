"""Small-number suppression for published outputs.

Primary suppression: a count of 1 to threshold−1 is shown as "<threshold" (e.g. "<10"); zero
stays zero (it describes nobody). Secondary suppression: in a row that carries a shown total,
a single suppressed cell could be recovered by subtraction, so the next smallest cell of that
row is suppressed too; when no other cell is left to hide, the total itself is hidden.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    value: int
    suppressed: bool = False

    def label(self, threshold: int) -> str:
        return f"<{threshold}" if self.suppressed else str(self.value)


def is_small(value: int, threshold: int) -> bool:
    return 0 < value < threshold


def suppress_count(value: int, threshold: int) -> str:
    """A single count on its own (no total beside it)."""
    return f"<{threshold}" if is_small(value, threshold) else str(value)


def suppress_small_counts(rows: list[list[int]], threshold: int, *, with_totals: bool = True) -> list[list[str]]:
    """Labels for a table of counts; with_totals appends each row's total as a last column.

    Steps: mark every small cell; then, row by row, while exactly one cell of a row with a shown
    total is hidden, hide the smallest other shown non-zero cell (or, failing that, the total).
    """
    out: list[list[str]] = []
    for row in rows:
        hidden = [is_small(v, threshold) for v in row]
        total = sum(row)
        total_hidden = is_small(total, threshold)
        if with_totals and not total_hidden and sum(hidden) == 1:
            candidates = [(v, i) for i, v in enumerate(row) if not hidden[i] and v > 0]
            if candidates:
                hidden[min(candidates)[1]] = True
            else:
                total_hidden = True
        labels = [f"<{threshold}" if h else str(v) for v, h in zip(row, hidden, strict=True)]
        if with_totals:
            labels.append(f"<{threshold}" if total_hidden else str(total))
        out.append(labels)
    return out
