"""A small published world: a strategy with a priority and actions, themes coded in released
Documents by participants who did or did not agree to published quotes."""

from coproduction.models import Excerpt, PublishedTheme
from coproduction.publication.actions import publication_for
from tests.analysis.factories import ThemeFactory, code, make_document
from tests.strategy.factories import make_action


def coded_theme(project, coder, name="Support services", texts=("The outreach van helps us.",), quotes_published=True):
    """A theme coded once in each of len(texts) Documents, each of a different participant; the
    excerpts are chosen for the report."""
    theme = ThemeFactory(project=project, name=name)
    for text in texts:
        document = make_document(project, text=text, quotes_published=quotes_published)
        code(document, 0, len(text), [theme], coder)
    Excerpt.objects.filter(document__project=project).update(chosen_for_report=True)
    return theme


def composed(project, coder, *, summary="People want outreach that comes to them.") -> tuple:
    publication = publication_for(project)
    theme = coded_theme(project, coder)
    PublishedTheme.objects.create(publication=publication, theme=theme, summary=summary)
    action = make_action(project, "Three outreach hubs", description="Hubs open three evenings a week.")
    return publication, theme, action
