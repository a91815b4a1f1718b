"""Every CSV and XLSX file the app writes goes through `spreadsheet_cell`, once, as the last
step before a value is written.

Two things happen there, in this order:

1. Characters a spreadsheet cannot hold are removed (control characters pasted in from
   elsewhere; Excel refuses a workbook that contains them).
2. A text that a spreadsheet would read as a formula gets a leading apostrophe, so Excel and
   LibreOffice show it as text instead of running it (OWASP's "CSV injection").

The order matters: `"\\x01=HYPERLINK(…)"` only starts with `=` once the control character is
gone, so neutralising first and stripping afterwards writes a live formula.
"""

import csv
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import IO

# What Excel and LibreOffice treat as the start of a formula (a tab or carriage return can hide
# one behind it).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters other than tab, newline and carriage return, which XLSX cannot hold and a
# CSV reader may drop (which would bring a formula to the front).
UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _looks_like_formula(text: str) -> bool:
    if text.startswith(FORMULA_STARTS):
        return True
    # Leading spaces are trimmed by some readers, and full-width signs (＝, ＋) are read as
    # their ASCII forms by some Excel locales.
    rest = text.lstrip()
    return bool(rest) and unicodedata.normalize("NFKC", rest[0]).startswith(FORMULA_STARTS)


def spreadsheet_cell(value: object) -> object:
    """The value as it may be written to a CSV or XLSX cell; anything but text is unchanged."""
    if not isinstance(value, str):
        return value
    text = UNWRITABLE.sub("", value)
    return "'" + text if _looks_like_formula(text) else text


def spreadsheet_row(row: Iterable[object]) -> list[object]:
    return [spreadsheet_cell(value) for value in row]


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a streamed response."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """A byte-order mark (so Excel reads UTF-8), then one CSV line per row."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow(spreadsheet_row(row))


def write_csv(rows: Iterable[Iterable[object]], out: IO[str]) -> None:
    for line in csv_lines(rows):
        out.write(line)


def append_rows(sheet, rows: Iterable[Iterable[object]]) -> None:
    """Append rows to an openpyxl (write-only) worksheet."""
    for row in rows:
        sheet.append(spreadsheet_row(row))
