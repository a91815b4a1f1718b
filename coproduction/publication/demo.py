"""The demo's public pages for `manage.py seed_demo`: four themes with analysts' summaries, the
agreed actions and every indicator, published as version 1 through the same rules as any
publication (suppression, consent, the PII checks). Everything is invented."""

from django.db.models import Q

from coproduction.models import Excerpt, Indicator, PublishedTheme, Theme
from coproduction.publication import actions

INTRODUCTION = (
    "Between 2024 and 2026 the council asked sex workers, residents and faith leaders what would make the area "
    "safer and fairer for everyone. Peer researchers with lived experience held the interviews. This page says what "
    "people told us, and what has been done about it so far."
)
NEXT_STEPS = (
    "There will be another community conversation in the spring. If you need support now, the outreach service "
    "runs a drop-in every weekday evening. You can ask for a session on your own through the sessions page, and "
    "you can contact the strategy team through the council's website."
)
CONTEXT = (
    "Residents had complained about street sex work for years, and sex workers reported being harassed and "
    "attacked. Earlier approaches had moved the problem from street to street. The council decided to write its "
    "strategy with the people it affects."
)
LESSONS = (
    "Paying peer researchers fairly and giving them supervision made the interviews possible. Acting early, while the "
    "strategy was still being written, built trust."
)
SUMMARIES = {
    "Street safety": (
        "Many people do not feel safe on the streets after dark. Sex workers told us about being followed and shouted at."
    ),
    "Lighting and infrastructure": "Dark paths and broken lamps came up again and again, from residents and sex workers alike.",
    "Support services": (
        "Outreach that comes to people works. People asked for one number to call and for services that work together."
    ),
    "Community engagement": "People want to be listened to from the start, and to see what happens next.",
}


def seed_publication(project, people) -> None:
    """Skipped if the project has published already."""
    publication = actions.publication_for(project)
    if publication.versions.exists():
        return
    publication.introduction, publication.next_steps = INTRODUCTION, NEXT_STEPS
    publication.context, publication.lessons = CONTEXT, LESSONS
    publication.save()
    publication.indicators.set(Indicator.objects.filter(project=project))
    for order, (name, summary) in enumerate(SUMMARIES.items()):
        theme = Theme.objects.filter(project=project, name=name).first()
        if theme is not None:
            PublishedTheme.objects.get_or_create(
                publication=publication,
                theme=theme,
                defaults={"summary": summary, "order": order, "written_by": people["analyst"]},
            )
    # The analyst marks what people said about taking part, for the case study's Lessons learnt.
    about_the_process = Q(codings__theme__name="Community engagement")
    Excerpt.objects.filter(about_the_process, document__project=project, coder=people["analyst"]).update(process_reflection=True)
    actions.publish(publication, by=people["coordinator"])
