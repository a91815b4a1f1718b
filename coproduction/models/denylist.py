from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from coproduction.fields import EncryptedCharField
from coproduction.models.projects import Project


class DenyListTermQuerySet(models.QuerySet):
    def scanner_terms(self, project: Project) -> list:
        """The project's terms in the shape `coproduction.pii.scan` takes."""
        from coproduction.pii import DenyTerm

        return [DenyTerm(term.term, term.kind) for term in self.filter(project=project)]


class DenyListTerm(models.Model):
    """A name, nickname or place that must never reach the corpus; kept by coordinators.

    The term itself is identifying, so it is encrypted like contact details; uniqueness is
    therefore checked in the form, not by a database constraint.
    """

    class Kind(models.TextChoices):
        NAME = "name", "Name"
        NICKNAME = "nickname", "Nickname"
        PLACE = "place", "Place"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="deny_list")
    term = EncryptedCharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NAME)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    objects = DenyListTermQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "added_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on the deny-list"


class AllowListTermQuerySet(models.QuerySet):
    def scanner_terms(self, project: Project) -> list:
        """The project's allow-list in the shape `coproduction.pii.scan` takes."""
        from coproduction.pii import AllowTerm

        return [AllowTerm(term.term, term.kind) for term in self.filter(project=project)]


class AllowListTerm(models.Model):
    """A public place, organisation or helpline of the area: not personal data, so the scanner
    does not ask about it. It hides only possible names and numbers inside its own words, never
    a deny-list entry, an address or a postcode."""

    class Kind(models.TextChoices):
        PLACE = "place", "Public place"
        ORGANISATION = "organisation", "Organisation or service"
        HELPLINE = "helpline", "Public helpline number"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="allow_list")
    term = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PLACE)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    objects = AllowListTermQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "term"]
        constraints = [
            models.UniqueConstraint(Lower("term"), "project", name="allow_list_term_unique_per_project"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on the allow-list"
