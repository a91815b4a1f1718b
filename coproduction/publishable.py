"""Text meant for publication (an action's description, a reason, an update; later a summary or
an introduction) is checked with the PII scanner before it may be published.

Unlike the notes gate, nothing here blocks saving: the text is scanned whenever it is shown to
the people who publish it and when it is published. Each finding is either edited away (the
author changes the text) or kept with a reason (`dismiss`, audited, stored as a
`PublishableTextDismissal` keyed by a keyed hash of the finding, never the finding itself).
What is left is `unresolved`, and publication is refused while anything is.

A detector that fails raises `ScanUnavailable`: the text was not fully checked, so it counts as
not publishable (fail closed), exactly as the gate refuses to submit or release.
"""

import hashlib
import hmac
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q

from coproduction.audit import record
from coproduction.models import AllowListTerm, DenyListTerm, Project, PublishableTextDismissal, User
from coproduction.pii import LABELS, Finding, ScanFailed, scan

logger = logging.getLogger(__name__)
MAX_REASON = PublishableTextDismissal._meta.get_field("reason").max_length


class ScanUnavailable(Exception):
    message = (
        "The check for personal information could not run, so this text cannot be published now. "
        "Nothing was lost. Try again in a few minutes; if it keeps happening, tell your coordinator."
    )


class DismissRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def finding_hash(scope: str, field: str, finding_type: str, text: str) -> str:
    """A keyed hash of one finding in one piece of text, so a log of what was kept cannot be
    used to guess what it was. The notes gate's resolutions use it too (scope: the draft)."""
    message = f"{scope}:{field}:{finding_type}:{text.casefold()}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def scanner_terms(project: Project) -> tuple[list, list]:
    """The project's deny-list and allow-list, in the shape `coproduction.pii.scan` takes."""
    return DenyListTerm.objects.scanner_terms(project), AllowListTerm.objects.scanner_terms(project)


def scan_or_refuse(text: str, terms: tuple[list, list], *, about: str) -> list[Finding]:
    """Scan `text`; a detector that fails is logged by detector and `about` (a type and id, never
    text) and refuses with `ScanUnavailable`."""
    try:
        return scan(text, *terms)
    except ScanFailed as failure:
        logger.error("PII scan failed: detector=%s %s", failure.detector, about)
        raise ScanUnavailable() from None


@dataclass(frozen=True)
class PublishableText:
    """One field of one object that will be published, e.g. (action 12, "description")."""

    about: models.Model
    field: str
    label: str  # for the person resolving it, e.g. "Description" or "Update of 3 Mar 2026"
    text: str

    @property
    def about_type(self) -> str:
        return self.about._meta.label_lower

    @property
    def scope(self) -> str:
        return f"{self.about_type}:{self.about.pk}"


@dataclass(frozen=True)
class PublishableFinding:
    source: PublishableText
    finding: Finding
    dismissal: PublishableTextDismissal | None = None

    @property
    def id(self) -> str:
        """Names the finding in a form: which object, which field, where in the text."""
        return f"{self.source.scope}:{self.source.field}:{self.finding.start}:{self.finding.end}"

    @property
    def label(self) -> str:
        return LABELS[self.finding.type]

    @property
    def hash(self) -> str:
        return finding_hash(self.source.scope, self.source.field, self.finding.type, self.finding.text)


def scanned(project: Project, texts: Iterable[PublishableText]) -> list[PublishableFinding]:
    """Every finding in `texts`, each with the dismissal that kept it, if any (one query for the
    dismissals of all of them)."""
    texts = [text for text in texts if text.text.strip()]
    if not texts:
        return []
    terms = scanner_terms(project)
    abouts = Q()
    for text in texts:
        abouts |= Q(about_type=text.about_type, about_id=text.about.pk)
    kept = {
        (d.about_type, d.about_id, d.field, d.finding_type, d.text_hash): d
        for d in PublishableTextDismissal.objects.filter(abouts, project=project).select_related("by")
    }
    found = []
    for text in texts:
        for finding in scan_or_refuse(text.text, terms, about=f"about={text.scope}"):
            item = PublishableFinding(text, finding)
            dismissal = kept.get((text.about_type, text.about.pk, text.field, finding.type, item.hash))
            found.append(PublishableFinding(text, finding, dismissal))
    return found


def unresolved(project: Project, texts: Iterable[PublishableText]) -> list[PublishableFinding]:
    """The findings in `texts` that nobody kept with a reason: each blocks publication."""
    return [item for item in scanned(project, texts) if item.dismissal is None]


def findings(project: Project, about: models.Model, field: str, text: str) -> list[PublishableFinding]:
    """The unresolved findings in one field of one object."""
    return unresolved(project, [PublishableText(about, field, field, text)])


@transaction.atomic
def dismiss(
    project: Project, texts: Iterable[PublishableText], *, finding_id: str, reason: str, by: User
) -> PublishableTextDismissal:
    """Keep one finding of `texts` with a reason (audited; the reason is published nowhere).

    The texts are scanned again first: a finding that is no longer there (the text was edited)
    cannot be kept, and the id must be one of `texts` (the caller passes only what the person may
    resolve)."""
    reason = reason.strip()
    if not reason:
        raise DismissRefused("Give a reason for keeping this text.")
    if len(reason) > MAX_REASON:
        raise DismissRefused(f"Keep the reason under {MAX_REASON} characters.")
    match = next((item for item in unresolved(project, texts) if item.id == finding_id), None)
    if match is None:
        raise DismissRefused("That possible piece of personal information is no longer in the text. The list is up to date.")
    try:
        with transaction.atomic():
            dismissal = PublishableTextDismissal.objects.create(
                project=project,
                about_type=match.source.about_type,
                about_id=match.source.about.pk,
                field=match.source.field,
                finding_type=match.finding.type,
                text_hash=match.hash,
                reason=reason,
                by=by,
            )
    except IntegrityError:  # the same words twice in one field: one dismissal keeps both
        raise DismissRefused("That text is already kept.") from None
    record(by, "publishable.finding_kept", match.source.about, project=project)
    return dismissal
