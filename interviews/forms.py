from django import forms

from coproduction import formfields
from coproduction.models import Participant, Project, ProtocolStep, Role, SupportService, User, Venue
from coproduction.prepared import PreparedQuery
from coproduction.textcheck import validate_readable_text
from interviews.models import MAX_DURATION_MINUTES, Interview, ProtocolUse


def peer_researchers(project: Project):
    return User.objects.filter(memberships__project=project, memberships__role=Role.PEER_RESEARCHER, is_active=True).order_by(
        "display_name"
    )


class ScheduleFields(forms.Form):
    interviewer = formfields.ModelChoiceField(
        label="Interviewer", queryset=User.objects.none(), empty_label="Choose an interviewer"
    )
    starts_at = formfields.DateTimeField(
        label="Start (date and time)",
        widget=formfields.DateTimeInput,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        error_messages={"invalid": "Enter the start as a date and time, like 03/12/2026 14:30."},
        help_text="For example, 2026-12-03 at 14:30",
    )
    duration_minutes = forms.IntegerField(label="Duration in minutes", min_value=15, max_value=MAX_DURATION_MINUTES, initial=60)
    venue = formfields.ModelChoiceField(label="Venue", queryset=Venue.objects.none(), empty_label="Choose a venue")

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
    participant = formfields.ModelChoiceField(
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


# The interview list's filter on every visit: its choices compiled once (coproduction.prepared).
_peer_researchers = PreparedQuery(lambda project_id: peer_researchers(project_id))
_venues = PreparedQuery(lambda project_id: Venue.objects.filter(project=project_id))


class FilterForm(forms.Form):
    interviewer = formfields.ModelChoiceField(
        label="Interviewer", queryset=User.objects.none(), required=False, empty_label="Anyone"
    )
    venue = formfields.ModelChoiceField(label="Venue", queryset=Venue.objects.none(), required=False, empty_label="Any venue")
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *Interview.Status.choices])

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interviewer"].queryset = peer_researchers(project)
        self.fields["interviewer"].rows = lambda: _peer_researchers(project_id=project.pk)
        self.fields["venue"].queryset = Venue.objects.filter(project=project)
        self.fields["venue"].rows = lambda: _venues(project_id=project.pk)

    def chosen(self) -> dict:
        """The filters chosen, as lookups on plain values (ids, a status): none when invalid."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        chosen = {}
        if data.get("interviewer"):
            chosen["interviewer"] = data["interviewer"].pk
        if data.get("venue"):
            chosen["venue"] = data["venue"].pk
        if data.get("status"):
            chosen["status"] = data["status"]
        return chosen

    def filter(self, interviews):
        return interviews.filter(**self.chosen())


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


YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(label: str, missing: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": missing, "invalid_choice": missing},
    )


class ProtocolUseForm(forms.Form):
    """That the protocol was used: choices only. There is no box for what was said."""

    stage_reached = formfields.ModelChoiceField(
        label="How far through the protocol did you go?",
        queryset=ProtocolStep.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose the step you reached.", "invalid_choice": "Choose the step you reached."},
    )
    interview_ended = _yes_no("Did the interview end there?", "Say whether the interview ended.")
    offered = forms.MultipleChoiceField(
        label="What did you offer? (optional)",
        choices=ProtocolUse.Offer.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose what was offered from the list."},
    )
    services = formfields.ModelMultipleChoiceField(
        label="Which services did you suggest? (optional)",
        queryset=SupportService.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Choose services from the directory.",
            "invalid_pk_value": "Choose services from the directory.",
        },
    )
    follow_up = _yes_no("Did you agree a follow-up call?", "Say whether a follow-up call was agreed.")
    follow_up_on = formfields.DateField(
        label="On which day? (if a call was agreed)",
        required=False,
        widget=formfields.DateInput,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text="You get a reminder at 9am that day. It says only that you have a call to make.",
        error_messages={"invalid": "Enter the day as a date, like 2026-03-30."},
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage_reached"].queryset = ProtocolStep.objects.filter(project=project)
        self.fields["services"].queryset = SupportService.objects.filter(project=project)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("follow_up") is True and not cleaned.get("follow_up_on") and "follow_up_on" not in self.errors:
            self.add_error("follow_up_on", "Enter the day of the follow-up call.")
        if cleaned.get("follow_up") is False:
            cleaned["follow_up_on"] = None  # a date typed and then "No": no call
        return cleaned

    def record_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "stage_reached": data["stage_reached"],
            "interview_ended": data["interview_ended"],
            "offered": data["offered"],
            "services": list(data["services"]),
            "follow_up_on": data["follow_up_on"],
        }
