"""Forms of the strategy pages. Choices are limited to the project's own rows; an id from
another project, or one that does not exist, is refused with a message naming the field. The
rules themselves live in `coproduction.strategy.actions` (`action_problems` and friends): the
forms run them so each problem shows under the field it is about."""

from django import forms
from django.utils import timezone

from coproduction import formfields
from coproduction.formfields import text_field
from coproduction.models import Action, ActionStatus, Priority, Project, Strategy
from coproduction.strategy import actions
from coproduction.strategy.plan import PlanFilter

PROGRESS_MESSAGE = "Progress must be a whole number from 0 to 100."


def choice_of(
    label: str, message: str, *, required: bool = True, empty_label: str | None = "Choose one"
) -> formfields.ModelChoiceField:
    """A choice of the project's rows (the queryset is set by the form); an id outside it is
    refused with `message`, which names what to choose."""
    return formfields.ModelChoiceField(
        label=label,
        queryset=Priority.objects.none(),
        required=required,
        empty_label=empty_label,
        error_messages={"invalid_choice": message, "required": message, "invalid_pk_value": message},
    )


def progress_field(label: str, message: str = PROGRESS_MESSAGE) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=100,
        required=False,
        error_messages=dict.fromkeys(("invalid", "min_value", "max_value"), message),
        help_text="A whole number from 0 to 100. Leave empty to use the status's default.",
    )


class ProblemsForm(forms.Form):
    """A form whose workflow's problems (field -> messages) are shown under their fields."""

    def add_problems(self, problems: dict[str | None, list[str]]) -> None:
        for name, messages in problems.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class StrategySettingsForm(ProblemsForm):
    title = text_field("Title", max_length=200)
    status = forms.ChoiceField(label="Status", choices=Strategy.Status.choices)
    adopted_on = formfields.DateField(
        label="Adopted on",
        required=False,
        widget=formfields.DateInput,
        help_text="Needed unless the strategy is in development.",
        error_messages={"invalid": "Enter the date it was adopted, like 03/12/2026."},
    )
    update_after_days = forms.IntegerField(
        label="Remind an action's lead after this many days without an update",
        min_value=1,
        max_value=365,
        error_messages={
            k: "Enter a number of days between 1 and 365." for k in ("invalid", "min_value", "max_value", "required")
        },
    )

    def clean(self):
        data = super().clean()
        if "status" in data and "update_after_days" in data and not self.has_error("adopted_on"):
            self.add_problems(
                actions.settings_problems(
                    status=data["status"], adopted_on=data.get("adopted_on"), update_after_days=data["update_after_days"]
                )
            )
        return data


class PriorityForm(forms.Form):
    title = text_field("Title", max_length=120)
    description = text_field("Description (optional)", required=False, rows=3, help_text="A short plain-English description.")


class OrganisationForm(forms.Form):
    name = text_field("Name", max_length=120, help_text="A team or partner organisation, e.g. community safety, the police.")


class StatusForm(ProblemsForm):
    name = text_field("Name", max_length=60)
    stage = forms.ChoiceField(
        label="Stage",
        choices=ActionStatus.Stage.choices,
        help_text="What the status means to the product: only agreed, in progress and done actions answer themes.",
        error_messages={"invalid_choice": "Choose one of the stages.", "required": "Choose one of the stages."},
    )
    default_progress = progress_field(
        "Default progress (optional)", "The default progress must be a whole number between 0 and 100."
    )
    order = forms.IntegerField(
        label="Order",
        min_value=0,
        max_value=999,
        initial=0,
        error_messages={k: "Enter a whole number from 0 to 999." for k in ("invalid", "min_value", "max_value", "required")},
    )

    def __init__(self, *args, project: Project, status: ActionStatus | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project, self.status = project, status
        self.fields["default_progress"].help_text = "A whole number from 0 to 100, set on an action given this status."

    def values(self) -> actions.StatusFields:
        data = self.cleaned_data
        return actions.StatusFields(data["name"], data["stage"], data["default_progress"], data["order"])

    def clean(self):
        data = super().clean()
        if not self.errors:
            self.add_problems(actions.status_problems(self.project, self.values(), self.status))
        return data


class ActionForm(ProblemsForm):
    """Create or change an action (coordinators)."""

    priority = choice_of("Priority", "Choose a priority of this strategy.")
    parent = choice_of(
        "Part of (optional)", "Choose a parent action of this project.", required=False, empty_label="Not a sub-action"
    )
    title = text_field("Title", max_length=200)
    description = text_field("Description (optional)", required=False, rows=4, help_text="Published: no names.")
    organisation = choice_of(
        "Owner (optional)", "Choose an owner from this project's list.", required=False, empty_label="No owner yet"
    )
    lead = choice_of("Lead (optional)", "The lead must be a member of this project.", required=False, empty_label="No lead")
    starts_on = formfields.DateField(
        label="Starts on (optional)",
        required=False,
        widget=formfields.DateInput,
        error_messages={"invalid": "Enter the start date, like 03/12/2026."},
    )
    due_on = formfields.DateField(
        label="Due on (optional)",
        required=False,
        widget=formfields.DateInput,
        error_messages={"invalid": "Enter the due date, like 03/12/2026."},
    )
    status = choice_of("Status", "Choose a status from this project's list.")
    progress = progress_field("Progress (optional)")
    reason = text_field(
        "Reason it is not taken forward (needed for that status)", required=False, rows=3, help_text="Published: no names."
    )
    early = forms.BooleanField(label="Acted on while the strategy was being developed", required=False)

    def __init__(self, *args, project: Project, action: Action | None = None, **kwargs):
        if action is not None:
            kwargs["initial"] = {
                **{name: getattr(action, f"{name}_id") for name in ("priority", "parent", "organisation", "lead", "status")},
                **{name: getattr(action, name) for name in ("title", "description", "starts_on", "due_on", "progress", "reason")},
                "early": action.early,
            }
        super().__init__(*args, **kwargs)
        self.project, self.action = project, action
        strategy = actions.ensure_strategy(project)
        self.fields["priority"].queryset = strategy.priorities.all()
        parents = Action.objects.current().filter(project=project).select_related("priority")
        if action is not None:
            parents = parents.exclude(pk=action.pk)
        self.fields["parent"].queryset = parents
        self.fields["organisation"].queryset = project.organisations.all()
        self.fields["lead"].queryset = actions.lead_choices(project)
        self.fields["status"].queryset = ActionStatus.objects.filter(project=project)
        self.fields["status"].label_from_instance = lambda s: f"{s.name} ({s.get_stage_display().lower()})"

    def explicit_progress(self) -> int | None:
        """The progress typed, or None when it should follow the status: nothing typed, or,
        when changing the status, the progress left as it was before."""
        data = self.cleaned_data
        progress = data.get("progress")
        action = self.action
        if action is not None and data.get("status") and data["status"].pk != action.status_id and progress == action.progress:
            return None if data["status"].default_progress is not None else progress
        return progress

    def values(self) -> actions.ActionFields:
        data = self.cleaned_data
        return actions.ActionFields(
            priority=data["priority"],
            title=data["title"],
            status=data["status"],
            parent=data.get("parent"),
            description=data.get("description", ""),
            organisation=data.get("organisation"),
            lead=data.get("lead"),
            starts_on=data.get("starts_on"),
            due_on=data.get("due_on"),
            progress=self.explicit_progress(),
            reason=data.get("reason", ""),
            early=data.get("early", False),
        )

    def clean(self):
        data = super().clean()
        if all(name in data for name in ("priority", "status", "title")) and "parent" in data:
            problems = actions.action_problems(self.project, self.values(), self.action)
            self.add_problems({name: messages for name, messages in problems.items() if not self.has_error(name)})
        return data


class ProposalForm(forms.Form):
    """A peer researcher proposes an action."""

    priority = choice_of("Priority", "Choose a priority of this strategy.")
    title = text_field("What should be done?", max_length=200, missing="Say what should be done.")
    description = text_field("Why, and what difference it would make (optional)", required=False, rows=4, help_text="No names.")

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = actions.ensure_strategy(project).priorities.all()


class AgreeForm(forms.Form):
    status = choice_of("Agreed status", "Choose an agreed status from this project's list.")

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, prefix="agree", **kwargs)
        self.fields["status"].queryset = ActionStatus.objects.filter(project=project, stage__in=ActionStatus.COMMITTED)


class DeclineForm(forms.Form):
    status = choice_of("Status", "Choose a “not taken forward” status from this project's list.")
    reason = text_field(
        "Reason it is not taken forward",
        rows=3,
        help_text="Published: no names.",
        missing="Give the reason it is not taken forward: it will be published.",
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, prefix="decline", **kwargs)
        statuses = ActionStatus.objects.filter(project=project, stage=ActionStatus.Stage.NOT_TAKEN_FORWARD)
        self.fields["status"].queryset = statuses
        self.fields["status"].empty_label = None


class MergeForm(forms.Form):
    into = choice_of("Merge into", "Choose another action of this project to merge into.")

    def __init__(self, *args, action: Action, **kwargs):
        super().__init__(*args, prefix="merge", **kwargs)
        self.fields["into"].queryset = Action.objects.current().filter(project=action.project_id).exclude(pk=action.pk)


class CommentForm(forms.Form):
    text = text_field(
        "Your comment", max_length=4000, rows=3, help_text="Seen by the project team only. No names.", missing="Write a comment."
    )


class ThemesForm(forms.Form):
    themes = formfields.ModelMultipleChoiceField(
        label="Themes this action answers",
        queryset=Priority.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Link only themes that are in use in this project's codebook."},
    )

    def __init__(self, *args, action: Action, **kwargs):
        super().__init__(*args, initial={"themes": [theme.pk for theme in action.themes.all()]}, **kwargs)
        self.fields["themes"].queryset = actions.theme_choices(action.project, action)
        self.fields["themes"].label_from_instance = lambda t: (
            t.name if t.status == "active" else f"{t.name} ({t.get_status_display().lower()})"
        )


class UpdateForm(ProblemsForm):
    on = formfields.DateField(
        label="Date",
        widget=formfields.DateInput,
        error_messages={"invalid": "Enter the date, like 03/12/2026.", "required": "Enter the date of the update."},
    )
    text = text_field(
        "What happened", max_length=4000, rows=4, help_text="Published with the action: no names.", missing="Say what happened."
    )
    new_status = choice_of(
        "New status (optional)",
        "Choose an agreed, in progress or done status from this project's list.",
        required=False,
        empty_label="No change",
    )
    new_progress = progress_field("New progress (optional)")

    def __init__(self, *args, action: Action, **kwargs):
        kwargs.setdefault("initial", {"on": timezone.localdate(timezone.now(), action.project.tzinfo)})
        super().__init__(*args, **kwargs)
        self.action = action
        self.fields["new_status"].queryset = ActionStatus.objects.filter(
            project=action.project_id, stage__in=actions.UPDATE_STAGES
        )
        self.fields[
            "new_progress"
        ].help_text = "A whole number from 0 to 100. Leave empty to keep it (or use the new status's default)."

    def values(self) -> actions.UpdateFields:
        data = self.cleaned_data
        return actions.UpdateFields(data["on"], data["text"], data["new_status"], data["new_progress"])

    def clean(self):
        data = super().clean()
        if not self.errors:
            today = timezone.localdate(timezone.now(), self.action.project.tzinfo)
            self.add_problems(actions.update_problems(self.action, self.values(), today))
        return data


class KeepFindingForm(forms.Form):
    finding = forms.CharField(widget=forms.HiddenInput, max_length=200)
    reason = text_field("Why this can stay", max_length=300, missing="Give a reason for keeping this text.")


EARLY_CHOICES = [("", "Any"), ("yes", "Acted on early"), ("no", "Not acted on early")]


class PlanFilterForm(forms.Form):
    """The action plan's filters (GET)."""

    priority = choice_of("Priority", "Choose a priority of this strategy.", required=False, empty_label="All priorities")
    status = choice_of("Status", "Choose a status from this project's list.", required=False, empty_label="All statuses")
    owner = choice_of("Owner", "Choose an owner from this project's list.", required=False, empty_label="All owners")
    early = forms.ChoiceField(label="Acted on early", choices=EARLY_CHOICES, required=False)

    def __init__(self, *args, project: Project, strategy: Strategy, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = strategy.priorities.all()
        self.fields["status"].queryset = ActionStatus.objects.filter(project=project)
        self.fields["owner"].queryset = project.organisations.all()

    def plan_filter(self) -> PlanFilter:
        if not self.is_valid():
            return PlanFilter()
        data = self.cleaned_data
        return PlanFilter(
            priority_id=data["priority"].pk if data["priority"] else None,
            status_id=data["status"].pk if data["status"] else None,
            organisation_id=data["owner"].pk if data["owner"] else None,
            early={"yes": True, "no": False}.get(data["early"]),
        )
