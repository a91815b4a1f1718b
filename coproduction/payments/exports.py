"""The finance export as an Excel workbook (the CSV is `coproduction.spreadsheets.csv_lines`
over the same rows). Every cell goes through `coproduction.spreadsheets`."""

from collections.abc import Iterable

from coproduction.spreadsheets import append_rows


def finance_xlsx(rows: Iterable[Iterable[object]], out) -> None:
    from openpyxl import Workbook  # numpy and all: loaded when a workbook is written

    workbook = Workbook(write_only=True)
    append_rows(workbook.create_sheet("Payments"), rows)
    workbook.save(out)
