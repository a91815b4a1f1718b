from django import forms

from coproduction import formfields
from coproduction.models import Participant, Project, Role, User, Venue
from coproduction.textcheck import validate_readable_text
from interviews.models import MAX_DURATION_MINUTES, Interview


def peer_researchers(project: Project):
    return User.objects.filter(memberships__project=project, memberships__role=Role.PEER_RESEARCHER, is_active=True).order_by(
        "display_name"
    )


class ScheduleFields(forms.Form):
    interviewer = forms.ModelChoiceField(label="Interviewer", queryset=User.objects.none(), empty_label="Choose an interviewer")
    starts_at = formfields.DateTimeField(
        label="Start (date and time)",
        widget=formfields.DateTimeInput,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        error_messages={"invalid": "Enter the start as a date and time, like 03/12/2026 14:30."},
        help_text="For example, 2026-12-03 at 14:30",
    )
    duration_minutes = forms.IntegerField(label="Duration in minutes", min_value=15, max_value=MAX_DURATION_MINUTES, initial=60)
    venue = forms.ModelChoiceField(label="Venue", queryset=Venue.objects.none(), empty_label="Choose a venue")

    def __init__(self, *args, project: Project, user: User, role: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        interviewers = peer_researchers(project)
        if role == Role.PEER_RESEARCHER:
            interviewers = interviewers.filter(pk=user.pk)
            self.fields["interviewer"].initial = user.pk
        self.fields["interviewer"].queryset = interviewers
        self.fields["venue"].queryset = Venue.objects.filter(project=project, active=True)


class BookingForm(ScheduleFields):
    participant = forms.ModelChoiceField(
        label="Participant", queryset=Participant.objects.none(), empty_label="Choose a participant"
    )
    field_order = ["participant", "interviewer", "starts_at", "duration_minutes", "venue"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Withdrawn participants stay choosable so that the refusal can say why.
        self.fields["participant"].queryset = Participant.objects.filter(project=self.project)
        self.fields["participant"].label_from_instance = lambda p: (
            f"{p.code} ({p.cohort}{', withdrawn' if p.withdrawn_at else ''})"
        )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(s, s) for s in (Interview.Status.COMPLETED, Interview.Status.NO_SHOW, Interview.Status.CANCELLED)]
    )


class FilterForm(forms.Form):
    interviewer = forms.ModelChoiceField(label="Interviewer", queryset=User.objects.none(), required=False, empty_label="Anyone")
    venue = forms.ModelChoiceField(label="Venue", queryset=Venue.objects.none(), required=False, empty_label="Any venue")
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *Interview.Status.choices])

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interviewer"].queryset = peer_researchers(project)
        self.fields["venue"].queryset = Venue.objects.filter(project=project)

    def filter(self, interviews):
        if not self.is_valid():
            return interviews
        data = self.cleaned_data
        if data.get("interviewer"):
            interviews = interviews.filter(interviewer=data["interviewer"])
        if data.get("venue"):
            interviews = interviews.filter(venue=data["venue"])
        if data.get("status"):
            interviews = interviews.filter(status=data["status"])
        return interviews


class FlagForm(forms.Form):
    detail = forms.CharField(
        label="A few words for the coordinator (optional)",
        help_text="Keep it short: talk to the coordinator for the detail.",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_readable_text],
    )


class VenueForm(forms.Form):
    name = forms.CharField(label="Venue name", max_length=100, help_text="For example: North hub, Phone, Online")
    is_remote = forms.BooleanField(label="By phone or online", required=False)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if Venue.objects.filter(project=self.project, name__iexact=name).exists():
            raise forms.ValidationError("There is already a venue with this name.")
        return name
