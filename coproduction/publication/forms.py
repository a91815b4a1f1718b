from django import forms

from coproduction import formfields
from coproduction.models import Action, Indicator, Publication, PublishedTheme, Theme
from coproduction.textcheck import validate_readable_text

TEXT_LIMIT = 6_000


def published_text(label: str, help_text: str = "", rows: int = 5) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text or "Published: no names, addresses or other details that could identify anyone.",
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": rows}),
        validators=[validate_readable_text],
    )


class CompositionForm(forms.ModelForm):
    """What the public pages show, besides the themes (chosen on their own page)."""

    title = forms.CharField(label="Title of the public pages", max_length=120, validators=[validate_readable_text])
    introduction = published_text("Introduction")
    next_steps = published_text(
        "What happens next", "Next sessions, how to get support, how to contact the team. Published: no names."
    )
    context = published_text("Case study: Context", "Why the strategy was needed. Published: no names.")
    lessons = published_text("Case study: Lessons learnt", "What the team learnt about working this way.")
    all_agreed_actions = forms.BooleanField(
        label="Show every agreed action (agreed, in progress, done, and those not taken forward)", required=False
    )
    actions = formfields.ModelMultipleChoiceField(
        queryset=Action.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Or show only these actions",
    )
    indicators = formfields.ModelMultipleChoiceField(
        queryset=Indicator.objects.none(), required=False, widget=forms.CheckboxSelectMultiple, label="Indicators to show"
    )

    class Meta:
        model = Publication
        fields = ["title", "introduction", "next_steps", "context", "lessons", "all_agreed_actions", "actions", "indicators"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        project = self.instance.project
        self.fields["actions"].queryset = Action.objects.current().filter(project=project).select_related("priority")
        self.fields["indicators"].queryset = Indicator.objects.filter(project=project)

    def clean(self):
        data = super().clean()
        if not data.get("all_agreed_actions") and not data.get("actions") and "actions" not in self.errors:
            self.add_error("actions", "Choose the actions to show, or show every agreed action.")
        return data


class ThemeChoiceForm(forms.Form):
    """Add a theme to the public pages."""

    theme = formfields.ModelChoiceField(queryset=Theme.objects.none(), label="Theme", empty_label="Choose a theme")

    def __init__(self, *args, publication: Publication, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = PublishedTheme.objects.filter(publication=publication).values("theme")
        self.fields["theme"].queryset = Theme.objects.active().filter(project=publication.project).exclude(pk__in=chosen)


class SummaryForm(forms.ModelForm):
    summary = published_text("Summary in plain English", rows=6)
    order = forms.IntegerField(label="Position on the page", min_value=0, max_value=999, required=False)

    class Meta:
        model = PublishedTheme
        fields = ["summary", "order"]

    def clean_order(self):
        value = self.cleaned_data.get("order")
        return self.instance.order if value is None else value


class KeepFindingForm(forms.Form):
    finding = forms.CharField(max_length=200)
    reason = forms.CharField(label="Why this is not personal information", max_length=300, validators=[validate_readable_text])
