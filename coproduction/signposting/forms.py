from django import forms

from coproduction.formfields import text_field
from coproduction.signposting.phones import NotAPhoneNumber, normalise


class StepForm(forms.Form):
    title = text_field("Step", max_length=80, help_text="A few words, e.g. Stop and check.")
    guidance = text_field("What to do", max_length=1000, rows=3)


class ServiceForm(forms.Form):
    """A service's public details, as the service itself publishes them."""

    name = text_field("Name of the service", max_length=120)
    helps_with = text_field("What they help with", max_length=200, help_text="For example: housing, sexual health, debt.")
    phone = text_field(
        "Phone number (optional)", max_length=32, required=False, help_text="For example: 0808 2000 247 or 116 123."
    )
    opening_hours = text_field(
        "Opening hours (optional)", max_length=120, required=False, help_text="For example: Monday to Friday, 9am to 5pm."
    )
    address = text_field("Address (optional)", max_length=200, required=False)
    languages = text_field(
        "Languages (optional)", max_length=120, required=False, help_text="For example: English, Romanian, Portuguese."
    )
    walk_in = forms.BooleanField(label="People can walk in without an appointment", required=False)

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"].strip()
        if not raw:
            return ""
        try:
            return normalise(raw)
        except NotAPhoneNumber:
            raise forms.ValidationError("Enter a phone number, like 0808 2000 247, or a short number like 116 123.") from None

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not (cleaned.get("phone") or cleaned.get("address")):
            self.add_error("phone", "Give a phone number or an address, so people can reach the service.")
        return cleaned
