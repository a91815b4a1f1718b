"""Workflows on the codebook and on coding. Each runs in one transaction: all or nothing."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coproduction.analysis.counts import recount
from coproduction.audit import record
from coproduction.models import Coding, CodingSession, Document, Excerpt, Memo, Project, Theme, User
from coproduction.prepared import PreparedQuery


class CodingRefused(ValidationError):
    """The coding could not be applied; the message says why in the coder's words."""


def create_theme(
    *,
    project: Project,
    name: str,
    by: User,
    description: str = "",
    colour: str = "#1d70b8",
    parent=None,
    proposed=False,
    order: int | None = None,
) -> Theme:
    status = Theme.Status.PROPOSED if proposed else Theme.Status.ACTIVE
    if not order:
        order = project.themes.filter(parent=parent).count()
    theme = Theme(
        project=project,
        name=name,
        description=description,
        colour=colour,
        parent=parent,
        order=order,
        status=status,
        proposed_by=by if proposed else None,
    )
    theme.full_clean()
    theme.save()
    record(by, "theme.proposed" if proposed else "theme.created", theme)
    return theme


@transaction.atomic
def update_theme(theme: Theme, *, by: User, **fields) -> Theme:
    """Rename, describe, recolour or move a theme. A move that would make a cycle is refused."""
    parent = fields.get("parent", theme.parent)
    if parent is not None and theme.would_cycle(parent):
        raise ValidationError({"parent": "A theme cannot sit inside itself or one of its own sub-themes."})
    for name, value in fields.items():
        setattr(theme, name, value)
    theme.full_clean()
    theme.save()
    record(by, "theme.changed", theme)
    return theme


@transaction.atomic
def merge_themes(source: Theme, target: Theme, *, by: User) -> Theme:
    """Move every coding, memo and sub-theme of `source` onto `target`; `source` keeps its GUID
    but is marked merged, so an exported history still makes sense."""
    if source.pk == target.pk or source.project_id != target.project_id:
        raise ValidationError("Choose a different theme of this project to merge into.")
    if target.would_cycle(source) or source.would_cycle(target):
        raise ValidationError("A theme cannot be merged into one of its own sub-themes.")
    already = set(Coding.objects.filter(theme=target).values_list("excerpt_id", flat=True))
    Coding.objects.filter(theme=source, excerpt_id__in=already).delete()
    Coding.objects.filter(theme=source).update(theme=target)
    Memo.objects.filter(theme=source).update(theme=target)
    Theme.objects.filter(parent=source).update(parent=target)
    source.status = Theme.Status.MERGED
    source.merged_into = target
    source.save(update_fields=["status", "merged_into"])
    recount(source.project, [source.pk, target.pk])
    record(by, "theme.merged", source)
    return target


def retire_theme(theme: Theme, *, by: User) -> Theme:
    theme.status = Theme.Status.RETIRED
    theme.save(update_fields=["status"])
    record(by, "theme.retired", theme)
    return theme


def restore_theme(theme: Theme, *, by: User) -> Theme:
    theme.status = Theme.Status.ACTIVE
    theme.save(update_fields=["status"])
    record(by, "theme.restored", theme)
    return theme


def accept_proposal(theme: Theme, *, by: User) -> Theme:
    theme.status = Theme.Status.ACTIVE
    theme.save(update_fields=["status"])
    record(by, "theme.accepted", theme)
    return theme


def decline_proposal(theme: Theme, *, by: User) -> Theme:
    with transaction.atomic():
        Coding.objects.filter(theme=theme).delete()
        theme.status = Theme.Status.DECLINED
        theme.save(update_fields=["status"])
        recount(theme.project, [theme.pk])
        record(by, "theme.declined", theme)
    return theme


@transaction.atomic
def code_excerpt(*, document: Document, start: int, end: int, themes: Iterable[Theme], coder: User) -> Excerpt:
    """Apply themes to the code points [start, end) of a document.

    Steps: check the span lies within the text and is not empty; check every theme belongs to
    the document's project and can be used; refuse a span that overlaps this coder's existing
    coding with the same theme (it would count those characters twice); save.
    """
    themes = list(themes)
    length = len(document.text)
    if not isinstance(start, int) or not isinstance(end, int) or start < 0 or end > length or start >= end:
        raise CodingRefused(f"The selection must lie within the text (0 to {length}) and not be empty.")
    if not document.text[start:end].strip():
        raise CodingRefused("The selection is only blank space. Select some words.")
    if not themes:
        raise CodingRefused("Choose at least one theme.")
    for theme in themes:
        if theme.project_id != document.project_id or theme.status not in {Theme.Status.ACTIVE, Theme.Status.PROPOSED}:
            raise CodingRefused(f"“{theme.name}” cannot be used for coding.")
    overlapping = Coding.objects.filter(
        excerpt__document=document, coder=coder, theme__in=themes, excerpt__start__lt=end, excerpt__end__gt=start
    ).select_related("theme")
    clash = overlapping.first()
    if clash is not None:
        raise CodingRefused(f"You have already coded part of this passage as “{clash.theme.name}”.")
    excerpt = Excerpt.objects.create(document=document, start=start, end=end, coder=coder)
    now = timezone.now()
    Coding.objects.bulk_create([Coding(excerpt=excerpt, theme=theme, coder=coder, created_at=now) for theme in themes])
    recount(document.project, [theme.pk for theme in themes])
    return excerpt


@transaction.atomic
def remove_excerpt(excerpt: Excerpt, *, by: User) -> None:
    if excerpt.coder_id != by.pk:
        raise CodingRefused("Only the person who coded a passage can remove it.")
    themes = list(excerpt.codings.values_list("theme_id", flat=True))
    project = excerpt.document.project
    excerpt.delete()
    recount(project, themes)


def add_memo(*, project: Project, author: User, text: str, theme: Theme | None = None, excerpt: Excerpt | None = None) -> Memo:
    if not text.strip():
        raise ValidationError({"text": "Write the memo."})
    return Memo.objects.create(project=project, author=author, text=text.strip(), theme=theme, excerpt=excerpt)


def start_blind_session(project: Project, coder: User) -> CodingSession:
    session, created = CodingSession.objects.get_or_create(project=project, coder=coder)
    if not created:
        session.blind = True
        session.finished_at = None
        session.save(update_fields=["blind", "finished_at"])
    return session


def finish_blind_session(project: Project, coder: User) -> CodingSession | None:
    session = CodingSession.objects.filter(project=project, coder=coder).first()
    if session is not None and session.finished_at is None:
        session.finished_at = timezone.now()
        session.save(update_fields=["finished_at"])
    return session


# Asked by every analysis page: compiled once (coproduction.prepared).
_blind_session = PreparedQuery(
    lambda project_id, coder_id: CodingSession.objects.filter(
        project=project_id, coder=coder_id, blind=True, finished_at__isnull=True
    ).values("pk")[:1]
)


def hides_others_codings(project: Project, coder: User) -> bool:
    return bool(_blind_session(project_id=project.pk, coder_id=coder.pk))
