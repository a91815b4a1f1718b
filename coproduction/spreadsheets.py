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
import io
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
    first = text[:1]
    if first.isascii() and first.isalnum():
        return text  # most cells: a letter or digit first cannot start a formula
    return "'" + text if _looks_like_formula(text) else text


# What str.lstrip() removes: every character Python counts as white space.
WHITESPACE = "".join(chr(code) for code in range(0x110000) if chr(code).isspace())
# UNWRITABLE for PostgreSQL's regular expressions: its characters, written out (none is special
# inside brackets), without NUL, which PostgreSQL text cannot hold.
SQL_UNWRITABLE = "[" + "".join(chr(code) for code in range(1, 0x80) if UNWRITABLE.fullmatch(chr(code))) + "]"


def sql_spreadsheet_cell(column: str) -> tuple[str, list]:
    """PostgreSQL: (SQL, parameters) that do to a text column what `spreadsheet_cell` does, for
    an export written by COPY, where no row passes through Python.

    The same steps in the same order: the characters a spreadsheet cannot hold go, then a text
    that starts like a formula (at once, or after Python's white space with its first character
    NFKC-normalised) gets a leading apostrophe. An empty text becomes NULL, which COPY writes as
    an empty field, as csv.writer writes "". tests/coproduction/test_spreadsheet_cells.py holds
    the two to the same results on any text.
    """
    # Matched before replacing: most texts hold none, and the match is cheap (translate() with
    # the same characters took three times as long as the whole export).
    cleaned = f"CASE WHEN {column} ~ %s THEN regexp_replace({column}, %s, '', 'g') ELSE {column} END"
    sql = (
        f"(SELECT NULLIF(CASE WHEN left(c, 1) = ANY(%s) THEN '''' || c "  # noqa: S608 — a column name, no input
        # Most cells: an ASCII letter or digit first cannot start a formula.
        "WHEN ascii(c) BETWEEN 48 AND 57 OR ascii(c) BETWEEN 65 AND 90 OR ascii(c) BETWEEN 97 AND 122 THEN c "
        "WHEN left(normalize(left(ltrim(c, %s), 1), NFKC), 1) = ANY(%s) THEN '''' || c "
        f"ELSE c END, '') FROM (SELECT {cleaned} AS c OFFSET 0) AS cell)"
    )
    starts = list(FORMULA_STARTS)
    return sql, [starts, WHITESPACE, starts, SQL_UNWRITABLE, SQL_UNWRITABLE]


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


def csv_blocks(rows: Iterable[Iterable[object]], size: int = 64 * 1024) -> Iterator[str]:
    """The lines of `csv_lines` joined into blocks of about `size` characters: a streamed
    response then writes a few hundred blocks, not one chunk per row."""
    block: list[str] = []
    length = 0
    for line in csv_lines(rows):
        block.append(line)
        length += len(line)
        if length >= size:
            yield "".join(block)
            block, length = [], 0
    if block:
        yield "".join(block)


def write_csv(rows: Iterable[Iterable[object]], out: IO[str]) -> None:
    for line in csv_lines(rows):
        out.write(line)


def append_rows(sheet, rows: Iterable[Iterable[object]]) -> None:
    """Append rows to an openpyxl (write-only) worksheet."""
    for row in rows:
        sheet.append(spreadsheet_row(row))


# ---------------------------------------------------------------- reading


class UnreadableSpreadsheet(ValueError):
    """The file cannot be read as the table asked for; the message says why, for the person
    who chose it."""


def spreadsheet_text(value: str) -> str:
    """A cell as read back: trimmed, without the characters a spreadsheet cannot hold, and
    without the apostrophe `spreadsheet_cell` put before a formula-like text (so a file the
    app wrote reads back as it was)."""
    text = UNWRITABLE.sub("", value).strip()
    if text.startswith("'") and _looks_like_formula(text[1:]):
        return text[1:]
    return text


def read_csv(content: bytes, *, required: Iterable[str], optional: Iterable[str] = (), max_rows: int = 5_000):
    """The rows of a CSV file as (spreadsheet row number, {column: text}), the heading being
    row 1. Columns are matched without regard to case or surrounding spaces; other columns are
    ignored; blank rows are skipped.

    Refused (UnreadableSpreadsheet) when the file is not UTF-8 text (Excel's "CSV UTF-8" is,
    byte-order mark and all), has no heading, lacks a required column, repeats a column, or has
    more than `max_rows` rows.
    """
    required, optional = list(required), list(optional)
    if b"\x00" in content:
        raise UnreadableSpreadsheet("The file is not a CSV file. Save it from your spreadsheet as CSV UTF-8.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableSpreadsheet("The file is not in UTF-8. Save it from your spreadsheet as CSV UTF-8.") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        heading = next(reader, None)
        if heading is None or not any(cell.strip() for cell in heading):
            raise UnreadableSpreadsheet(f"The file is empty. Its first row must name the columns: {', '.join(required)}.")
        names = [spreadsheet_text(cell).lower() for cell in heading]
        repeated = sorted({name for name in names if name and names.count(name) > 1})
        if repeated:
            raise UnreadableSpreadsheet(f"The column {repeated[0]} appears more than once.")
        missing = [name for name in required if name not in names]
        if missing:
            columns = "column " + missing[0] if len(missing) == 1 else "columns " + ", ".join(missing)
            raise UnreadableSpreadsheet(f"The file has no {columns}. Its first row must name: {', '.join(required)}.")
        wanted = {name: names.index(name) for name in required + optional if name in names}
        rows = []
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) == max_rows:
                raise UnreadableSpreadsheet(f"The file has more than {max_rows:,} rows, the most that can be imported at once.")
            rows.append((number, {name: spreadsheet_text(cells[i]) if i < len(cells) else "" for name, i in wanted.items()}))
    except csv.Error:
        raise UnreadableSpreadsheet(f"Row {reader.line_num} cannot be read as CSV (check its quotation marks).") from None
    return rows
