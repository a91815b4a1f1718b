"""The distress protocol's steps and the signposting directory, per project.

Both are what a peer researcher needs in the moment a participant becomes distressed: the
project's protocol as ordered steps (by default the common three-stage one) and the services to
signpost to. The directory holds public information only (a service's own published name,
number, hours and address): never a person, never who was referred.
"""

from datetime import date, timedelta

from django.db import models
from django.utils import timezone

from coproduction.models.projects import Project

# An entry not reviewed for this long may be out of date: a closed service, a changed number.
STALE_AFTER = timedelta(days=183)  # six months

DEFAULT_PROTOCOL = [
    (
        "Stop and check",
        "Stop asking questions. Say what you noticed, gently, and ask how they are. "
        "Give them time and do not hurry to fill the silence.",
    ),
    (
        "Pause or end",
        "Offer a break, to leave the topic, or to end the interview: their choice, no reason needed. "
        "Stop taking notes while you talk about it.",
    ),
    (
        "Signpost and follow up",
        "Offer the pocket card and the services on it. Ask whether they would like a follow-up call, and when suits them.",
    ),
]


class ProtocolStep(models.Model):
    """One step of a project's distress protocol, in the order the peer researcher follows."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="protocol_steps")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=80)
    guidance = models.TextField(max_length=1000, help_text="What to do at this step, in a sentence or two.")

    class Meta:
        ordering = ["project", "order", "pk"]

    def __str__(self) -> str:
        return self.title


class SupportServiceQuerySet(models.QuerySet):
    def stale(self, today: date | None = None) -> "SupportServiceQuerySet":
        """Entries last reviewed more than six months ago."""
        return self.reviewed_before(stale_before(today))

    def reviewed_before(self, day: date) -> "SupportServiceQuerySet":
        return self.filter(reviewed_on__lt=day)


def stale_before(today: date | None = None) -> date:
    """An entry last reviewed before this day is stale (six months before today)."""
    return (today or timezone.localdate()) - STALE_AFTER


class SupportService(models.Model):
    """A service in the project's signposting directory: public information only."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="support_services")
    name = models.CharField(max_length=120)
    helps_with = models.CharField("What they help with", max_length=200)
    phone = models.CharField(max_length=32, blank=True, help_text="Stored as +44…; shown as typed on the card.")
    opening_hours = models.CharField(max_length=120, blank=True)
    address = models.CharField(max_length=200, blank=True)
    languages = models.CharField(max_length=120, blank=True)
    walk_in = models.BooleanField("Walk-in (no appointment needed)", default=False)
    reviewed_on = models.DateField(default=timezone.localdate, help_text="When someone last checked the entry.")
    created_at = models.DateTimeField(default=timezone.now)

    objects = SupportServiceQuerySet.as_manager()

    class Meta:
        ordering = ["project", "name", "pk"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="support_service_name_per_project")]

    def __str__(self) -> str:
        return self.name

    def is_stale(self, today: date | None = None) -> bool:
        return self.reviewed_on < (today or timezone.localdate()) - STALE_AFTER

    @property
    def phone_display(self) -> str:
        from coproduction.signposting.phones import display

        return display(self.phone)
