"""Workflows for outcome indicators: defining one, entering, changing and deleting its
measurements by hand, and importing them from CSV (a check first, then all rows or none).

Each runs in one transaction and writes an audit row (what and which, never the figures).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from coproduction.audit import record
from coproduction.formfields import OUT_OF_RANGE, date_in_range
from coproduction.models.strategy import Action, Indicator, Measurement
from coproduction.spreadsheets import UnreadableSpreadsheet, read_csv
from coproduction.strategy.indicators import period_label
from coproduction.textcheck import validate_readable_text

IMPORT_COLUMNS = ["period_start", "period_end", "value"]
IMPORT_OPTIONAL = ["note"]
MAX_IMPORT_ROWS = 5_000
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
LARGEST = Decimal("999999999999.99")  # what the value column holds (14 digits, 2 after the point)


class MeasurementRefused(Exception):
    """The measurements cannot be saved; `problems` say why, row by row."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def save_indicator(indicator: Indicator, *, actions: Iterable[Action], by) -> Indicator:
    """Create or change an indicator (already checked by its form) and the actions it relates to."""
    created = indicator.pk is None
    with transaction.atomic():
        indicator.save()
        indicator.actions.set(actions)
        record(by, "indicator.created" if created else "indicator.changed", indicator)
    return indicator


def add_measurement(indicator: Indicator, *, period_start: date, period_end: date, value: Decimal, note: str, by) -> Measurement:
    try:
        with transaction.atomic():
            measurement = Measurement.objects.create(
                indicator=indicator, period_start=period_start, period_end=period_end, value=value, note=note, entered_by=by
            )
            record(by, "measurement.added", measurement, project=indicator.project)
    except IntegrityError:  # entered at the same moment by someone else
        raise MeasurementRefused([_already(period_start, period_end)]) from None
    return measurement


def change_measurement(measurement: Measurement, *, period_start: date, period_end: date, value: Decimal, note: str, by) -> None:
    measurement.period_start, measurement.period_end, measurement.value, measurement.note = period_start, period_end, value, note
    try:
        with transaction.atomic():
            measurement.save(update_fields=["period_start", "period_end", "value", "note"])
            record(by, "measurement.changed", measurement, project=measurement.indicator.project)
    except IntegrityError:
        raise MeasurementRefused([_already(period_start, period_end)]) from None


def delete_measurement(measurement: Measurement, *, by) -> None:
    with transaction.atomic():
        record(by, "measurement.deleted", measurement, project=measurement.indicator.project)
        measurement.delete()


def _already(start: date, end: date) -> str:
    return f"A measurement for {period_label(start, end)} is already recorded."


# ---------------------------------------------------------------- import from CSV


@dataclass(frozen=True)
class ImportRow:
    row: int
    period_start: date
    period_end: date
    value: Decimal
    note: str

    @property
    def label(self) -> str:
        return period_label(self.period_start, self.period_end)


@dataclass
class CheckedImport:
    """What a file would import, and what is wrong with it (nothing is imported unless empty)."""

    rows: list[ImportRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def importable(self) -> bool:
        return bool(self.rows) and not self.problems


def _read_date(text: str) -> date | None:
    for layout in DATE_FORMATS:
        try:
            return datetime.strptime(text, layout).date()  # noqa: DTZ007 — a calendar date, no time of day
        except ValueError:
            continue
    return None


def _read_value(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _check_row(number: int, cells: dict[str, str]) -> tuple[ImportRow | None, list[str]]:
    problems = []
    dates = {}
    for column in ("period_start", "period_end"):
        text = cells[column]
        day = _read_date(text) if text else None
        if not text:
            problems.append(f"Row {number}: {column} is empty.")
        elif day is None:
            problems.append(f"Row {number}: {column} is not a date. Write it as 2024-04-01 or 01/04/2024.")
        elif not date_in_range(day):
            problems.append(f"Row {number}: {column}: {OUT_OF_RANGE}")
        else:
            dates[column] = day
    start, end = dates.get("period_start"), dates.get("period_end")
    if start and end and end < start:
        problems.append(f"Row {number}: period_end is before period_start. The period must end on or after its first day.")
    value = _read_value(cells["value"]) if cells["value"] else None
    if not cells["value"]:
        problems.append(f"Row {number}: value is empty.")
    elif value is None:
        problems.append(f"Row {number}: value is not a number. Write it like 310 or 12.5.")
    elif abs(value) > LARGEST or value != value.quantize(Decimal("0.01")):
        problems.append(f"Row {number}: value must have at most 12 digits before the decimal point and 2 after it.")
    note = cells.get("note", "")
    if len(note) > 300:
        problems.append(f"Row {number}: note is longer than 300 characters.")
    else:
        try:
            validate_readable_text(note)
        except ValidationError as error:
            problems.append(f"Row {number}: note: {error.messages[0]}")
    if problems:
        return None, problems
    return ImportRow(number, start, end, value.quantize(Decimal("0.01")), note), []


def check_measurements_csv(indicator: Indicator, content: bytes) -> CheckedImport:
    """Read and check every row; report every problem with its row number. Steps: read the
    file (columns, encoding, size); check each row's dates and value; refuse a period that is
    twice in the file or already recorded."""
    checked = CheckedImport()
    try:
        rows = read_csv(content, required=IMPORT_COLUMNS, optional=IMPORT_OPTIONAL, max_rows=MAX_IMPORT_ROWS)
    except UnreadableSpreadsheet as error:
        checked.problems.append(str(error))
        return checked
    if not rows:
        checked.problems.append("The file has no rows of measurements under its heading.")
        return checked
    recorded = set(Measurement.objects.filter(indicator=indicator).values_list("period_start", "period_end"))
    seen: dict[tuple[date, date], int] = {}
    for number, cells in rows:
        row, problems = _check_row(number, cells)
        checked.problems.extend(problems)
        if row is None:
            continue
        period = (row.period_start, row.period_end)
        if period in seen:
            checked.problems.append(f"Row {number}: {row.label} is already in row {seen[period]}.")
        elif period in recorded:
            checked.problems.append(f"Row {number}: a measurement for {row.label} is already recorded.")
        else:
            seen[period] = number
            checked.rows.append(row)
    return checked


def import_measurements(indicator: Indicator, content: bytes, *, by) -> int:
    """All the file's rows, or none: checked again (the indicator may have changed since the
    check), then saved in one transaction."""
    checked = check_measurements_csv(indicator, content)
    if not checked.importable:
        raise MeasurementRefused(checked.problems or ["The file has no rows of measurements."])
    try:
        with transaction.atomic():
            Measurement.objects.bulk_create(
                Measurement(
                    indicator=indicator,
                    period_start=row.period_start,
                    period_end=row.period_end,
                    value=row.value,
                    note=row.note,
                    entered_by=by,
                )
                for row in checked.rows
            )
            record(by, "measurements.imported", indicator)
    except IntegrityError:
        raise MeasurementRefused(["Some of these periods were recorded while the file was imported. Check it again."]) from None
    return len(checked.rows)
