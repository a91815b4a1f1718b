"""A small published world: a strategy with a priority and actions, themes coded in released
Documents by participants who did or did not agree to published quotes."""

from coproduction.models import Action, Excerpt, Participant, PublishedTheme
from coproduction.publication.actions import publication_for
from tests.analysis.factories import ThemeFactory, code, give_consent, make_document
from tests.strategy.factories import make_action


def coded_theme(project, coder, name="Support services", texts=("The outreach van helps us.",), quotes_published=True):
    """A theme coded once in each of len(texts) Documents, each of a different participant; the
    excerpts are chosen for the report."""
    theme = ThemeFactory(project=project, name=name)
    for text in texts:
        # Codes from next_code, as the product makes them: a factory's own sequence could
        # collide with codes made by other fixtures in the same project.
        participant = Participant.objects.create(
            project=project, code=Participant.next_code(project, "Sex worker"), cohort="Sex worker"
        )
        give_consent(participant, quotes_published=quotes_published)
        document = make_document(project, text=text, participant=participant)
        code(document, 0, len(text), [theme], coder)
    Excerpt.objects.filter(document__project=project).update(chosen_for_report=True)
    return theme


def composed(project, coder, *, summary="People want outreach that comes to them.") -> tuple:
    """A publication with one coded theme (summarised) and one agreed action; made once per
    project (later calls return the same)."""
    publication = publication_for(project)
    existing = publication.themes.select_related("theme").first()
    if existing is not None:
        return publication, existing.theme, Action.objects.filter(project=project, title="Three outreach hubs").first()
    theme = coded_theme(project, coder)
    PublishedTheme.objects.create(publication=publication, theme=theme, summary=summary)
    action = make_action(project, "Three outreach hubs", description="Hubs open three evenings a week.")
    return publication, theme, action
