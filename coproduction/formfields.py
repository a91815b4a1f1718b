"""Form fields shared by every app (`tests/coproduction/test_form_fields.py` checks that every
form uses them).

Dates: every date or date-and-time a person types goes through `DateField` or `DateTimeField`,
and every time of day through `TimeField`, shown in the inputs below (`DateInput`,
`DateTimeInput`, `TimeInput`), so that each input shows its own value back in the one format the
browser accepts.

Python's dates stop at the years 1 and 9999: a booking at 9999-12-31 23:59 plus its duration,
or 0001-01-01 00:00 in London moved to UTC, raises OverflowError deep in a workflow. Nothing in
a co-produced strategy happens outside 2000-2099, so a date outside that range is refused where
it is typed, with a message that says the range.
"""

from datetime import date, datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.choices import BaseChoiceIterator

from coproduction.textcheck import validate_readable_text

EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
OUT_OF_RANGE = f"Enter a date between {EARLIEST.day} {EARLIEST:%B %Y} and {LATEST.day} {LATEST:%B %Y}."


def date_in_range(value: date | datetime) -> bool:
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST <= day <= LATEST


def validate_date_in_range(value: date | datetime) -> None:
    if not date_in_range(value):
        raise ValidationError(OUT_OF_RANGE, code="date_out_of_range")


class DateInput(forms.DateInput):
    """The browser's date picker; its value must be ISO 8601 (2026-12-05) or it shows blank."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):  # noqa: A002 (Django's own argument name)
        super().__init__(attrs, format=format or "%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None, format=None):  # noqa: A002
        super().__init__(attrs, format=format or "%Y-%m-%dT%H:%M")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None, format=None):  # noqa: A002
        super().__init__(attrs, format=format or "%H:%M")


class DateField(forms.DateField):
    """Bounded to 2000-2099. Its value on a form is ISO 8601, the one format a date input takes:
    a date printed in the page's locale ("5 Dec 2026") would show an empty box, and a form
    changed in one field only would then fail with "This field is required"."""

    default_validators = [validate_date_in_range]
    widget = DateInput

    def prepare_value(self, value):
        value = super().prepare_value(value)
        return value.isoformat() if isinstance(value, date) and not isinstance(value, datetime) else value


class DateTimeField(forms.DateTimeField):
    """Bounded to 2000-2099; its value on a form is "2026-12-05T19:00" in the current time zone."""

    default_validators = [validate_date_in_range]
    widget = DateTimeInput

    def prepare_value(self, value):
        value = super().prepare_value(value)  # in the current time zone
        return value.strftime("%Y-%m-%dT%H:%M") if isinstance(value, datetime) else value


class TimeField(forms.TimeField):
    """Its value on a form is "19:00": a time input refuses microseconds, and a locale's "7 p.m."
    would show blank."""

    widget = TimeInput

    def prepare_value(self, value):
        value = super().prepare_value(value)
        return value.strftime("%H:%M") if isinstance(value, time) else value


class Pairs(BaseChoiceIterator):
    """Choices that are already (value, label) pairs, set on a field as they are: Django walks
    every pair of a plain list to normalise it (the coding page's two hundred sentences cost
    more that way than drawing them)."""

    def __init__(self, pairs):
        self.pairs = list(pairs)

    def __iter__(self):
        return iter(self.pairs)

    def __len__(self):
        return len(self.pairs)


class ChoicesInOneQuery(forms.models.ModelChoiceIterator):
    """The rows of a choice of rows, read by one plain query and kept with the field.

    Django's iterator reads them through `QuerySet.iterator()`, which on PostgreSQL outside a
    transaction is a server-side cursor declared WITH HOLD (DECLARE, FETCH, CLOSE, and the rows
    copied aside at the commit): three round trips and a materialised result for a list of a few
    dozen venues or peer researchers, for every select on every page (the interview list's
    filter cost 9 ms of 29 that way). The choices are rendered whole anyway, so nothing is saved
    by streaming them.
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        rows = self._prepared_rows()
        for row in self.queryset if rows is None else rows:  # evaluated once; the field's own clone keeps the rows
            yield self.choice(row)

    def __len__(self):
        rows = self._prepared_rows()
        if rows is None:
            return super().__len__()
        return len(rows) + (self.field.empty_label is not None)

    def _prepared_rows(self) -> list | None:
        """The field's `rows()` (a question compiled once, coproduction.prepared), read once per form."""
        if getattr(self.field, "rows", None) is None:
            return None
        if getattr(self.field, "_rows", None) is None:
            self.field._rows = self.field.rows()
        return self.field._rows


class ModelChoiceField(forms.ModelChoiceField):
    """Django's, with its choices read in one query (ChoicesInOneQuery). `rows`, if set, is a
    function giving the queryset's rows (a PreparedQuery's): the choices shown; what is posted is
    still checked against the queryset."""

    iterator = ChoicesInOneQuery
    rows = None


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, with its choices read in one query (ChoicesInOneQuery), refusing an id the
    database could not hold as an unknown choice.

    Django range-checks `pk=` lookups but not `pk__in`: a posted id of 99999999999999999999
    raised OverflowError on SQLite (and a DataError on PostgreSQL) while the choices were
    checked, a 500 instead of "Select a valid choice".
    """

    iterator = ChoicesInOneQuery

    def _check_values(self, value):
        key = self.to_field_name or "pk"
        meta = self.queryset.model._meta
        model_field = meta.pk if key == "pk" else meta.get_field(key)
        try:
            low, high = connection.ops.integer_field_range(model_field.get_internal_type())
        except KeyError:  # not an integer key: nothing to bound
            return super()._check_values(value)
        for choice in value if isinstance(value, list | tuple) else []:
            try:
                number = int(str(choice))
            except ValueError:
                continue  # Django's own check says it is not a valid id
            if (low is not None and number < low) or (high is not None and number > high):
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": choice})
        return super()._check_values(value)


def text_field(
    label: str, *, max_length: int | None = None, required: bool = True, help_text: str = "", rows: int = 0, missing: str = ""
):
    """A text field that refuses what the browser could not send intact (control characters)."""
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        widget=widget,
        validators=[validate_readable_text],
        error_messages={"required": missing or f"Enter the {label.lower()}."},
    )
