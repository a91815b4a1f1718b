"""Forms of the action import and the action plan export (no dates typed here)."""

from django import forms

from coproduction.strategy.tables import MAX_BYTES


class ActionImportForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet of actions",
        help_text="A .csv (UTF-8) or .xlsx file with a header row; nothing is saved until you confirm.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_BYTES // 1024} KB, the most that can be imported.")
        return upload


class ConfirmImportForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=500)


class ExportPlanForm(forms.Form):
    FORMATS = [("csv", "Spreadsheet (CSV)"), ("xlsx", "Excel workbook (.xlsx)"), ("pdf", "PDF")]
    format = forms.ChoiceField(label="Format", choices=FORMATS)
