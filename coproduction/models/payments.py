"""Paying peer researchers: the project's rate card and monthly limit, each person's choice of
how to be paid, and monthly claims made of activities.

- Money is `Decimal` in pounds: an activity's amount is rounded half up to the penny once, and a
  claim's total is the sum of those pennies (`coproduction.payments.pricing`).
- A rate applies from its start date until the next rate of the same kind starts, so a rate
  change in the middle of a month splits that month's activities by their date.
- A submitted claim carries the rate and amount of each activity, frozen; an approved claim is
  locked: `save()` and `delete()` refuse any change to it or its activities.
- What leaves for a finance team is per person and month only: hours, amount, payment method.
  The kind of an activity never does (a training or meeting could say too much). Support
  sessions are never activities here: wellbeing registers training completions only.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from coproduction.models.projects import Project, Role


class ActivityKind(models.TextChoices):
    INTERVIEW = "interview", "Interview held"
    EVENT = "event", "Event facilitated"
    TRAINING = "training", "Training attended"
    TEAM_MEETING = "team_meeting", "Team meeting"
    PREPARATION = "preparation", "Preparation time"


class PaymentMethod(models.TextChoices):
    MONEY = "money", "Money"
    VOUCHERS = "vouchers", "Vouchers"
    NONE = "none", "Not paid"


class ClaimLocked(Exception):
    """An approved claim, or an activity of one, was about to change."""


class RateQuerySet(models.QuerySet):
    def applying(self, kind: str, on: date) -> "Rate | None":
        """The rate of this kind that applies on this day: the latest to start on or before it."""
        return self.filter(kind=kind, starts_on__lte=on).order_by("-starts_on").first()


class Rate(models.Model):
    """One line of the rate card: e.g. interviews held, £20.00 per hour, from 1 April 2026."""

    class Unit(models.TextChoices):
        HOUR = "hour", "per hour"
        ACTIVITY = "activity", "per activity"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="payment_rates")
    kind = models.CharField(max_length=20, choices=ActivityKind.choices)
    unit = models.CharField(max_length=10, choices=Unit.choices)
    amount = models.DecimalField(max_digits=7, decimal_places=2)
    starts_on = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = RateQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "-starts_on"]
        constraints = [models.UniqueConstraint(fields=["project", "kind", "starts_on"], name="one_rate_per_kind_and_start")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: £{self.amount} {self.get_unit_display()} from {self.starts_on:%Y-%m-%d}"


class PaymentPolicy(models.Model):
    """The project's limit on what one person is paid in a month (some people on benefits must
    not earn above one). Empty: no limit."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="payment_policy")
    monthly_limit = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name_plural = "payment policies"

    def __str__(self) -> str:
        return f"Payment policy of {self.project}"

    @classmethod
    def current(cls, project: Project) -> "PaymentPolicy":
        """The project's policy, or the unsaved default (no limit): pages that read it write nothing."""
        return cls.objects.filter(project=project).first() or cls(project=project)


class PaymentChoice(models.Model):
    """How a peer researcher chooses to be paid in a project: money, vouchers or not at all."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="payment_choices")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="payment_choices")
    method = models.CharField(max_length=10, choices=PaymentMethod.choices)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "person"], name="one_payment_choice_per_person")]

    def __str__(self) -> str:
        return f"Payment choice {self.pk}"


class ClaimQuerySet(models.QuerySet):
    def visible_to(self, user, project: Project) -> "ClaimQuerySet":
        """Peer researchers: their own claims. Coordinators: every claim once it has been submitted
        (a draft is the person's own until then). Analysts and supervisors: none."""
        from coproduction.access import role_in

        role = role_in(user, project)
        mine = self.filter(project=project)
        if role == Role.PEER_RESEARCHER:
            return mine.filter(person=user)
        if role == Role.COORDINATOR:
            return mine.exclude(status=Claim.Status.DRAFT)
        return self.none()

    def waiting(self) -> "ClaimQuerySet":
        return self.filter(status=Claim.Status.SUBMITTED)

    def approved(self) -> "ClaimQuerySet":
        return self.filter(status=Claim.Status.APPROVED)


class Claim(models.Model):
    """One person's claim for one month (`month` is its first day)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Not submitted"
        SUBMITTED = "submitted", "Waiting for approval"
        RETURNED = "returned", "Returned"
        APPROVED = "approved", "Approved"

    EDITABLE = (Status.DRAFT, Status.RETURNED)

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="claims")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claims")
    month = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Frozen when submitted (and cleared when returned): what the coordinator approves.
    method = models.CharField(max_length=10, choices=PaymentMethod.choices, blank=True)
    hours = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    over_limit = models.BooleanField(default=False, help_text="Submitted over the monthly limit, after the warning.")
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    return_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "person__display_name"]
        constraints = [models.UniqueConstraint(fields=["project", "person", "month"], name="one_claim_per_person_and_month")]

    def __str__(self) -> str:
        return f"Claim {self.pk}"

    def save(self, *args, **kwargs):
        if self._stored_status() == self.Status.APPROVED:
            raise ClaimLocked("An approved claim cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_status() == self.Status.APPROVED:
            raise ClaimLocked("An approved claim cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def editable(self) -> bool:
        return self.status in self.EDITABLE

    def _stored_status(self) -> str | None:
        return Claim.objects.filter(pk=self.pk).values_list("status", flat=True).first() if self.pk else None


class Activity(models.Model):
    """Something a peer researcher did that the claim pays for.

    Rows brought in from what happened (an interview completed, an event held, a training
    completion) carry their `source` ("interview:12") and are never brought in twice; the person
    corrects their hours or leaves them out (`included`), and adds others by hand.
    """

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=20, choices=ActivityKind.choices)
    on = models.DateField()
    hours = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    source = models.CharField(max_length=40, blank=True)
    label = models.CharField(max_length=120, blank=True)
    included = models.BooleanField(default=True)
    # Frozen when the claim is submitted.
    rate_amount = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    rate_unit = models.CharField(max_length=10, choices=Rate.Unit.choices, blank=True)
    amount = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["on", "pk"]
        verbose_name_plural = "activities"
        constraints = [
            models.UniqueConstraint(fields=["claim", "source"], condition=~Q(source=""), name="one_activity_per_source"),
        ]

    def __str__(self) -> str:
        return f"Activity {self.pk}"

    def save(self, *args, **kwargs):
        if self._claim_locked():
            raise ClaimLocked("An approved claim's activities cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._claim_locked():
            raise ClaimLocked("An approved claim's activities cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def by_hand(self) -> bool:
        return not self.source

    def _claim_locked(self) -> bool:
        return Claim.objects.filter(pk=self.claim_id, status=Claim.Status.APPROVED).exists()
