from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone

from coproduction import formfields
from coproduction.models import Role, User
from wellbeing.actions import clashes_for
from wellbeing.models import (
    Provider,
    SessionRequest,
    SupervisionNote,
    SupportPolicy,
    SupportSession,
    TrainingModule,
)


def peer_researchers(project):
    return User.objects.filter(memberships__project=project, memberships__role=Role.PEER_RESEARCHER).order_by("display_name")


# Which kind of provider each kind of session needs; a debrief may be with anyone.
PROVIDER_FOR = {
    SupportSession.Kind.SUPERVISION_ONE: Provider.Kind.SUPERVISOR,
    SupportSession.Kind.SUPERVISION_GROUP: Provider.Kind.SUPERVISOR,
    SupportSession.Kind.PSYCHOTHERAPY: Provider.Kind.PSYCHOTHERAPIST,
    SupportSession.Kind.TRAINING: Provider.Kind.TRAINER,
}


class SessionForm(forms.Form):
    """Book or reschedule a session. Date and times are in the project's time zone."""

    kind = forms.ChoiceField(label="Kind of session", choices=SupportSession.Kind.choices)
    provider = formfields.ModelChoiceField(
        label="With", queryset=Provider.objects.filter(active=True), required=False, empty_label="No provider (internal)"
    )
    attendees = formfields.ModelMultipleChoiceField(
        label="Who attends", queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    day = formfields.DateField(label="Date", widget=formfields.DateInput)
    start = formfields.TimeField(label="Start time")
    end = formfields.TimeField(label="End time")
    location = forms.CharField(label="Venue or online link", max_length=300, required=False)

    def __init__(self, *args, project, session: SupportSession | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.session = session
        self.fields["attendees"].queryset = peer_researchers(project)

    def clean(self):
        cleaned = super().clean()
        day, start, end = cleaned.get("day"), cleaned.get("start"), cleaned.get("end")
        if not (day and start and end):
            return cleaned
        tz = self.project.tzinfo
        cleaned["starts_at"] = timezone.make_aware(datetime.combine(day, start), tz)
        cleaned["ends_at"] = timezone.make_aware(datetime.combine(day, end), tz)
        if cleaned["ends_at"] <= cleaned["starts_at"]:
            self.add_error("end", "The end time must be after the start time.")
            return cleaned
        if cleaned["starts_at"] < timezone.now() and (self.session is None or cleaned["starts_at"] != self.session.starts_at):
            self.add_error("day", "Choose a date and time in the future.")
            return cleaned
        kind, provider = cleaned.get("kind"), cleaned.get("provider")
        attendees = list(cleaned.get("attendees") or [])
        if kind == SupportSession.Kind.SUPERVISION_ONE and len(attendees) > 1:
            self.add_error("attendees", "A 1-1 session has one person attending.")
        if kind == SupportSession.Kind.PSYCHOTHERAPY and len(attendees) > 1:
            self.add_error("attendees", "Psychotherapy is booked for one person at a time.")
        if (
            self.session is not None
            and kind not in SupportSession.SUPERVISION_KINDS
            and SupervisionNote.objects.filter(session=self.session).exists()
        ):
            self.add_error("kind", "This session has supervision notes, so it stays a supervision session.")
        expected = PROVIDER_FOR.get(kind)
        if provider and expected and provider.kind != expected:
            self.add_error(
                "provider", f"Choose a {Provider.Kind(expected).label.lower()} for {SupportSession.Kind(kind).label.lower()}."
            )
        if attendees and not self.errors:
            clashes = clashes_for(
                self.project, attendees, cleaned["starts_at"], cleaned["ends_at"], exclude=self.session, provider=provider
            )
            for clash in clashes:
                self.add_error(None, clash)
        return cleaned

    @classmethod
    def initial_for(cls, session: SupportSession) -> dict:
        tz = session.project.tzinfo
        start, end = timezone.localtime(session.starts_at, tz), timezone.localtime(session.ends_at, tz)
        return {
            "kind": session.kind,
            "provider": session.provider_id,
            "attendees": [a.pk for a in session.attendees.all()],
            # As the browser's date and time inputs want them (the shared field partial prints values as they are).
            "day": start.date().isoformat(),
            "start": f"{start:%H:%M}",
            "end": f"{end:%H:%M}",
            "location": session.location,
        }


class SessionFilterForm(forms.Form):
    WHEN = [("", "Any time"), ("upcoming", "Upcoming"), ("past", "Past")]

    when = forms.ChoiceField(label="When", choices=WHEN, required=False)
    status = forms.ChoiceField(label="Status", choices=[("", "Any status"), *SupportSession.Status.choices], required=False)
    person = formfields.ModelChoiceField(label="Who", queryset=User.objects.none(), required=False, empty_label="Anyone")

    def __init__(self, *args, project, show_person: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if show_person:
            self.fields["person"].queryset = peer_researchers(project)
        else:
            del self.fields["person"]

    def filter(self, sessions):
        if not self.is_valid():
            return sessions
        data, now = self.cleaned_data, timezone.now()
        if data["when"] == "upcoming":
            sessions = sessions.filter(ends_at__gte=now).order_by("starts_at")
        elif data["when"] == "past":
            sessions = sessions.filter(ends_at__lt=now)
        if data["status"]:
            sessions = sessions.filter(status=data["status"])
        if data.get("person"):
            sessions = sessions.filter(attendees=data["person"])
        return sessions


class AttendanceForm(forms.Form):
    attended = forms.TypedChoiceField(
        choices=[("yes", "Attended"), ("no", "Did not attend")], coerce=lambda v: v == "yes", empty_value=None
    )


class GroupAttendanceForm(forms.Form):
    present = formfields.ModelMultipleChoiceField(
        label="Who came", queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, session: SupportSession, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = session.attendees.order_by("display_name")


class SupervisionNoteForm(forms.Form):
    text = forms.CharField(
        label="Supervision notes",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        help_text="Only you and the people who attended can read these. Coordinators cannot.",
    )


class SessionRequestForm(forms.ModelForm):
    class Meta:
        model = SessionRequest
        fields = ["kind", "preferred_times"]
        labels = {"kind": "What would you like"}


class CheckInForm(forms.Form):
    score = forms.TypedChoiceField(
        label="How are you, from 0 (very bad) to 10 (very good)?",
        # No default: a preselected 0 ("very bad") would be sent by someone who only ticked a box.
        choices=[("", "Choose a number"), *((str(n), str(n)) for n in range(11))],
        coerce=int,
        error_messages={"required": "Choose a number from 0 to 10."},
    )
    wants_to_talk = forms.BooleanField(label="I would like to talk to someone", required=False)
    private_note = forms.CharField(
        label="A note for yourself (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only you can read this. Coordinators cannot.",
    )
    wants_debrief = forms.BooleanField(label="Yes, I would like a debrief", required=False)

    def __init__(self, *args, debrief_offered: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not debrief_offered:
            del self.fields["wants_debrief"]


class DebriefForm(forms.Form):
    """The debrief offer alone, on a check-in already answered."""

    wants_debrief = forms.BooleanField(label="Yes, I would like a debrief", required=False)


class ReflectionForm(forms.Form):
    text = forms.CharField(
        label="Your reflection", widget=forms.Textarea(attrs={"rows": 8}), max_length=20000, help_text="Only you can read this."
    )


class PolicyForm(forms.ModelForm):
    class Meta:
        model = SupportPolicy
        fields = ["supervision_every_days", "supervision_after_interviews", "check_in_alert_threshold", "required_modules"]
        widgets = {"required_modules": forms.CheckboxSelectMultiple}
        field_classes = {"required_modules": formfields.ModelMultipleChoiceField}


class ProviderForm(forms.ModelForm):
    """A provider; a supervisor may be linked to their account in this project so that they
    see their sessions, confirm attendance and write supervision notes."""

    class Meta:
        model = Provider
        fields = ["name", "kind", "contact", "user"]
        field_classes = {"user": formfields.ModelChoiceField}
        labels = {"user": "Their account (supervisors who sign in)"}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(
            memberships__project=project, memberships__role=Role.SUPERVISOR
        ).order_by("display_name")
        self.fields["user"].empty_label = "No account"
        self.fields["user"].help_text = ""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("user") and cleaned.get("kind") != Provider.Kind.SUPERVISOR:
            self.add_error("user", "Only supervisors are linked to an account.")
        return cleaned


class TrainingModuleForm(forms.ModelForm):
    class Meta:
        model = TrainingModule
        fields = ["name", "description"]


class TrainingCompletionForm(forms.Form):
    person = formfields.ModelChoiceField(label="Who", queryset=User.objects.none())
    module = formfields.ModelChoiceField(label="Module", queryset=TrainingModule.objects.all())
    completed_on = formfields.DateField(label="Completed on", widget=formfields.DateInput)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["person"].queryset = peer_researchers(project)

    def clean_completed_on(self):
        value = self.cleaned_data["completed_on"]
        if value > timezone.localdate(timezone=self.project.tzinfo):
            raise forms.ValidationError("The date cannot be in the future.")
        return value


class PeriodForm(forms.Form):
    date_from = formfields.DateField(label="From", widget=formfields.DateInput, required=False)
    date_to = formfields.DateField(label="To", widget=formfields.DateInput, required=False)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate(timezone=self.project.tzinfo)
        cleaned["date_to"] = cleaned.get("date_to") or today
        cleaned["date_from"] = cleaned.get("date_from") or cleaned["date_to"] - timedelta(days=90)
        if cleaned["date_from"] > cleaned["date_to"]:
            self.add_error("date_to", "The end date must be on or after the start date.")
        return cleaned

    def bounds(self) -> tuple[datetime, datetime]:
        tz = self.project.tzinfo
        start: date = self.cleaned_data["date_from"]
        end: date = self.cleaned_data["date_to"]
        return (
            timezone.make_aware(datetime.combine(start, time.min), tz),
            timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz),
        )
