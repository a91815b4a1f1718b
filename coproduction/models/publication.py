"""Publishing what was heard and done: the coordinator's composition of a project's public
pages ("we asked, you said, we did"), and each published version as an immutable snapshot.

A version stores what it showed, rendered (the public page and the case study as HTML) and as
data (what the next version compares with to say what changed), so a later edit of a theme, an
action or a count never changes a page that was published. The public address is an opaque id,
not the project's slug, so a link names no topic.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from coproduction.models.codebook import Theme
from coproduction.models.projects import Project
from coproduction.models.strategy import Action, Indicator

DEFAULT_TITLE = "What you told us and what we did"


def new_public_id() -> str:
    return secrets.token_urlsafe(12)


class Publication(models.Model):
    """What the project's public pages show; edited freely, published as versions."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="publication")
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    title = models.CharField(max_length=120, default=DEFAULT_TITLE)
    introduction = models.TextField(blank=True, help_text="Published: no names.")
    next_steps = models.TextField(
        "what happens next",
        blank=True,
        help_text="Next sessions, how to get support, how to contact the team. Published: no names.",
    )
    context = models.TextField(blank=True, help_text="The case study's Context section. Published: no names.")
    lessons = models.TextField(blank=True, help_text="The case study's Lessons learnt, beside the quotes. Published: no names.")
    # Which actions: by default every agreed one (agreed, in progress, done); or those chosen.
    all_agreed_actions = models.BooleanField("every agreed action", default=True)
    actions = models.ManyToManyField(Action, blank=True, related_name="+")
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.title

    def live_version(self) -> "PublishedVersion | None":
        return self.versions.filter(unpublished_at__isnull=True).order_by("-number").first()


class PublishedTheme(models.Model):
    """A theme chosen for the public pages, with the plain-English summary an analyst wrote."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="themes")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="+")
    summary = models.TextField(blank=True, help_text="Published: no names.")
    order = models.PositiveSmallIntegerField(default=0)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["publication", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["publication", "theme"], name="theme_once_per_publication")]

    def __str__(self) -> str:
        return f"{self.theme} in {self.publication}"


class VersionImmutable(Exception):
    pass


class PublishedVersion(models.Model):
    """One published version: what it showed, frozen. Only its unpublishing is ever recorded
    after it is made."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The data the page was rendered from (already suppressed, filtered and scanned), kept so
    # the next version can say what changed; and the rendered pages themselves.
    snapshot = models.JSONField(default=dict)
    page_html = models.TextField()
    case_study_html = models.TextField()
    changes = models.JSONField(default=list, help_text="What changed since the last version, in words.")
    reading_age = models.FloatField(null=True, blank=True)
    unpublished_at = models.DateTimeField(null=True, blank=True)
    unpublished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["publication", "-number"]
        constraints = [models.UniqueConstraint(fields=["publication", "number"], name="version_number_per_publication")]

    def __str__(self) -> str:
        return f"Version {self.number}"

    def save(self, *args, **kwargs):
        """A version is written once; afterwards only `unpublished_at`/`unpublished_by` change."""
        if self.pk is not None:
            fields = kwargs.get("update_fields")
            if fields is None or set(fields) - {"unpublished_at", "unpublished_by"}:
                raise VersionImmutable("A published version cannot be changed; publish a new one.")
        super().save(*args, **kwargs)

    @property
    def is_live(self) -> bool:
        return self.unpublished_at is None
