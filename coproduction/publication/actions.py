"""Publishing workflows: what blocks a publication, publishing a version, unpublishing one.

Publishing is refused until every rule holds (the preview lists what blocks it): each text that
will be published (introduction, what happens next, the case study's sections, each theme's
summary, each shown action's description, reason and updates) is free of personal information
or has each finding kept with a reason; at least one theme or action is chosen; each chosen
theme has a summary. Suppression, consent and the quote re-scan are applied by construction
(`snapshot.build`).
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone

from coproduction.audit import record
from coproduction.models import Project, Publication, PublishedVersion, User
from coproduction.publication import snapshot
from coproduction.publication.notices import schedule_follow_up_notices
from coproduction.publishable import PublishableFinding, PublishableText, ScanUnavailable, dismiss, unresolved
from coproduction.strategy import actions as strategy_actions

PUBLICATION_TEXTS = [
    ("introduction", "the introduction"),
    ("next_steps", "what happens next"),
    ("context", "the case study's context"),
    ("lessons", "the case study's lessons learnt"),
]


class PublishRefused(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class Blockers:
    problems: list[str]
    findings: list[PublishableFinding]

    def __bool__(self) -> bool:
        return bool(self.problems or self.findings)

    def all(self) -> list[str]:
        return [*self.problems, *(f"{f.label} in {f.source.label}" for f in self.findings)]


def publication_for(project: Project) -> Publication:
    publication, _ = Publication.objects.get_or_create(project=project)
    return publication


def publishable_texts(publication: Publication) -> list[PublishableText]:
    """Every text that would be published: the publication's own, each chosen theme's summary,
    and each shown action's description, reason and updates (`strategy.actions`)."""
    texts = [PublishableText(publication, field, label, getattr(publication, field)) for field, label in PUBLICATION_TEXTS]
    for item in snapshot.published_themes(publication):
        texts.append(PublishableText(item, "summary", f"the summary of {item.theme.name}", item.summary))
    actions = snapshot.published_actions(publication).prefetch_related("updates")
    for action in actions:
        texts += [
            PublishableText(text.about, text.field, f"{action.title}: {text.label.lower()}", text.text)
            for text in strategy_actions.publishable_texts(action)
        ]
    return texts


def blockers(publication: Publication) -> Blockers:
    problems = []
    themes = list(snapshot.published_themes(publication))
    if not themes and not snapshot.published_actions(publication).exists():
        problems.append("Choose at least one theme or action to publish.")
    problems += [f"Write a summary for {item.theme.name}." for item in themes if not item.summary.strip()]
    try:
        findings = unresolved(publication.project, publishable_texts(publication))
    except ScanUnavailable as unavailable:
        problems.append(unavailable.message)
        findings = []
    return Blockers(problems, findings)


def keep_finding(publication: Publication, *, finding_id: str, reason: str, by: User):
    """Keep one finding of the text that would be published, with a reason (audited)."""
    return dismiss(publication.project, publishable_texts(publication), finding_id=finding_id, reason=reason, by=by)


def render_pages(data: dict, *, version: int | None, published_at) -> tuple[str, str]:
    context = {"data": data, "version": version, "published_at": published_at}
    return (
        render_to_string("publication/includes/_public_body.html", context),
        render_to_string("publication/includes/_case_study_body.html", context),
    )


def generated_text(data: dict) -> str:
    """The words a reader reads (for the reading age), without headings of numbers."""
    parts = [data["introduction"], data["next_steps"]]
    for theme in data["said"]:
        parts += [theme["summary"], *theme["quotes"]]
    for priority in data["did"]:
        stack = list(priority["actions"])
        while stack:
            action = stack.pop()
            parts += [action["title"] + ".", action["description"], action["reason"]]
            if action["latest_update"]:
                parts.append(action["latest_update"]["text"])
            stack += action["children"]
    return "\n".join(part for part in parts if part)


def reading_age(data: dict) -> float | None:
    """The reading age of the generated text: textstat's Flesch-Kincaid grade plus 5 (UK school
    years start at 5); None when there is too little text to measure."""
    import textstat  # with pkg_resources and pyphen's dictionaries: loaded when a text is measured

    text = generated_text(data)
    if textstat.lexicon_count(text) < 30:
        return None
    return round(textstat.flesch_kincaid_grade(text) + 5, 1)


def _walk(actions: list[dict]):
    for action in actions:
        yield action
        yield from _walk(action["children"])


def changes_since(previous: dict | None, current: dict) -> list[str]:
    """What changed since the last version, in words: actions that are new or moved status or
    progress, new measurements, new themes."""
    if previous is None:
        return ["First version."]
    before = {a["id"]: a for p in previous.get("did", []) for a in _walk(p["actions"])}
    changes = []
    for priority in current["did"]:
        for action in _walk(priority["actions"]):
            old = before.get(action["id"])
            if old is None:
                changes.append(f"New action: {action['title']} ({action['status'].lower()}).")
            elif old["status"] != action["status"]:
                changes.append(f"{action['title']}: {old['status'].lower()} → {action['status'].lower()}.")
            elif old.get("progress") != action.get("progress") and action.get("progress") is not None:
                changes.append(f"{action['title']}: progress now {action['progress']}%.")
    old_themes = {t["id"] for t in previous.get("said", [])}
    changes += [f"New theme: {t['name']}." for t in current["said"] if t["id"] not in old_themes]
    old_measures = {(i["id"], m["period"]) for i in previous.get("indicators", []) for m in i.get("measurements", [])}
    for indicator in current.get("indicators", []):
        for measurement in indicator.get("measurements", []):
            if (indicator["id"], measurement["period"]) not in old_measures:
                changes.append(f"New figure for {indicator['name']}: {measurement['period']}.")
    return changes or ["No change to actions or figures; text updated."]


@transaction.atomic
def publish(publication: Publication, *, by: User) -> PublishedVersion:
    """Steps: lock the publication; refuse while anything blocks it; build the snapshot and
    render the pages from it; compare with the last version; store the version (immutable);
    audit; schedule one follow-up notice per person who asked for updates."""
    publication = Publication.objects.select_for_update().select_related("project").get(pk=publication.pk)
    blocking = blockers(publication)
    if blocking:
        raise PublishRefused(blocking.all())
    try:
        data = snapshot.build(publication)
    except ScanUnavailable as unavailable:
        raise PublishRefused([unavailable.message]) from None
    number = (publication.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    last = publication.versions.order_by("-number").first()
    now = timezone.now()
    page_html, case_study_html = render_pages(data, version=number, published_at=now)
    version = PublishedVersion.objects.create(
        publication=publication,
        number=number,
        published_at=now,
        published_by=by,
        snapshot=data,
        page_html=page_html,
        case_study_html=case_study_html,
        changes=changes_since(last.snapshot if last else None, data),
        reading_age=reading_age(data),
    )
    record(by, "publication.published", version, project=publication.project)
    schedule_follow_up_notices(version)
    return version


@transaction.atomic
def unpublish(version: PublishedVersion, *, by: User) -> PublishedVersion:
    version = PublishedVersion.objects.select_for_update().select_related("publication__project").get(pk=version.pk)
    if version.unpublished_at is not None:
        raise PublishRefused(["This version is already unpublished."])
    version.unpublished_at = timezone.now()
    version.unpublished_by = by
    version.save(update_fields=["unpublished_at", "unpublished_by"])
    record(by, "publication.unpublished", version, project=version.publication.project)
    return version
