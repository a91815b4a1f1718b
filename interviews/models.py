from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from coproduction.models import Participant, Project


class Venue(models.Model):
    """Where interviews happen: a hub, the phone, online."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="venues")
    name = models.CharField(max_length=100)
    is_remote = models.BooleanField(default=False)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="venue_name_per_project")]

    def __str__(self) -> str:
        return self.name


class TopicGuide(models.Model):
    """A versioned, ordered list of questions; each interview records the version it used."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="topic_guides")
    version = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["project", "-version"]
        constraints = [models.UniqueConstraint(fields=["project", "version"], name="guide_version_per_project")]

    def __str__(self) -> str:
        return f"Topic guide v{self.version}"


class TopicQuestion(models.Model):
    guide = models.ForeignKey(TopicGuide, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=500)

    class Meta:
        ordering = ["guide", "order"]

    def __str__(self) -> str:
        return self.text


class InterviewQuerySet(models.QuerySet):
    def visible_to(self, user, project: Project) -> "InterviewQuerySet":
        """Coordinators see the project's interviews; peer researchers only their own."""
        from coproduction.access import role_in

        role = role_in(user, project)
        mine = self.filter(project=project)
        if role == "coordinator":
            return mine
        if role == "peer_researcher":
            return mine.filter(interviewer=user)
        return self.none()

    def active(self) -> "InterviewQuerySet":
        return self.exclude(status__in=[Interview.Status.CANCELLED, Interview.Status.NO_SHOW])


class Interview(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "Did not attend"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="interviews")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="interviews")
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="interviews")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="interviews")
    topic_guide = models.ForeignKey(TopicGuide, on_delete=models.PROTECT, related_name="interviews")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = InterviewQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["project", "starts_at"])]

    def __str__(self) -> str:
        return f"Interview {self.pk} with {self.participant.code}"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)
