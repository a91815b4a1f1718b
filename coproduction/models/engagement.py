"""Community engagement: events, attendance counts, feedback counts, reach targets, the public
listing of sessions and requests for an individual session.

Attendance and feedback are counts, never names: nothing here identifies anyone who came. The
only personal data is a session request (a first name or nickname, a contact, a preferred
time), stored encrypted, seen by coordinators only and erased 30 days after it is closed.
"""

import secrets
from datetime import UTC, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from coproduction.fields import EncryptedCharField, EncryptedTextField
from coproduction.guides import GuideQuestion, VersionedGuide
from coproduction.models.attributes import AttributeDefinition
from coproduction.models.projects import Project
from coproduction.models.venues import Venue

MAX_EVENT_MINUTES = 8 * 60
# Attendance above this many times the capacity is a typing slip, not a full room.
CAPACITY_SLACK = 3
REQUEST_RETENTION = timedelta(days=30)


class DiscussionGuide(VersionedGuide):
    """The event discussion guide; each event keeps the version it was planned with."""

    label = "Discussion guide"
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="discussion_guides")

    class Meta(VersionedGuide.Meta):
        constraints = [models.UniqueConstraint(fields=["project", "version"], name="discussion_guide_version_per_project")]


class DiscussionQuestion(GuideQuestion):
    guide = models.ForeignKey(DiscussionGuide, on_delete=models.CASCADE, related_name="questions")


class EventQuerySet(models.QuerySet):
    def visible_to(self, user, project: Project) -> "EventQuerySet":
        """Coordinators see the project's events; peer researchers those they facilitate or take
        notes at. Nobody else sees an event page."""
        from coproduction.access import role_in

        role = role_in(user, project)
        mine = self.filter(project=project)
        if role == "coordinator":
            return mine
        if role == "peer_researcher":
            # A subquery, not a join: joining facilitators would repeat rows and double any sum
            # taken over the result (attendance totals).
            theirs = Event.objects.filter(Q(facilitators=user) | Q(note_taker=user)).values("pk")
            return mine.filter(pk__in=theirs)
        return self.none()

    def held(self) -> "EventQuerySet":
        return self.filter(status=Event.Status.HELD)

    def upcoming(self, now=None) -> "EventQuerySet":
        return self.filter(status=Event.Status.PLANNED, starts_at__gte=now or timezone.now())


class Event(models.Model):
    """A community conversation, a faith leaders' session, an individual session, ..."""

    class Kind(models.TextChoices):
        COMMUNITY_CONVERSATION = "community_conversation", "Community conversation"
        FAITH_LEADERS = "faith_leaders", "Faith or community leaders"
        INDIVIDUAL = "individual", "Individual session"
        DROP_IN = "drop_in", "Drop-in"
        ONLINE = "online", "Online"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    title = models.CharField(max_length=120, help_text="Shown on the public list of sessions: no names.")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=90)
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="events")
    facilitators = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="facilitated_events")
    note_taker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="noted_events"
    )
    cohorts = models.JSONField(default=list, help_text="The project's cohorts this event is for.")
    discussion_guide = models.ForeignKey(DiscussionGuide, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    capacity = models.PositiveSmallIntegerField(null=True, blank=True)
    step_free = models.BooleanField("step-free access", default=False)
    interpreter = models.BooleanField("interpreter available", default=False)
    creche = models.BooleanField("crèche", default=False)
    accessibility_notes = models.CharField(max_length=300, blank=True)
    ground_rules_allow_quotes = models.BooleanField(
        "the ground rules let anonymous quotes be published",
        default=False,
        help_text="Said to the room at the start: what is said may be quoted, with no name.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # The notes before release, kept by the anonymisation gate (coproduction.notes), and the
    # Document they became; the Document itself is in the corpus.
    notes = models.OneToOneField(
        "coproduction.NotesDraft", null=True, blank=True, on_delete=models.SET_NULL, related_name="event"
    )
    document = models.OneToOneField(
        "coproduction.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="event"
    )
    notes_released_at = models.DateTimeField(null=True, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["project", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def audit_label(self) -> str:
        return f"{self.title}, {timezone.localtime(self.starts_at):%-d %b %Y}"

    @property
    def ends_at(self):
        # In UTC: adding to a local time would be wall-clock arithmetic, wrong across a clock change.
        return self.starts_at.astimezone(UTC) + timedelta(minutes=self.duration_minutes)

    @property
    def is_individual(self) -> bool:
        return self.kind == self.Kind.INDIVIDUAL

    @property
    def attendance_limit(self) -> int | None:
        return self.capacity * CAPACITY_SLACK if self.capacity else None

    def accessibility_list(self) -> list[str]:
        offered = [
            label
            for flag, label in [(self.step_free, "Step-free access"), (self.interpreter, "Interpreter"), (self.creche, "Crèche")]
            if flag
        ]
        if self.accessibility_notes:
            offered.append(self.accessibility_notes)
        return offered

    # ------------------------------------------------ for the anonymisation gate (coproduction/notes/)
    # What an event hands the gate; `coproduction.engagement.notes.EventNotes` passes them on.

    def notes_sections(self) -> list[tuple[str, str]]:
        """(key, heading) of the notes of this event, in discussion-guide order, then "free".
        The keys are the ones interview notes drafts use ("q<question id>", "free")."""
        questions = self.discussion_guide.questions.all() if self.discussion_guide_id else []
        return [*((f"q{q.pk}", q.text) for q in questions), ("free", "Anything else")]

    def room_cohorts(self) -> list[str]:
        """The cohorts of the people who came (from attendance), else those it was for."""
        came = [row.cohort for row in self.cohort_attendance.all() if row.count]
        return came or list(self.cohorts)

    def document_fields(self) -> dict:
        """What a released Document of these notes records: source "event", the month held,
        the cohort(s) of the room, no participant, and a title that names nobody (the kind and
        the month, not the event's own title, which a coordinator typed)."""
        from coproduction.models.corpus import Document

        month = timezone.localtime(self.starts_at, self.project.tzinfo).date().replace(day=1)
        return {
            "project": self.project,
            "source": Document.Source.EVENT,
            "participant": None,
            "title": f"{self.get_kind_display()}, {month:%B %Y}",
            "cohort": ", ".join(self.room_cohorts())[:60],
            "month": month,
        }

    def people_to_remind(self) -> list:
        """Facilitators and the note-taker, each once (a note-taker may also facilitate)."""
        people = {user.pk: user for user in self.facilitators.all()}
        if self.note_taker_id:
            people.setdefault(self.note_taker_id, self.note_taker)
        return list(people.values())


class CohortAttendance(models.Model):
    """How many people of one cohort came. A count only."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="cohort_attendance")
    cohort = models.CharField(max_length=60)
    count = models.PositiveIntegerField()

    class Meta:
        ordering = ["event", "cohort"]
        constraints = [models.UniqueConstraint(fields=["event", "cohort"], name="one_count_per_event_cohort")]

    def __str__(self) -> str:
        return f"{self.cohort}: {self.count}"


class AttributeAttendance(models.Model):
    """How many who came fall in one band of a coarse attribute the project defines (age band)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attribute_attendance")
    attribute = models.ForeignKey(AttributeDefinition, on_delete=models.CASCADE, related_name="+")
    choice = models.CharField(max_length=60)
    count = models.PositiveIntegerField()

    class Meta:
        ordering = ["event", "attribute", "choice"]
        constraints = [
            models.UniqueConstraint(fields=["event", "attribute", "choice"], name="one_count_per_event_attribute_choice")
        ]

    def __str__(self) -> str:
        return f"{self.choice}: {self.count}"


class EventFeedback(models.Model):
    """Feedback cards after a session, as counts entered by the facilitator."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="feedback")
    listened_yes = models.PositiveIntegerField(default=0)
    listened_partly = models.PositiveIntegerField(default=0)
    listened_no = models.PositiveIntegerField(default=0)
    again_yes = models.PositiveIntegerField(default=0)
    again_maybe = models.PositiveIntegerField(default=0)
    again_no = models.PositiveIntegerField(default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Feedback on event {self.event_id}"

    @property
    def listened_total(self) -> int:
        return self.listened_yes + self.listened_partly + self.listened_no

    @property
    def again_total(self) -> int:
        return self.again_yes + self.again_maybe + self.again_no

    @property
    def listened_share(self) -> float | None:
        """The trust measure: the share who felt listened to ("yes"), of those who answered."""
        return self.listened_yes / self.listened_total if self.listened_total else None


class ReachTarget(models.Model):
    """How many people of a cohort the project means to hear from, e.g. Resident: 50."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reach_targets")
    cohort = models.CharField(max_length=60)
    target = models.PositiveIntegerField()

    class Meta:
        ordering = ["project", "cohort"]
        constraints = [models.UniqueConstraint(fields=["project", "cohort"], name="one_target_per_cohort")]

    def __str__(self) -> str:
        return f"{self.cohort}: {self.target}"


def new_listing_token() -> str:
    return secrets.token_urlsafe(18)


class PublicListing(models.Model):
    """The project's public page of upcoming sessions, at an opaque address (not the slug, which
    names the project and its subject)."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="public_listing")
    token = models.CharField(max_length=40, unique=True, default=new_listing_token)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Public listing of {self.project}"


class IndividualSessionRequestQuerySet(models.QuerySet):
    def erasable(self, now=None) -> "IndividualSessionRequestQuerySet":
        now = now or timezone.now()
        return self.filter(
            status=IndividualSessionRequest.Status.CLOSED, closed_at__lte=now - REQUEST_RETENTION, erased_at__isnull=True
        )


class IndividualSessionRequest(models.Model):
    """Someone asked for an individual session from the public page ("I can't come to a group").

    Identifying class: encrypted, coordinators only, erased REQUEST_RETENTION after it is closed
    (the row stays, empty, so the count of requests survives).
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="individual_session_requests")
    name = EncryptedCharField(max_length=60, blank=True, null=True)
    contact = EncryptedCharField(max_length=254, blank=True, null=True)
    contact_is_phone = models.BooleanField(default=False)
    preferred_time = EncryptedTextField(blank=True, null=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    erased_at = models.DateTimeField(null=True, blank=True)

    objects = IndividualSessionRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Individual session request {self.pk}"

    def erase(self, now=None) -> None:
        self.name = self.contact = self.preferred_time = None
        self.erased_at = now or timezone.now()
        self.save(update_fields=["name", "contact", "preferred_time", "erased_at"])


class RequestAttempt(models.Model):
    """One use of a public request form, for the per-address rate limit. The address is kept only
    as a keyed hash, and only for a day (the sweeper deletes older rows). In the database, not
    the cache: the limit must hold when Redis is down."""

    address_hash = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["address_hash", "at"])]

    def __str__(self) -> str:
        return f"Request attempt {self.pk}"
