"""Reading an uploaded spreadsheet (CSV or Excel .xlsx) into rows of text, safely.

`coproduction/spreadsheets.py` holds the writing side (formula neutralising); this is the
reading side, kept generic so other imports (e.g. measurements) can use it.

What "safely" means here:
- The size is bounded before anything is parsed (the view stops the upload at the limit too).
- An .xlsx is a zip: the total uncompressed size is checked from the zip's directory before
  openpyxl opens it, so a zip bomb is refused unread. openpyxl parses the XML with defusedxml
  (installed), so entity expansion is refused too.
- Formulas are never evaluated: the workbook is read with `data_only=True` (the value Excel
  saved, if any); macros are not read at all (only .xlsx is accepted, never .xlsm).
- The number of rows and columns is bounded; a cell is text, a date (as YYYY-MM-DD) or a number.
- Control characters are removed from every cell (`coproduction.spreadsheets.UNWRITABLE`).
- Only UTF-8 CSV is read (with or without a byte-order mark), so no guessing of encodings.
"""

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from coproduction.spreadsheets import UNWRITABLE

MAX_BYTES = 2 * 1024 * 1024
MAX_UNZIPPED_BYTES = 40 * 1024 * 1024
MAX_ROWS = 2000
MAX_COLUMNS = 40
MAX_CELL = 5000


class TableRefused(ValueError):
    """The file as a whole cannot be read; the message says why in the user's words."""


@dataclass(frozen=True)
class Table:
    header: list[str]
    # (row number as a spreadsheet shows it, the header being row 1; cells as text)
    rows: list[tuple[int, list[str]]]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    # Control characters (pasted in from elsewhere) are dropped as the writing side drops them:
    # an action's title must not carry one into a page, an export or a published version.
    return UNWRITABLE.sub("", str(value)).strip()


def _csv_records(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableRefused("The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8”.") from None
    if "\x00" in text:
        raise TableRefused("The file is not a CSV file (it contains binary data).")
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as error:
        raise TableRefused(f"The file could not be read as CSV ({error}).") from None


def _xlsx_records(data: bytes):
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise TableRefused("The workbook is too large once unpacked to be imported.")
    except zipfile.BadZipFile:
        raise TableRefused("The file is not an Excel workbook (.xlsx).") from None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except TableRefused:
        raise
    except Exception:  # openpyxl raises many kinds of error on a damaged file; all mean the same here
        raise TableRefused("The file could not be read as an Excel workbook (.xlsx).") from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            return
        yield from sheet.iter_rows(values_only=True)
    except Exception:
        raise TableRefused("The file could not be read as an Excel workbook (.xlsx).") from None
    finally:
        workbook.close()


def read_table(name: str, data: bytes, *, max_rows: int | None = None) -> Table:
    """The header and the non-blank rows of the first sheet of a .csv or .xlsx file."""
    max_rows = MAX_ROWS if max_rows is None else max_rows
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if suffix not in {"csv", "xlsx"}:
        raise TableRefused("Choose a .csv or .xlsx file.")
    if len(data) > MAX_BYTES:
        raise TableRefused(f"The file is larger than {MAX_BYTES // 1024} KB, the most that can be imported.")
    if not data:
        raise TableRefused("The file is empty.")
    records = _csv_records(data) if suffix == "csv" else _xlsx_records(data)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, record in enumerate(records, start=1):
        cells = [_text(value) for value in record]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if len(cells) > MAX_COLUMNS:
            raise TableRefused(f"Row {number} has more than {MAX_COLUMNS} columns.")
        if any(len(cell) > MAX_CELL for cell in cells):
            raise TableRefused(f"Row {number} has a cell longer than {MAX_CELL} characters.")
        if header is None:
            header = cells
            continue
        if len(rows) >= max_rows:
            raise TableRefused(f"The file has more than {max_rows} rows, the most that can be imported at once.")
        rows.append((number, cells))
    if header is None:
        raise TableRefused("The file is empty.")
    return Table(header, rows)
