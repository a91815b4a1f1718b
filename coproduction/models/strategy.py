"""The strategy and its action plan: priorities, actions (with sub-actions), their timeline of
updates, the themes each action answers, and the outcome indicators that show what changed.

Text meant for publication (an action's description, a reason for not taking it forward, an
update) is checked with the PII scanner before it may be published: `PublishableTextDismissal`
keeps each finding its author kept, with the reason, as the notes gate keeps its resolutions.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from coproduction.models.codebook import Theme
from coproduction.models.projects import Project
from coproduction.models.trees import ParentChain

DEFAULT_UPDATE_AFTER_DAYS = 30
PROGRESS = [MinValueValidator(0), MaxValueValidator(100)]


class Strategy(models.Model):
    """One per project: what the co-production is writing, and where it stands."""

    class Status(models.TextChoices):
        IN_DEVELOPMENT = "in_development", "In development"
        ADOPTED = "adopted", "Adopted"
        IN_DELIVERY = "in_delivery", "In delivery"
        CLOSED = "closed", "Closed"

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="strategy")
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_DEVELOPMENT)
    adopted_on = models.DateField(null=True, blank=True, help_text="The date the strategy was adopted.")
    update_after_days = models.PositiveSmallIntegerField(
        default=DEFAULT_UPDATE_AFTER_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Remind an action's lead when it has had no update for this many days.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "strategies"
        constraints = [
            models.CheckConstraint(
                condition=Q(status="in_development") | Q(adopted_on__isnull=False), name="strategy_adopted_has_a_date"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Priority(models.Model):
    """One of the strategy's priorities, e.g. "Safer streets", in the order the strategy gives."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="priorities")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True, help_text="A short plain-English description.")

    class Meta:
        ordering = ["strategy", "order", "pk"]
        verbose_name_plural = "priorities"

    def __str__(self) -> str:
        return self.title


class Organisation(models.Model):
    """A team or partner organisation that owns actions, e.g. community safety, the police."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="organisations")
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="organisation_name_per_project")]

    def __str__(self) -> str:
        return self.name


class ActionStatus(models.Model):
    """A per-project status with its default progress, as in Decidim's Accountability; each
    status has one of five fixed stages, which the product's rules read (only agreed stages
    answer a theme; "not taken forward" needs a published reason; "done" ends reminders)."""

    class Stage(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        AGREED = "agreed", "Agreed"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        NOT_TAKEN_FORWARD = "not_taken_forward", "Not taken forward"

    # Stages whose actions the strategy has committed to: they answer their themes.
    COMMITTED = (Stage.AGREED, Stage.IN_PROGRESS, Stage.DONE)

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="action_statuses")
    name = models.CharField(max_length=60)
    stage = models.CharField(max_length=20, choices=Stage.choices)
    default_progress = models.PositiveSmallIntegerField(null=True, blank=True, validators=PROGRESS)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["project", "order", "pk"]
        verbose_name_plural = "action statuses"
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="action_status_name_per_project"),
            models.CheckConstraint(
                condition=Q(default_progress__isnull=True) | Q(default_progress__lte=100), name="action_status_progress_0_100"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_committed(self) -> bool:
        return self.stage in self.COMMITTED


# The list a new strategy starts with; the project may rename, add or reorder.
DEFAULT_STATUSES = [
    ("Proposed", ActionStatus.Stage.PROPOSED, 0),
    ("Agreed", ActionStatus.Stage.AGREED, 10),
    ("In progress", ActionStatus.Stage.IN_PROGRESS, 50),
    ("Done", ActionStatus.Stage.DONE, 100),
    ("Not taken forward", ActionStatus.Stage.NOT_TAKEN_FORWARD, None),
]


class ActionQuerySet(models.QuerySet):
    def current(self) -> "ActionQuerySet":
        """Actions not merged into another."""
        return self.filter(merged_into__isnull=True)

    def committed(self) -> "ActionQuerySet":
        """Actions the strategy has agreed to (agreed, in progress, done): they answer themes."""
        return self.current().filter(status__stage__in=ActionStatus.COMMITTED)


class Action(ParentChain, models.Model):
    """Something the strategy does, under one priority; sub-actions have a parent, at any depth."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="actions")
    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="actions")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Published: no names.")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="actions", verbose_name="owner"
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_actions"
    )
    starts_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    status = models.ForeignKey(ActionStatus, on_delete=models.PROTECT, related_name="actions")
    # Set by hand, or from the status's default; rolled up from sub-actions when they have it.
    progress = models.PositiveSmallIntegerField(null=True, blank=True, validators=PROGRESS)
    reason = models.TextField(blank=True, help_text="Why it was not taken forward. Published: no names.")
    early = models.BooleanField("acted on while the strategy was being developed", default=False)
    themes = models.ManyToManyField(Theme, blank=True, related_name="actions")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposed_actions"
    )
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged")
    created_at = models.DateTimeField(default=timezone.now)
    last_update_at = models.DateTimeField(null=True, blank=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["priority__order", "order", "pk"]
        indexes = [models.Index(fields=["project", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(progress__isnull=True) | Q(progress__lte=100), name="action_progress_0_100"),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(due_on__isnull=True) | Q(due_on__gte=models.F("starts_on")),
                name="action_due_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ActionUpdate(models.Model):
    """A dated entry on an action's timeline: what happened, and optionally a new status or
    progress. Published with the action, so its text is checked for personal information."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    on = models.DateField(default=timezone.localdate, help_text="The date the update is about.")
    text = models.TextField(help_text="Published: no names.")
    new_status = models.ForeignKey(ActionStatus, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    new_progress = models.PositiveSmallIntegerField(null=True, blank=True, validators=PROGRESS)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(new_progress__isnull=True) | Q(new_progress__lte=100), name="action_update_progress_0_100"
            )
        ]

    def __str__(self) -> str:
        return f"Update of {self.on:%-d %b %Y}"


class ActionComment(models.Model):
    """A member's comment on a proposed or agreed action: the co-production conversation. Never
    published."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Comment by {self.author}"


class PublishableTextDismissal(models.Model):
    """A possible piece of personal information in text meant for publication that its author
    kept, with the reason (audited). Keyed by what the text is (e.g. "coproduction.action",
    id, "description") and a keyed hash of the finding, never the finding itself."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    about_type = models.CharField(max_length=60)
    about_id = models.PositiveBigIntegerField()
    field = models.CharField(max_length=40)
    finding_type = models.CharField(max_length=30)
    text_hash = models.CharField(max_length=64)
    reason = models.CharField(max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["about_type", "about_id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["about_type", "about_id", "field", "finding_type", "text_hash"], name="one_dismissal_per_finding"
            )
        ]

    def __str__(self) -> str:
        return f"Kept {self.finding_type} in {self.about_type} {self.about_id}"


class Indicator(models.Model):
    """An outcome measure, e.g. reports of anti-social behaviour to the police."""

    class Unit(models.TextChoices):
        COUNT = "count", "Count"
        PERCENT = "percent", "Percent"
        RATE_PER_1000 = "rate_per_1000", "Rate per 1,000"

    class Better(models.TextChoices):
        LOWER = "lower", "Lower is better"
        HIGHER = "higher", "Higher is better"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=20, choices=Unit.choices, default=Unit.COUNT)
    source = models.CharField(max_length=200, help_text="Where the figures come from, e.g. police ASB reports.")
    better = models.CharField(max_length=10, choices=Better.choices, default=Better.LOWER)
    counts_people = models.BooleanField(
        default=False, help_text="A count of people: small numbers are suppressed when published."
    )
    priority = models.ForeignKey(Priority, null=True, blank=True, on_delete=models.SET_NULL, related_name="indicators")
    actions = models.ManyToManyField(Action, blank=True, related_name="indicators")
    baseline_start = models.DateField(null=True, blank=True)
    baseline_end = models.DateField(null=True, blank=True)
    baseline_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["project", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(baseline_start__isnull=True)
                | Q(baseline_end__isnull=True)
                | Q(baseline_end__gte=models.F("baseline_start")),
                name="indicator_baseline_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Measurement(models.Model):
    """One value of an indicator for a period, entered by hand or imported from CSV."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("-1e12"))])
    note = models.CharField(max_length=300, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["indicator", "period_start", "period_end"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period_start", "period_end"], name="one_measurement_per_period"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="measurement_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.period_start}–{self.period_end}"
