"""Forms for outcome indicators and their measurements. Dates go through the shared bounded
fields; priorities and actions are this project's only."""

from django import forms
from django.conf import settings

from coproduction import formfields
from coproduction.models.strategy import Action, Indicator, Measurement, Priority
from coproduction.strategy.indicators import period_label
from coproduction.textcheck import validate_readable_text

NUMBER_ERRORS = {
    "invalid": "Enter a number, like 310 or 12.5.",
    "max_digits": "Enter a number with at most 12 digits before the decimal point.",
    "max_whole_digits": "Enter a number with at most 12 digits before the decimal point.",
    "max_decimal_places": "Enter a number with at most 2 decimal places.",
}
DATE_ERRORS = {"invalid": "Enter a date, like 01/04/2024."}


def date_field(label: str, **kwargs) -> formfields.DateField:
    return formfields.DateField(label=label, widget=formfields.DateInput, error_messages=DATE_ERRORS, **kwargs)


def number_field(label: str, **kwargs) -> forms.DecimalField:
    # A text box, as GOV.UK advises for numbers: a number box would swallow "fifty" unseen,
    # and scrolling over it changes the value.
    return forms.DecimalField(
        label=label, max_digits=14, decimal_places=2, error_messages=NUMBER_ERRORS, widget=forms.TextInput, **kwargs
    )


def max_import_bytes() -> int:
    return getattr(settings, "MEASUREMENT_IMPORT_MAX_BYTES", 256 * 1024)


class IndicatorForm(forms.ModelForm):
    """An indicator's definition and baseline. The baseline is a period and its value, or none."""

    name = forms.CharField(label="Name", max_length=200, validators=[validate_readable_text])
    description = forms.CharField(
        label="Description (optional)",
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_readable_text],
        help_text="What it measures and why, in plain English.",
    )
    source = forms.CharField(
        label="Source",
        max_length=200,
        validators=[validate_readable_text],
        help_text="Where the figures come from, for example police reports of anti-social behaviour.",
    )
    counts_people = forms.BooleanField(label="It counts people (small numbers are hidden when it is published)", required=False)
    priority = formfields.ModelChoiceField(
        label="Priority (optional)", queryset=Priority.objects.none(), required=False, empty_label="No priority"
    )
    actions = formfields.ModelMultipleChoiceField(
        label="Actions it shows the effect of (optional)",
        queryset=Action.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    baseline_start = date_field("Baseline period: first day (optional)", required=False)
    baseline_end = date_field("Baseline period: last day (optional)", required=False)
    baseline_value = number_field("Baseline value (optional)", required=False)

    class Meta:
        model = Indicator
        fields = [
            "name",
            "description",
            "unit",
            "source",
            "better",
            "counts_people",
            "priority",
            "actions",
            "baseline_start",
            "baseline_end",
            "baseline_value",
        ]
        labels = {"unit": "Unit", "better": "Which direction is better"}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["priority"].queryset = Priority.objects.filter(strategy__project=project)
        self.fields["actions"].queryset = Action.objects.filter(project=project).current().order_by("title", "pk")

    def clean(self):
        cleaned = super().clean()
        start, end, value = (cleaned.get(name) for name in ("baseline_start", "baseline_end", "baseline_value"))
        if start and end and end < start:
            self.add_error("baseline_end", "The baseline period must end on or after its first day.")
        given = [name for name in ("baseline_start", "baseline_end", "baseline_value") if cleaned.get(name) is not None]
        errors = {name for name in ("baseline_start", "baseline_end", "baseline_value") if name in self.errors}
        if given and len(given) < 3 and not errors:
            for name in ("baseline_start", "baseline_end", "baseline_value"):
                if name not in given:
                    self.add_error(name, "Enter the baseline's first day, last day and value, or leave all three empty.")
        return cleaned


class MeasurementForm(forms.Form):
    period_start = date_field("First day of the period")
    period_end = date_field("Last day of the period")
    value = number_field("Value")
    note = forms.CharField(
        label="Note (optional)",
        max_length=300,
        required=False,
        validators=[validate_readable_text],
        help_text="For example, a change in how the figures are counted. No names.",
    )

    def __init__(self, *args, indicator: Indicator, measurement: Measurement | None = None, **kwargs):
        if measurement is not None:
            kwargs.setdefault("initial", {name: getattr(measurement, name) for name in self.base_fields})
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.measurement = measurement

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The period must end on or after its first day.")
        elif start and end:
            same = Measurement.objects.filter(indicator=self.indicator, period_start=start, period_end=end)
            if self.measurement is not None:
                same = same.exclude(pk=self.measurement.pk)
            if same.exists():
                self.add_error(
                    "period_start", f"A measurement for {period_label(start, end)} is already recorded. Change that one instead."
                )
        return cleaned


def too_large() -> str:
    return f"The file is larger than {max_import_bytes() // 1024} KB, the most that can be imported."


class MeasurementImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: period_start, period_end, value, and optionally note. Dates as 2024-04-01 or 01/04/2024.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_import_bytes():
            raise forms.ValidationError(too_large())
        return upload
