from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from coproduction.fields import EncryptedCharField, EncryptedEmailField
from coproduction.models.projects import Project


def cohort_prefix(cohort: str) -> str:
    """'Sex worker' -> 'SW', 'Resident' -> 'R', 'Faith leader' -> 'FL'."""
    letters = "".join(word[0] for word in cohort.split() if word[:1].isalpha()).upper()
    return letters or "P"


class ParticipantQuerySet(models.QuerySet):
    def active(self) -> "ParticipantQuerySet":
        return self.filter(withdrawn_at__isnull=True)


class Participant(models.Model):
    """Someone who takes part, known only by a pseudonymous code (e.g. SW-007). No names, ever."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="participants")
    code = models.CharField(max_length=20)
    cohort = models.CharField(max_length=60)
    attributes = models.JSONField(default=dict, blank=True, help_text="Coarse attributes such as age band.")
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Identifying class: only for reminders the participant asked for; erased after the
    # interview or on withdrawal.
    contact_email = EncryptedEmailField(blank=True, null=True)
    contact_phone = EncryptedCharField(max_length=32, blank=True, null=True)
    wants_reminders = models.BooleanField(default=False)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="participant_code_per_project")]
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    def audit_label(self) -> str:
        return self.code

    @classmethod
    def next_code(cls, project: Project, cohort: str) -> str:
        prefix = cohort_prefix(cohort)
        with transaction.atomic():
            taken = cls.objects.select_for_update().filter(project=project, code__startswith=f"{prefix}-")
            numbers = [int(code.split("-")[-1]) for code in taken.values_list("code", flat=True) if code.split("-")[-1].isdigit()]
        return f"{prefix}-{(max(numbers, default=0) + 1):03d}"

    def erase_contact_details(self) -> None:
        self.contact_email = None
        self.contact_phone = None
        self.wants_reminders = False
        self.save(update_fields=["contact_email", "contact_phone", "wants_reminders"])

    @property
    def current_consent(self):
        return self.consents.filter(withdrawn_at__isnull=True).order_by("-given_at").first()


class InformationSheet(models.Model):
    """The information sheet participants consent against; versioned per project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="information_sheets")
    version = models.PositiveIntegerField()
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "version"], name="sheet_version_per_project")]
        ordering = ["project", "-version"]

    def __str__(self) -> str:
        return f"Information sheet v{self.version}"


class Consent(models.Model):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="consents")
    information_sheet = models.ForeignKey(InformationSheet, on_delete=models.PROTECT, related_name="+")
    take_part = models.BooleanField()
    notes_kept = models.BooleanField()
    quotes_published = models.BooleanField("anonymous quotes may be published")
    follow_up = models.BooleanField("may be contacted for follow-up")
    given_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return f"Consent of {self.participant} ({self.given_at:%Y-%m-%d})"

    @property
    def is_current(self) -> bool:
        return self.withdrawn_at is None and self.take_part
