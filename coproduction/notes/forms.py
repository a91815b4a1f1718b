"""The forms of the notes pages every owner shares: the notes, keeping a finding, the review."""

from django import forms

from coproduction.models import NotesDraft
from coproduction.models.notes import MAX_NOTES_CHARACTERS
from coproduction.textcheck import validate_readable_text


class NotesForm(forms.Form):
    """One textarea per topic-guide question plus a free section, and the version being edited."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, draft: NotesDraft, **kwargs):
        super().__init__(*args, **kwargs)
        self.section_keys = []
        for key, heading, text in draft.section_list():
            self.fields[key] = forms.CharField(
                label=heading,
                required=False,
                strip=False,
                max_length=MAX_NOTES_CHARACTERS,
                widget=forms.Textarea(attrs={"rows": 6}),
                initial=text,
                validators=[validate_readable_text],
            )
            self.section_keys.append(key)
        self.fields["version"].initial = draft.version

    def sections(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(key, "") for key in self.section_keys}

    def section_fields(self):
        return [self[key] for key in self.section_keys]


class DismissForm(forms.Form):
    finding = forms.CharField(widget=forms.HiddenInput, max_length=60)
    reason = forms.CharField(label="Why this can stay", max_length=500, validators=[validate_readable_text])


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label="What needs changing (when sending back)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[validate_readable_text],
    )
