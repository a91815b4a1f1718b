"""Contact details kept for follow-up notices ("there is an update from a project you took part
in"), apart from the details kept for interview reminders.

`Participant.contact_email/phone` serve the reminders of one interview and are erased once it is
over; these serve the published versions that come months later. Identifying class: encrypted,
coordinators only, erased on the participant's withdrawal, when a new consent no longer allows
follow-up, when the person asks the team to stop, and on the project's `follow_up_ends_on` date,
never before the last notice to them has gone out. The row stays, empty, so a version's notices
still name the contact they were for (and are never sent twice).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from coproduction.fields import EncryptedCharField, EncryptedEmailField
from coproduction.models.participants import Participant
from coproduction.models.projects import Project


class FollowUpContactQuerySet(models.QuerySet):
    def live(self) -> "FollowUpContactQuerySet":
        return self.filter(erased_at__isnull=True)


class FollowUpContact(models.Model):
    """Where to send a published version's notice: an email address, a phone number or both."""

    class Source(models.TextChoices):
        PARTICIPANT = "participant", "Participant (consent allows follow-up)"
        SESSION_REQUEST = "session_request", "Asked on the request form"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="follow_up_contacts")
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.CASCADE, related_name="follow_up_contacts"
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    email = EncryptedEmailField(blank=True, null=True)
    phone = EncryptedCharField(max_length=32, blank=True, null=True)
    created_at = models.DateTimeField(default=timezone.now)
    erased_at = models.DateTimeField(null=True, blank=True)

    objects = FollowUpContactQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        constraints = [
            # A participant has one set of details for updates; recording again replaces it.
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(participant__isnull=False, erased_at__isnull=True),
                name="one_live_follow_up_contact_per_participant",
            ),
        ]

    def __str__(self) -> str:
        return f"Follow-up contact {self.pk}"

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    def erase(self, now=None) -> None:
        """Forget the details. Works on details no key opens: it never reads them."""
        self.email = None
        self.phone = None
        self.erased_at = now or timezone.now()
        self.save(update_fields=["email", "phone", "erased_at"])
