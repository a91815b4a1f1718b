from django import forms
from django.conf import settings

from coproduction import formfields
from coproduction.models import AllowListTerm, AttributeDefinition, DenyListTerm, InformationSheet, Project
from coproduction.textcheck import validate_readable_text


class ParticipantForm(forms.Form):
    """A new participant: a cohort and optional coarse attributes. No name field, by design."""

    cohort = forms.ChoiceField(label="Cohort")

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["cohort"].choices = [("", "Choose a cohort")] + [(c, c) for c in project.cohorts]
        self.definitions = list(AttributeDefinition.objects.filter(project=project))
        for definition in self.definitions:
            self.fields[f"attr_{definition.pk}"] = forms.ChoiceField(
                label=f"{definition.name} (optional)",
                required=False,
                choices=[("", "Not recorded")] + [(c, c) for c in definition.choices],
            )

    def attributes(self) -> dict[str, str]:
        return {d.name: self.cleaned_data[f"attr_{d.pk}"] for d in self.definitions if self.cleaned_data.get(f"attr_{d.pk}")}


class ConsentForm(forms.Form):
    information_sheet = formfields.ModelChoiceField(
        label="Information sheet version", queryset=InformationSheet.objects.none(), empty_label=None
    )
    take_part = forms.BooleanField(label="Agrees to take part", required=False)
    notes_kept = forms.BooleanField(label="Agrees that notes are kept", required=False)
    quotes_published = forms.BooleanField(label="Agrees that anonymous quotes may be published", required=False)
    follow_up = forms.BooleanField(label="Agrees to be contacted for follow-up", required=False)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["information_sheet"].queryset = InformationSheet.objects.filter(project=project)
        self.fields["information_sheet"].label_from_instance = lambda sheet: f"Version {sheet.version}"

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("take_part"):
            self.add_error("take_part", "Consent to take part is needed before an interview; record it only once given.")
        return cleaned


PHONE_ERROR = "Enter a phone number, like 07700 900 982 or +44 7700 900 982."


def clean_phone_number(value: str) -> str:
    """A possible phone number in E.164, or "" for none typed."""
    import phonenumbers

    value = value.strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        raise forms.ValidationError(PHONE_ERROR) from None
    if not phonenumbers.is_possible_number(number):
        raise forms.ValidationError(PHONE_ERROR)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def text_messages_ready() -> bool:
    return bool(settings.NOTIFY_API_KEY and settings.NOTIFY_SMS_TEMPLATE_ID)


class ContactDetailsForm(forms.Form):
    wants_reminders = forms.BooleanField(label="The participant asked for reminders", required=False)
    contact_email = forms.EmailField(label="Email address for reminders (optional)", required=False)
    contact_phone = forms.CharField(label="Mobile number for text reminders (optional)", required=False, max_length=32)

    def clean_contact_phone(self) -> str:
        return clean_phone_number(self.cleaned_data["contact_phone"])

    def clean(self):
        cleaned = super().clean()
        wants = cleaned.get("wants_reminders")
        if wants and not (cleaned.get("contact_email") or cleaned.get("contact_phone")):
            self.add_error("contact_email", "Enter an email address or a mobile number for the reminders.")
        if wants and cleaned.get("contact_phone") and not cleaned.get("contact_email") and not text_messages_ready():
            self.add_error("contact_phone", "Text messages are not set up for this service. Enter an email address instead.")
        if not wants and (cleaned.get("contact_email") or cleaned.get("contact_phone")):
            self.add_error("wants_reminders", "Keep contact details only when the participant asked for reminders.")
        return cleaned


class InformationSheetForm(forms.Form):
    text = forms.CharField(
        label="Text of the information sheet",
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=50_000,
        validators=[validate_readable_text],
    )


class TermListForm(forms.Form):
    """One entry of a list the scanner reads: the deny-list or the allow-list."""

    model: type = DenyListTerm
    list_name = "the deny-list"
    term = forms.CharField(label="Name, nickname or place", max_length=200, validators=[validate_readable_text])
    kind = forms.ChoiceField(label="Kind", choices=DenyListTerm.Kind.choices)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_term(self) -> str:
        term = " ".join(self.cleaned_data["term"].split())
        if len(term) < 2:
            raise forms.ValidationError("Enter at least two characters.")
        existing = {t.term.casefold() for t in self.model.objects.filter(project=self.project)}
        if term.casefold() in existing:
            raise forms.ValidationError(f"This term is already on {self.list_name}.")
        return term


class DenyListTermForm(TermListForm):
    pass


class AllowListTermForm(TermListForm):
    model = AllowListTerm
    list_name = "the allow-list"
    term = forms.CharField(
        label="Public place, organisation or helpline",
        help_text="For example: Riverside Market, Riverside Station, the outreach hub, 0800 500 300",
        max_length=200,
        validators=[validate_readable_text],
    )
    kind = forms.ChoiceField(label="Kind", choices=AllowListTerm.Kind.choices)


class AttributeDefinitionForm(forms.Form):
    name = forms.CharField(
        label="Attribute", max_length=60, help_text="For example: Age band", validators=[validate_readable_text]
    )
    choices = forms.CharField(
        label="Choices, one per line",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        help_text="Coarse bands only, such as 18–24, 25–34, 35–49, 50 and over",
        validators=[validate_readable_text],
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if AttributeDefinition.objects.filter(project=self.project, name__iexact=name).exists():
            raise forms.ValidationError("This attribute already exists.")
        return name

    def clean_choices(self) -> list[str]:
        choices = list(
            dict.fromkeys(" ".join(line.split()) for line in self.cleaned_data["choices"].splitlines() if line.strip())
        )
        if len(choices) < 2:
            raise forms.ValidationError("Enter at least two choices, one per line.")
        if any(len(choice) > 60 for choice in choices):
            raise forms.ValidationError("Each choice must be 60 characters or fewer.")
        return choices


class FollowUpContactForm(forms.Form):
    """Details kept for updates when a version is published; apart from reminder details,
    which are erased after the interview. Prefixed: it shares the participant's page."""

    prefix = "updates"

    email = forms.EmailField(label="Email address for updates (optional)", required=False, max_length=254)
    phone = forms.CharField(label="Mobile number for updates by text message (optional)", required=False, max_length=32)

    def clean_phone(self) -> str:
        return clean_phone_number(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if not (cleaned.get("email") or cleaned.get("phone")):
            self.add_error("email", "Enter an email address or a mobile number for the updates.")
        elif cleaned.get("phone") and not cleaned.get("email") and not text_messages_ready():
            self.add_error("phone", "Text messages are not set up for this service. Enter an email address instead.")
        return cleaned


class StopUpdatesForm(forms.Form):
    """Someone asked the team to stop the updates: the address or number they gave."""

    address = forms.CharField(
        label="Their email address or phone number",
        max_length=254,
        error_messages={"required": "Enter the email address or phone number the updates go to."},
    )

    def clean_address(self) -> str:
        value = self.cleaned_data["address"].strip()
        if "@" in value:
            try:
                return forms.EmailField().clean(value)
            except forms.ValidationError:
                raise forms.ValidationError("Enter an email address like name@example.com, or a phone number.") from None
        try:
            number = clean_phone_number(value)
        except forms.ValidationError:
            raise forms.ValidationError("Enter a phone number, like 07700 900 982, or an email address.") from None
        if not number:
            raise forms.ValidationError("Enter the email address or phone number the updates go to.")
        return number
