from django import forms
from django.contrib.auth import password_validation
from django.utils import timezone

from coproduction import formfields
from coproduction.audit import describe_action
from coproduction.models import AuditEvent, Membership, Project, Role, User


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address", max_length=254)
    role = forms.ChoiceField(label="Role", choices=Role.choices)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if Membership.objects.filter(project=self.project, user__email__iexact=email).exists():
            raise forms.ValidationError("This person is already a member of this project.")
        return email


class AcceptInvitationForm(forms.Form):
    display_name = forms.CharField(label="Your name as colleagues will see it", max_length=100)
    password1 = forms.CharField(
        label="Create a password",
        widget=forms.PasswordInput,
        strip=False,
        help_text="At least 12 characters. Avoid common words and numbers only.",
    )
    password2 = forms.CharField(label="Confirm the password", widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The passwords do not match.")
        elif p1:
            try:
                password_validation.validate_password(p1, User(email=self.email, display_name=cleaned.get("display_name", "")))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class MembershipRoleForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role"]


class AuditFilterForm(forms.Form):
    person = formfields.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="Anyone")
    action = forms.ChoiceField(required=False)
    date_from = formfields.DateField(label="From", required=False, widget=formfields.DateInput)
    date_to = formfields.DateField(label="To", required=False, widget=formfields.DateInput)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = User.objects.filter(memberships__project=project).order_by("display_name")
        actions = AuditEvent.objects.filter(project=project).order_by("action").values_list("action", flat=True).distinct()
        self.fields["action"].choices = [("", "Any action")] + [(a, describe_action(a)) for a in actions]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            self.add_error("date_to", "The end date must be on or after the start date.")
        return cleaned

    def filter(self, events):
        if not self.is_valid():
            return events
        data = self.cleaned_data
        if data.get("person"):
            events = events.filter(actor=data["person"])
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("date_from"):
            events = events.filter(at__date__gte=data["date_from"])
        if data.get("date_to"):
            events = events.filter(at__date__lte=data["date_to"])
        return events


class ReminderSettingsForm(forms.ModelForm):
    """How a person is reminded: channels, a phone number for text messages, their time zone."""

    reminder_channels = forms.MultipleChoiceField(
        label="How should we remind you?",
        choices=[("email", "Email"), ("sms", "Text message")],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one way to be reminded."},
    )
    phone_number = forms.CharField(
        label="Mobile phone number",
        required=False,
        max_length=32,
        help_text="Only for text message reminders. For example 07700 900 982 or +44 7700 900 982.",
    )
    time_zone = forms.ChoiceField(
        label="Time zone",
        required=False,
        help_text="Leave as the project's time zone unless you live elsewhere. Text messages wait until 08:00 here.",
    )

    class Meta:
        model = User
        fields = ["reminder_channels", "phone_number", "time_zone"]

    def __init__(self, *args, **kwargs):
        import zoneinfo

        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.sms_available = bool(settings.NOTIFY_API_KEY and settings.NOTIFY_SMS_TEMPLATE_ID)
        if not self.sms_available:
            self.fields["reminder_channels"].choices = [("email", "Email")]
        self.fields["time_zone"].choices = [("", "The project's time zone")] + [
            (name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones()) if "/" in name
        ]
        if not self.is_bound and not self.instance.reminder_channels:
            self.initial["reminder_channels"] = ["email"]

    def clean_phone_number(self) -> str:
        import phonenumbers

        raw = self.cleaned_data["phone_number"].strip()
        if not raw:
            return ""
        try:
            number = phonenumbers.parse(raw, "GB")
        except phonenumbers.NumberParseException:
            raise forms.ValidationError("Enter a phone number, like 07700 900 982 or +44 7700 900 982.")
        if not phonenumbers.is_valid_number(number):
            raise forms.ValidationError("Enter a phone number, like 07700 900 982 or +44 7700 900 982.")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def clean(self):
        cleaned = super().clean()
        wants_sms = "sms" in cleaned.get("reminder_channels", [])
        if wants_sms and not cleaned.get("phone_number") and "phone_number" not in self.errors:
            self.add_error("phone_number", "Enter a mobile phone number to get text messages.")
        return cleaned


class ProjectSettingsForm(forms.ModelForm):
    """A coordinator's settings for the project. Cohorts are one per line."""

    cohorts_text = forms.CharField(
        label="Cohorts",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One per line, for example Sex worker, Resident, Faith leader.",
        error_messages={"required": "Name at least one cohort."},
    )

    class Meta:
        model = Project
        fields = ["name", "time_zone", "small_number_threshold", "follow_up_ends_on"]
        labels = {"small_number_threshold": "Small-number threshold", "follow_up_ends_on": "Follow-up ends on (optional)"}
        help_texts = {
            "time_zone": "A time zone name such as Europe/London. Times are shown and reminders sent in it.",
            "small_number_threshold": "In published outputs, counts under this are shown as “<N”. At least 2.",
            "follow_up_ends_on": "Contact details kept for updates are erased on this date, after any update "
            "message still being sent. Leave empty to keep them until people withdraw or ask to stop.",
        }
        field_classes = {"follow_up_ends_on": formfields.DateField}
        widgets = {"follow_up_ends_on": formfields.DateInput}
        error_messages = {"follow_up_ends_on": {"invalid": "Enter a date, like 31/12/2027."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["cohorts_text"] = "\n".join(self.instance.cohorts)

    def clean_small_number_threshold(self) -> int:
        value = self.cleaned_data["small_number_threshold"]
        if value < 2:
            raise forms.ValidationError("The threshold must be at least 2.")
        return value

    def clean_follow_up_ends_on(self):
        value = self.cleaned_data["follow_up_ends_on"]
        # Only a new date: the details are erased on it, so a date already past would erase
        # them at once. A date that has passed since it was set stays as it is.
        if value and "follow_up_ends_on" in self.changed_data and value < timezone.localdate(timezone=self.instance.tzinfo):
            raise forms.ValidationError("Choose today or a later date. Contact details for updates are erased on it.")
        return value

    def clean_cohorts_text(self) -> list[str]:
        cohorts = []
        for line in self.cleaned_data["cohorts_text"].splitlines():
            name = " ".join(line.split())
            if name and name.casefold() not in {c.casefold() for c in cohorts}:
                cohorts.append(name)
        if not cohorts:
            raise forms.ValidationError("Name at least one cohort.")
        if any(len(c) > 60 for c in cohorts):
            raise forms.ValidationError("Each cohort name must be 60 characters or fewer.")
        in_use = set(self.instance.participants.values_list("cohort", flat=True).distinct())
        dropped = sorted(in_use - set(cohorts))
        if dropped:
            raise forms.ValidationError(
                f"Participants belong to {', '.join(dropped)}: keep {'it' if len(dropped) == 1 else 'them'} in the list."
            )
        return cohorts

    def save(self, commit: bool = True) -> Project:
        self.instance.cohorts = self.cleaned_data["cohorts_text"]
        return super().save(commit)
