from functools import lru_cache
from types import SimpleNamespace

from django import forms
from django.conf import settings
from django.db.models import QuerySet

from coproduction import formfields
from coproduction.analysis.agreement import paragraph_spans, sentence_spans
from coproduction.models import ConsensusDecision, ExportJob, Project, Theme, User
from coproduction.models.codebook import colour_validator, theme_paths
from coproduction.prepared import PreparedQuery
from coproduction.textcheck import validate_readable_text


def theme_choices(themes) -> list[tuple[int, str]]:
    """(id, "Parent › Child") for a select, sorted by path. A queryset is read as plain rows: the
    codebook can hold thousands of themes, and a choice needs no model instance."""
    if isinstance(themes, QuerySet):
        themes = [
            SimpleNamespace(pk=pk, name=name, parent_id=parent)
            for pk, name, parent in themes.values_list("pk", "name", "parent_id")
        ]
    themes = list(themes)
    paths = theme_paths(themes)
    return sorted(((t.pk, paths[t.pk]) for t in themes), key=lambda c: c[1].lower())


_active_themes = PreparedQuery(
    lambda project_id: Theme.objects.filter(project=project_id, status=Theme.Status.ACTIVE).values_list("pk", "name", "parent_id")
)


class ThemeForm(forms.ModelForm):
    colour = forms.CharField(
        label="Colour", max_length=7, initial="#1d70b8", validators=[colour_validator], help_text="For example #1d70b8."
    )

    class Meta:
        model = Theme
        fields = ["name", "description", "colour", "parent", "order"]
        field_classes = {"parent": formfields.ModelChoiceField}
        labels = {"name": "Name", "description": "Description", "parent": "Sits under", "order": "Position among its siblings"}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.instance.project = project
        candidates = project.themes.filter(status=Theme.Status.ACTIVE)
        if self.instance.pk:
            candidates = candidates.exclude(pk=self.instance.pk)
            rows = candidates
        else:  # the theme list's form, on every visit: compiled once
            found = _active_themes(project_id=project.pk)
            rows = [SimpleNamespace(pk=pk, name=name, parent_id=parent) for pk, name, parent in found]
        self.fields["parent"].queryset = candidates
        self.fields["parent"].required = False
        self.fields["parent"].choices = [("", "(top level)"), *theme_choices(rows)]
        self.fields["description"].required = False
        # Theme names and descriptions reach every export (spreadsheets, REFI-QDA, reports).
        self.fields["name"].validators.append(validate_readable_text)
        self.fields["description"].validators.append(validate_readable_text)
        self.fields["order"].required = False
        self.fields["order"].help_text = "Lower numbers come first."

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if parent is not None and self.instance.pk and self.instance.would_cycle(parent):
            raise forms.ValidationError("A theme cannot sit inside itself or one of its own sub-themes.")
        return parent

    def clean_order(self) -> int:
        order = self.cleaned_data.get("order")
        return self.instance.order if order is None else order

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Enter a name.")
        return name


class MergeForm(forms.Form):
    target = forms.TypedChoiceField(label="Merge into", coerce=int)

    def __init__(self, *args, theme: Theme, **kwargs):
        super().__init__(*args, **kwargs)
        candidates = theme.project.themes.filter(status=Theme.Status.ACTIVE).exclude(pk=theme.pk)
        self.candidates = {t.pk: t for t in candidates}
        self.fields["target"].choices = [("", "Choose a theme"), *theme_choices(candidates)]

    def clean_target(self) -> Theme:
        return self.candidates[self.cleaned_data["target"]]


class CodingForm(forms.Form):
    """Selected text (start/end, filled in by coding.js from a mouse selection) or a passage
    chosen from the list of sentences and paragraphs (keyboard, no script needed)."""

    passage = forms.ChoiceField(label="Passage to code", required=False)
    start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    themes = forms.TypedMultipleChoiceField(label="Themes", coerce=int)

    def __init__(self, *args, document, themes, window: tuple[int, int] | None = None, **kwargs):
        """`window`: the part of the text shown (coproduction.analysis.parts); its sentences and
        paragraphs are the ones offered."""
        super().__init__(*args, **kwargs)
        self.document = document
        self.theme_objects = {t.pk: t for t in themes}
        self.fields["themes"].choices = formfields.Pairs(theme_choices(themes))
        low, high = window or (0, len(document.text))
        self.fields["passage"].choices = formfields.Pairs(_passages(document.text[low:high], low))

    def clean(self):
        cleaned = super().clean()
        passage = cleaned.get("passage")
        if passage:
            start, end = (int(n) for n in passage.split("-"))
        else:
            start, end = cleaned.get("start"), cleaned.get("end")
        if start is None or end is None:
            raise forms.ValidationError("Select some text, or choose a sentence or paragraph from the list.")
        length = len(self.document.text)
        if not (0 <= start < end <= length):
            raise forms.ValidationError(f"The selection must lie within the text (0 to {length}) and not be empty.")
        cleaned["span"] = (start, end)
        cleaned["theme_objects"] = [self.theme_objects[pk] for pk in cleaned.get("themes", [])]
        return cleaned


@lru_cache(maxsize=64)
def _passages(text: str, low: int) -> tuple[tuple[str, str], ...]:
    """The paragraphs and sentences of a text that starts at `low` in its Document, as choices.
    Kept for the texts read lately: a part is read again on every visit and every coding."""
    passages = [("", "The text I selected")]
    for start, end in paragraph_spans(text):
        passages.append((f"{low + start}-{low + end}", f"Paragraph: {_preview(text[start:end])}"))
    for start, end in sentence_spans(text):
        passages.append((f"{low + start}-{low + end}", f"Sentence: {_preview(text[start:end])}"))
    return tuple(dict.fromkeys(passages))


def _preview(text: str, size: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


class MemoForm(forms.Form):
    text = forms.CharField(
        label="Memo",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        validators=[validate_readable_text],
        error_messages={"required": "Write the memo before adding it."},
    )

    def problem(self) -> str:
        """The reason the memo was refused, for a flash message (the form is not shown again)."""
        return " ".join(self.errors.get("text", ["Write the memo before adding it."]))


class CoderPairForm(forms.Form):
    """Two different coders. Unasked, the second box starts on the second coder: both boxes on
    the first would compare a coder with themselves."""

    coder_a = forms.TypedChoiceField(label="First coder", coerce=int)
    coder_b = forms.TypedChoiceField(label="Second coder", coerce=int)

    def __init__(self, *args, coders: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.coders = {u.pk: u for u in coders}
        choices = [(u.pk, str(u)) for u in coders]
        self.fields["coder_a"].choices = choices
        self.fields["coder_b"].choices = choices
        if len(coders) >= 2:
            self.fields["coder_a"].initial, self.fields["coder_b"].initial = coders[0].pk, coders[1].pk

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("coder_a") and cleaned.get("coder_a") == cleaned.get("coder_b"):
            raise forms.ValidationError("Choose two different coders.")
        return cleaned


class AgreementForm(CoderPairForm):
    unit = forms.ChoiceField(
        label="Compare by", choices=[("character", "Characters"), ("sentence", "Sentences")], initial="character"
    )


class ConsensusStartForm(CoderPairForm):
    """Which two coders' codings the consensus reconciles."""

    replace = forms.BooleanField(label="Yes, delete the decisions made so far and start again", required=False)

    def __init__(self, *args, replacing: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.replacing = replacing
        if not replacing:
            del self.fields["replace"]

    def clean(self):
        cleaned = super().clean()
        if self.replacing and not cleaned.get("replace"):
            self.add_error("replace", "Tick the box to confirm that the decisions made so far are deleted.")
        return cleaned


# The largest id or offset PostgreSQL's integer columns hold: anything larger is refused by the
# form, not by the database.
LARGEST = 2**31 - 1


class ConsensusDecisionForm(forms.Form):
    """One decision on one disagreement; the themes it adds are worked out again on the server."""

    document = forms.IntegerField(min_value=1, max_value=LARGEST, widget=forms.HiddenInput)
    start = forms.IntegerField(min_value=0, max_value=LARGEST, widget=forms.HiddenInput)
    end = forms.IntegerField(min_value=1, max_value=LARGEST, widget=forms.HiddenInput)
    choice = forms.ChoiceField(
        label="Decision",
        choices=ConsensusDecision.Choice.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the first coder's version, the second's, both or neither."},
    )

    def problem(self) -> str:
        return " ".join(e for errors in self.errors.values() for e in errors)


class SearchForm(forms.Form):
    q = forms.CharField(label="Search the released documents", max_length=200, required=False)


class ExportForm(forms.Form):
    format = forms.ChoiceField(label="What to export", choices=ExportJob.Format.choices)
    publication = forms.BooleanField(
        label="For publication: hide small numbers and include only quotes that may be published", required=False
    )


class CodebookImportForm(forms.Form):
    file = forms.FileField(label="REFI-QDA codebook (.qdc)")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = getattr(settings, "QDC_IMPORT_MAX_BYTES", 2 * 1024 * 1024)
        if upload.size > limit:
            raise forms.ValidationError(f"The file is larger than {limit // 1024} KB, the most that can be imported.")
        return upload
