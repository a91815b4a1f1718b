from datetime import datetime

import phonenumbers
from django import forms
from django.conf import settings
from django.core.validators import validate_email
from django.utils import timezone

from coproduction import formfields
from coproduction.engagement.actions import FEEDBACK_FIELDS, EventPlan, facilitator_choices
from coproduction.models import AttributeDefinition, Event, Project, User, Venue
from coproduction.models.engagement import MAX_EVENT_MINUTES
from coproduction.textcheck import validate_readable_text

COUNT_ERRORS = {
    "invalid": "Enter a whole number, like 12.",
    "min_value": "Counts cannot be negative.",
    "max_value": "Enter a number under 10,000.",
}


def count_field(label: str, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=9_999, required=False, error_messages=COUNT_ERRORS, **kwargs)


class EventForm(forms.Form):
    """Plan an event, change a planned one, or record one already held. Times are in the
    project's time zone."""

    title = forms.CharField(
        label="Title",
        max_length=120,
        validators=[validate_readable_text],
        help_text="Shown on the public list of sessions. No names.",
    )
    kind = forms.ChoiceField(label="Kind of event", choices=Event.Kind.choices)
    day = formfields.DateField(
        label="Date", widget=formfields.DateInput, error_messages={"invalid": "Enter a date, like 03/12/2026."}
    )
    start = formfields.TimeField(label="Start time", error_messages={"invalid": "Enter a time, like 18:30."})
    duration_minutes = forms.IntegerField(label="Duration in minutes", min_value=15, max_value=MAX_EVENT_MINUTES, initial=90)
    venue = formfields.ModelChoiceField(label="Venue", queryset=Venue.objects.none(), empty_label="Choose a venue")
    cohorts = forms.MultipleChoiceField(label="Who it is for", widget=forms.CheckboxSelectMultiple)
    facilitators = formfields.ModelMultipleChoiceField(
        label="Facilitators", queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    note_taker = formfields.ModelChoiceField(
        label="Note-taker", queryset=User.objects.none(), required=False, empty_label="No note-taker"
    )
    capacity = forms.IntegerField(label="Capacity (optional)", min_value=1, max_value=2_000, required=False)
    step_free = forms.BooleanField(label="Step-free access", required=False)
    interpreter = forms.BooleanField(label="Interpreter available", required=False)
    creche = forms.BooleanField(label="Crèche", required=False)
    accessibility_notes = forms.CharField(
        label="Other access notes (optional)", max_length=300, required=False, validators=[validate_readable_text]
    )
    ground_rules_allow_quotes = forms.BooleanField(
        label="The ground rules tell the room that what is said may be quoted, with no name",
        help_text="Only then can quotes from these notes appear on the project's public pages.",
        required=False,
    )
    already_held = forms.BooleanField(label="This event has already been held (record it for the counts)", required=False)

    def __init__(self, *args, project: Project, event: Event | None = None, **kwargs):
        if event is not None:
            local = timezone.localtime(event.starts_at, project.tzinfo)
            kwargs["initial"] = {
                **{name: getattr(event, name) for name in ["title", "kind", "duration_minutes", "capacity", "cohorts"]},
                **{
                    name: getattr(event, name)
                    for name in ["step_free", "interpreter", "creche", "accessibility_notes", "ground_rules_allow_quotes"]
                },
                "day": local.date(),
                "start": local.time().replace(second=0, microsecond=0),
                "venue": event.venue_id,
                "note_taker": event.note_taker_id,
                "facilitators": [user.pk for user in event.facilitators.all()],
            }
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["venue"].queryset = Venue.objects.filter(project=project).order_by("-active", "name")
        self.fields["venue"].label_from_instance = lambda v: v.name if v.active else f"{v.name} (no longer in use)"
        self.fields["cohorts"].choices = [(c, c) for c in project.cohorts]
        people = facilitator_choices(project)
        self.fields["facilitators"].queryset = people
        self.fields["note_taker"].queryset = people
        if event is not None:
            del self.fields["already_held"]

    def plan(self) -> EventPlan:
        data = self.cleaned_data
        starts_at = timezone.make_aware(datetime.combine(data["day"], data["start"]), self.project.tzinfo)
        return EventPlan(
            title=data["title"],
            kind=data["kind"],
            starts_at=starts_at,
            duration_minutes=data["duration_minutes"],
            venue=data["venue"],
            facilitators=list(data["facilitators"]),
            note_taker=data["note_taker"],
            cohorts=data["cohorts"],
            capacity=data["capacity"],
            step_free=data["step_free"],
            interpreter=data["interpreter"],
            creche=data["creche"],
            accessibility_notes=data["accessibility_notes"],
            ground_rules_allow_quotes=data["ground_rules_allow_quotes"],
        )


class AttendanceForm(forms.Form):
    """A count per cohort, then per band of each attribute the project defines. Counts only."""

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        existing = {row.cohort: row.count for row in event.cohort_attendance.all()}
        cohorts = [*event.cohorts, *[c for c in event.project.cohorts if c not in event.cohorts]]
        for n, cohort in enumerate(cohorts):
            self.fields[f"cohort_{n}"] = count_field(cohort, initial=existing.get(cohort))
            self.fields[f"cohort_{n}"].cohort = cohort
        attributes = AttributeDefinition.objects.filter(project=event.project)
        banded = {(row.attribute_id, row.choice): row.count for row in event.attribute_attendance.all()}
        self.attribute_groups = []
        for attribute in attributes:
            names = []
            for m, choice in enumerate(attribute.choices):
                name = f"attribute_{attribute.pk}_{m}"
                self.fields[name] = count_field(choice, initial=banded.get((attribute.pk, choice)))
                self.fields[name].band = (attribute.pk, choice)
                names.append(name)
            self.attribute_groups.append((attribute.name, names))

    def cohort_fields(self):
        return [self[name] for name in self.fields if name.startswith("cohort_")]

    def attribute_fieldsets(self):
        return [(label, [self[name] for name in names]) for label, names in self.attribute_groups]

    def counts(self) -> tuple[dict[str, int], dict[tuple[int, str], int]]:
        cohort_counts, attribute_counts = {}, {}
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name) or 0
            if hasattr(field, "cohort"):
                cohort_counts[field.cohort] = value
            else:
                attribute_counts[field.band] = value
        return cohort_counts, attribute_counts


class IndividualAttendanceForm(forms.Form):
    """An individual session is one person: only their cohort is asked."""

    cohort = forms.ChoiceField(label="The cohort of the person who came")

    def __init__(self, *args, event: Event, **kwargs):
        existing = event.cohort_attendance.first()
        kwargs.setdefault("initial", {"cohort": existing.cohort if existing else None})
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["cohort"].choices = [(c, c) for c in event.project.cohorts]

    def counts(self) -> tuple[dict[str, int], dict[tuple[int, str], int]]:
        return {self.cleaned_data["cohort"]: 1}, {}


class FeedbackForm(forms.Form):
    listened_yes = count_field("Yes")
    listened_partly = count_field("Partly")
    listened_no = count_field("No")
    again_yes = count_field("Yes")
    again_maybe = count_field("Maybe")
    again_no = count_field("No")

    def counts(self) -> dict[str, int]:
        return {name: self.cleaned_data.get(name) or 0 for name in FEEDBACK_FIELDS}


class TargetsForm(forms.Form):
    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        current = dict(project.reach_targets.values_list("cohort", "target"))
        for n, cohort in enumerate(project.cohorts):
            self.fields[f"target_{n}"] = forms.IntegerField(
                label=cohort,
                min_value=1,
                max_value=100_000,
                required=False,
                initial=current.get(cohort),
                error_messages={**COUNT_ERRORS, "min_value": "A target must be at least 1, or left empty."},
            )
            self.fields[f"target_{n}"].cohort = cohort

    def targets(self) -> dict[str, int | None]:
        return {field.cohort: self.cleaned_data.get(name) for name, field in self.fields.items()}


class SessionRequestForm(forms.Form):
    """The public request for an individual session. The honeypot (`website`) is hidden from
    people and screen readers; a form that fills it in is a robot."""

    name = forms.CharField(
        label="Your first name or a nickname (optional)",
        max_length=60,
        required=False,
        validators=[validate_readable_text],
        help_text="So we know who to ask for. You do not need to give your full name.",
    )
    contact = forms.CharField(
        label="An email address or phone number we can reach you on",
        max_length=254,
        error_messages={"required": "Enter an email address or a phone number, so we can arrange a time."},
    )
    preferred_time = forms.CharField(
        label="When suits you?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_readable_text],
        help_text="For example: weekday evenings, or Saturday mornings.",
        error_messages={"required": "Tell us when suits you, so we can offer a time."},
    )
    wants_updates = forms.BooleanField(
        label="Tell me when there is an update from this project",
        required=False,
        help_text="We will send one short message each time we publish what we heard and what we did. "
        "We keep your email address or phone number for that until the updates end. Ask us to stop at any time.",
    )
    website = forms.CharField(label="Leave this empty", required=False)

    def clean_contact(self) -> str:
        value = self.cleaned_data["contact"].strip()
        if "@" in value:
            try:
                validate_email(value)
            except forms.ValidationError:
                raise forms.ValidationError("Enter an email address like name@example.com, or a phone number.") from None
            self.contact_is_phone = False
            return value
        try:
            number = phonenumbers.parse(value, "GB")
        except phonenumbers.NumberParseException:
            number = None
        # Possible, not "valid": the drama range people copy from examples (07700 900xxx) is not
        # "valid", yet a real person may type a number phonenumbers does not know yet. A number
        # too short to dial from anywhere but its own exchange (IS_POSSIBLE_LOCAL_ONLY) is refused.
        possible = number is not None and (
            phonenumbers.is_possible_number_with_reason(number) == phonenumbers.ValidationResult.IS_POSSIBLE
        )
        if not possible:
            raise forms.ValidationError("Enter a phone number, like 07700 900 982, or an email address.")
        self.contact_is_phone = True
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def clean(self):
        cleaned = super().clean()
        sms_ready = settings.NOTIFY_API_KEY and settings.NOTIFY_SMS_TEMPLATE_ID
        if cleaned.get("wants_updates") and cleaned.get("contact") and self.contact_is_phone and not sms_ready:
            self.add_error(
                "wants_updates",
                "We cannot send updates by text message yet. Give an email address to hear about updates, or untick this box.",
            )
        return cleaned

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("website"))
