"""Forms of the payment pages. Hours and money are typed as decimals and refused, with a message
saying what to type, when they are not a number, negative, absurd or finer than a penny. The
rules about a claim (a day inside its month, hours in a day) live in
`coproduction.payments.actions`; the views put its problems under the fields they are about."""

import re
from datetime import date
from decimal import Decimal

from django import forms

from coproduction import formfields
from coproduction.models import ActivityKind, PaymentMethod, Rate
from coproduction.payments.actions import MAX_HOURS_PER_ACTIVITY, MAX_RATE, month_name, today
from coproduction.textcheck import validate_readable_text

HOURS_MESSAGE = "Enter the hours as a number, for example 1.5 for an hour and a half."
MONEY_MESSAGE = "Enter an amount in pounds and pence, for example 15.50."
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def hours_field(*, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label="Hours",
        required=required,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_HOURS_PER_ACTIVITY,
        help_text="For example 1.5 for an hour and a half.",
        error_messages={
            "required": "Enter the hours.",
            "invalid": HOURS_MESSAGE,
            "min_value": "Enter a number of hours more than 0.",
            "max_value": f"Enter {MAX_HOURS_PER_ACTIVITY} hours or fewer for one activity.",
            "max_digits": HOURS_MESSAGE,
            "max_decimal_places": "Enter the hours to two decimal places at most, for example 1.25.",
            "max_whole_digits": f"Enter {MAX_HOURS_PER_ACTIVITY} hours or fewer for one activity.",
        },
    )


def money_field(label: str, *, required: bool = True, maximum: Decimal = MAX_RATE, help_text: str = "") -> forms.DecimalField:
    too_much = f"Enter an amount of £{maximum:,} or less."
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=8,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=maximum,
        help_text=help_text,
        error_messages={
            "required": "Enter the amount in pounds, for example 15.50.",
            "invalid": MONEY_MESSAGE,
            "min_value": "Enter an amount more than £0.",
            "max_value": too_much,
            "max_digits": too_much,
            "max_whole_digits": too_much,
            "max_decimal_places": "Enter the amount to the penny at most, for example 15.50.",
        },
    )


def kind_field(label: str, missing: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=[("", "Choose one"), *ActivityKind.choices],
        error_messages={"required": f"{missing}.", "invalid_choice": f"{missing} from the list."},
    )


def recent_months(project, count: int = 13) -> list[tuple[str, str]]:
    month = today(project).replace(day=1)
    choices = []
    for _ in range(count):
        choices.append((month.strftime("%Y-%m"), month_name(month)))
        month = (month.replace(day=1) - date.resolution).replace(day=1)
    return choices


class MonthField(forms.ChoiceField):
    """A month as YYYY-MM, chosen from recent ones; any month typed or posted in that shape is
    read (and checked by the workflow: not in the future), so the message says why."""

    def valid_value(self, value) -> bool:
        return bool(MONTH.match(str(value)))

    def clean(self, value):
        value = super().clean(value)
        year, month = (int(part) for part in MONTH.match(value).groups())
        if not 1 <= month <= 12:
            raise forms.ValidationError("Choose a month from the list.")
        chosen = date(year, month, 1)
        formfields.validate_date_in_range(chosen)
        return chosen


class StartClaimForm(forms.Form):
    month = MonthField(
        label="Month", error_messages={"required": "Choose a month.", "invalid_choice": "Choose a month from the list."}
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = recent_months(project)


class PaymentMethodForm(forms.Form):
    method = forms.ChoiceField(
        label="How do you want to be paid?",
        choices=[("", "Choose one"), *PaymentMethod.choices],
        help_text="Not paid: your hours are still recorded. You can change this before each claim.",
        error_messages={"required": "Choose how you want to be paid.", "invalid_choice": "Choose how you want to be paid."},
    )


class ActivityForm(forms.Form):
    kind = kind_field("What you did", "Choose what you did")
    on = formfields.DateField(
        label="Day",
        widget=formfields.DateInput,
        error_messages={"required": "Enter the day.", "invalid": "Enter a real day, for example 2026-03-14."},
    )
    hours = hours_field()


class ActivityChangeForm(forms.Form):
    hours = hours_field(required=False)
    included = forms.BooleanField(label="Include this activity in the claim", required=False)


class SubmitForm(forms.Form):
    confirm_over_limit = forms.BooleanField(label="I have read this and want to submit the claim as it is", required=False)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="Why is it returned?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The peer researcher sees this. Say what to correct; no details of anyone else.",
        validators=[validate_readable_text],
        error_messages={
            "required": "Say why the claim is returned, so it can be corrected.",
            "max_length": "Keep the reason to 500 characters or fewer.",
        },
    )


class RateForm(forms.Form):
    kind = kind_field("Activity", "Choose the activity")
    unit = forms.ChoiceField(
        label="Paid",
        choices=Rate.Unit.choices,
        error_messages={"required": "Choose per hour or per activity.", "invalid_choice": "Choose per hour or per activity."},
    )
    amount = money_field("Amount (£)")
    starts_on = formfields.DateField(
        label="From",
        widget=formfields.DateInput,
        help_text="The rate applies to activities on this day and after, until a newer rate starts.",
        error_messages={"required": "Enter the day the rate starts.", "invalid": "Enter a real day, for example 2026-04-01."},
    )


class LimitForm(forms.Form):
    monthly_limit = money_field(
        "Monthly limit per person (£)",
        required=False,
        maximum=Decimal("100000.00"),
        help_text="Leave empty for no limit. People are warned before a claim would go over it.",
    )


class FinanceExportForm(forms.Form):
    first = MonthField(label="From", error_messages={"required": "Choose the first month.", "invalid_choice": "Choose a month."})
    last = MonthField(label="To", error_messages={"required": "Choose the last month.", "invalid_choice": "Choose a month."})
    file_format = forms.ChoiceField(
        label="File",
        choices=[("csv", "CSV"), ("xlsx", "Excel (.xlsx)")],
        error_messages={"required": "Choose CSV or Excel.", "invalid_choice": "Choose CSV or Excel."},
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        months = recent_months(project, 25)
        self.fields["first"].choices = months
        self.fields["last"].choices = months

    def clean(self):
        data = super().clean()
        if data.get("first") and data.get("last") and data["last"] < data["first"]:
            self.add_error("last", "The last month must be the same as or after the first.")
        return data
