from decimal import Decimal

from django import forms

from coproduction.formfields import DateField, DateInput
from coproduction.models import Participant, Project
from coproduction.textcheck import validate_readable_text
from coproduction.vouchers.actions import VoucherKind


def max_upload_bytes() -> int:
    from django.conf import settings

    return getattr(settings, "VOUCHER_UPLOAD_MAX_BYTES", 256 * 1024)


class LoadForm(forms.Form):
    supplier = forms.CharField(
        max_length=80, validators=[validate_readable_text], help_text="For example, the shop or card scheme."
    )
    value = forms.DecimalField(
        label="Value of each voucher (£)",
        max_digits=7,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("1000"),
    )
    expires_on = DateField(label="Expiry date", widget=DateInput, help_text="The date printed on the vouchers.")
    codes = forms.CharField(
        label="Codes (one a line)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        validators=[validate_readable_text],
        help_text="Paste them here, or choose a CSV file instead.",
    )
    file = forms.FileField(
        label="Or a CSV file with a column named code", required=False, help_text="Saved from your spreadsheet as CSV UTF-8."
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > max_upload_bytes():
            raise forms.ValidationError(too_large())
        return upload

    def clean(self):
        data = super().clean()
        pasted, upload = (data.get("codes") or "").strip(), data.get("file")
        if "codes" in data and "file" not in self.errors:
            if pasted and upload:
                self.add_error("codes", "Paste the codes or choose a file, not both.")
            elif not pasted and not upload:
                self.add_error("codes", "Paste the codes, or choose a CSV file with a column named code.")
        return data


def too_large() -> str:
    return f"The file is larger than {max_upload_bytes() // 1024} KB. Load the codes in smaller batches."


class ThankForm(forms.Form):
    """Give a voucher, or record that the participant declined. Givers choose a supplier and
    value, never a batch: they see no stock."""

    outcome = forms.ChoiceField(choices=[("given", "Give a voucher"), ("declined", "Declined")])
    # Text, not a choice: a kind that ran out (or expired) since the page was shown is still
    # recognised, so the refusal can say that rather than "not a valid choice".
    kind = forms.CharField(label="Voucher", required=False, max_length=200, widget=forms.Select)
    participant_code = forms.CharField(
        label="Participant code (optional)",
        max_length=20,
        required=False,
        help_text="Their code, for example SW-007, if they are a registered participant. Never a name.",
    )

    def __init__(
        self, *args, project: Project, kinds: list[VoucherKind], known: list[VoucherKind], asks_for_participant: bool, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.project = project
        self.known = {kind.key: kind for kind in known}
        self.fields["kind"].choices = [("", "Choose a voucher")] + [(kind.key, kind.label) for kind in kinds]
        self.fields["kind"].widget.choices = self.fields["kind"].choices
        if len(kinds) == 1:
            self.initial.setdefault("kind", kinds[0].key)
        if not asks_for_participant:
            del self.fields["participant_code"]

    def clean_participant_code(self) -> Participant | None:
        code = self.cleaned_data["participant_code"].strip()
        if not code:
            return None
        participant = Participant.objects.filter(project=self.project, code__iexact=code).first()
        if participant is None:
            raise forms.ValidationError("No participant in this project has that code. Check it, or leave it empty.")
        return participant

    def clean(self):
        data = super().clean()
        data["voucher_kind"] = None  # declined
        if data.get("outcome") == "given":
            data["voucher_kind"] = self.known.get(data.get("kind") or "")
            if data["voucher_kind"] is None:
                self.add_error("kind", "Choose a voucher from the list.")
        return data
