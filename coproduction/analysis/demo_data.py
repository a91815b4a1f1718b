"""Demo codebook and codings for `manage.py seed_demo`. Everything here is invented.

Works whether or not the interviews step has already released Documents: it adds a few
fictional ones only when the project has none, and codes whatever Documents there are by
finding the sentences that mention each theme's words.
"""

from datetime import date

from coproduction.analysis.agreement import sentence_spans
from coproduction.analysis.counts import recount
from coproduction.models import Coding, Consent, Document, Excerpt, InformationSheet, Participant, Theme

CODEBOOK = [
    ("Street safety", "Feeling safe, or not, on the street and at work.", "#d4351c", ["safe", "unsafe", "attack", "street"]),
    (
        "Lighting and infrastructure",
        "Street lighting, CCTV, paths, toilets, places to wait.",
        "#f47738",
        ["light", "dark", "lamp"],
    ),
    (
        "Support services",
        "Health, housing, drug and alcohol services, outreach.",
        "#00703c",
        ["service", "outreach", "clinic", "support"],
    ),
    (
        "Community engagement",
        "Being listened to, taking part, seeing action follow.",
        "#1d70b8",
        ["listen", "meeting", "involved", "heard"],
    ),
    ("Policing", "Contact with the police, reporting, trust.", "#4c2c92", ["police", "officer", "report"]),
]
CHILDREN = {
    "Street safety": [("Harassment", "Being shouted at, followed or threatened.", "#942514", ["shout", "follow", "harass"])],
    "Support services": [("Outreach hubs", "The drop-in hubs and the outreach van.", "#005a30", ["hub", "van", "drop-in"])],
}
DOCUMENTS = [
    (
        "Sex worker",
        "Interview",
        [
            ("Safety", "I do not feel safe on the street after ten. Last winter a man followed me and shouted at me."),
            ("Lighting", "The lamp by the underpass has been dark for months. Nobody fixes it."),
            ("Services", "The outreach van is the only service that treats us like people. The hub on Mill Lane helps too."),
            ("Police", "I would not report anything to the police. An officer once laughed at me."),
        ],
    ),
    (
        "Sex worker",
        "Interview",
        [
            ("Safety", "Working near the station at night is not safe. Men shout at us from cars."),
            ("Services", "The clinic on Tuesdays is good but the hours are short. I need support with housing."),
            ("Engagement", "This is the first time anyone listened to what we need."),
        ],
    ),
]


def _ensure_documents(project, people) -> None:
    if Document.objects.filter(project=project).exists():
        return
    releaser = people["coordinator"]
    sheet = InformationSheet.objects.filter(project=project).order_by("-version").first()
    if sheet is None:
        sheet = InformationSheet.objects.create(project=project, version=1, text="Fictional information sheet for the demo.")
    for index, (cohort, kind, sections) in enumerate(DOCUMENTS):
        participant = Participant.objects.create(project=project, code=Participant.next_code(project, cohort), cohort=cohort)
        Consent.objects.create(
            participant=participant,
            information_sheet=sheet,
            take_part=True,
            notes_kept=True,
            quotes_published=index != 1,  # one participant did not agree to published quotes
            follow_up=False,
            recorded_by=releaser,
        )
        text, spans = Document.compose(sections)
        Document.objects.create(
            project=project,
            participant=participant,
            title=f"{kind} {participant.code}",
            cohort=cohort,
            month=date(2026, 3 + index, 1),
            sections=spans,
            text=text,
            released_by=releaser,
        )


def _ensure_codebook(project) -> dict[str, tuple[Theme, list[str]]]:
    themes: dict[str, tuple[Theme, list[str]]] = {}

    def add(name, description, colour, words, parent, order):
        theme = Theme.objects.filter(project=project, name=name).first()
        if theme is None:
            theme = Theme.objects.create(
                project=project, name=name, description=description, colour=colour, parent=parent, order=order
            )
        themes[name] = (theme, words)
        return theme

    for order, (name, description, colour, words) in enumerate(CODEBOOK):
        parent = add(name, description, colour, words, None, order)
        for child_order, (child, child_description, child_colour, child_words) in enumerate(CHILDREN.get(name, [])):
            add(child, child_description, child_colour, child_words, parent, child_order)
    return themes


def seed_codebook(project, people) -> None:
    _ensure_documents(project, people)
    themes = _ensure_codebook(project)
    if Excerpt.objects.filter(document__project=project).exists():
        return
    code_documents(Document.objects.filter(project=project), themes, people)
    first = people["analyst"]
    for theme, _ in themes.values():
        first_excerpt = Excerpt.objects.filter(codings__theme=theme, coder=first).order_by("pk").first()
        if first_excerpt is not None:
            Excerpt.objects.filter(pk=first_excerpt.pk).update(chosen_for_report=True)


def code_demo_documents(project, documents, people) -> None:
    """Code Documents released after the codebook step (event notes) with the demo codebook."""
    code_documents(documents, _ensure_codebook(project), people)


def code_documents(documents, themes: dict[str, tuple[Theme, list[str]]], people) -> None:
    """Two coders code each sentence that mentions a theme's words; the second agrees mostly.
    The codings are written in bulk, so the counts are made once at the end."""
    first, second = people["analyst"], people.get("peer1", people["coordinator"])
    projects = {}
    for document in documents:
        projects[document.project_id] = document.project
        headings = {section.get("heading", "").lower() for section in document.sections or []}
        for number, (start, end) in enumerate(sentence_spans(document.text)):
            sentence = document.text[start:end].lower()
            if sentence in headings or len(sentence) < 15:
                continue
            matched = [theme for theme, words in themes.values() if any(word in sentence for word in words)]
            if not matched:
                continue
            excerpt = Excerpt.objects.create(document=document, start=start, end=end, coder=first)
            Coding.objects.bulk_create([Coding(excerpt=excerpt, theme=t, coder=first) for t in matched])
            # The second coder skips every fifth sentence and one theme now and then.
            if number % 5 == 4:
                continue
            second_themes = matched[:-1] if (number % 3 == 2 and len(matched) > 1) else matched
            excerpt = Excerpt.objects.create(document=document, start=start, end=end, coder=second)
            Coding.objects.bulk_create([Coding(excerpt=excerpt, theme=t, coder=second) for t in second_themes])
    for project in projects.values():
        recount(project)
