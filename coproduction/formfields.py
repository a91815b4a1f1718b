"""Form fields shared by every app. Every date or date-and-time a person types goes through
`DateField` or `DateTimeField` here (`tests/coproduction/test_form_dates.py` checks each form).

Python's dates stop at the years 1 and 9999: a booking at 9999-12-31 23:59 plus its duration,
or 0001-01-01 00:00 in London moved to UTC, raises OverflowError deep in a workflow. Nothing in
a co-produced strategy happens outside 2000-2099, so a date outside that range is refused where
it is typed, with a message that says the range.
"""

from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError

EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
OUT_OF_RANGE = f"Enter a date between {EARLIEST.day} {EARLIEST:%B %Y} and {LATEST.day} {LATEST:%B %Y}."


def date_in_range(value: date | datetime) -> bool:
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST <= day <= LATEST


def validate_date_in_range(value: date | datetime) -> None:
    if not date_in_range(value):
        raise ValidationError(OUT_OF_RANGE, code="date_out_of_range")


class DateField(forms.DateField):
    default_validators = [validate_date_in_range]


class DateTimeField(forms.DateTimeField):
    default_validators = [validate_date_in_range]
