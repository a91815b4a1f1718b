from django import forms

from coproduction.formfields import DateField


class ProjectImportForm(forms.Form):
    """A REFI-QDA project or codebook, with the cohort and month its texts get unless the
    file's Variables say (a cohort the project does not have is not taken from the file)."""

    file = forms.FileField(label="REFI-QDA project (.qdpx) or codebook (.qdc)")
    cohort = forms.ChoiceField(label="Cohort of the imported texts", help_text="Used when a text has no cohort variable.")
    month = DateField(label="Month of the imported texts", help_text="Any day of the month, for example 2026-03-01.")

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].choices = [(c, c) for c in project.cohorts or []]

    def clean_month(self):
        return self.cleaned_data["month"].replace(day=1)


class ConfirmProjectImportForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=500)
