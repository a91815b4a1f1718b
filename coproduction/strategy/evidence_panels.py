"""Dashboard panels and navigation for the evidence side of the strategy (the unanswered themes,
import and export), registered from `CoproductionConfig.ready()` through `register()`."""

from coproduction.strategy.evidence_views import READERS
from coproduction.strategy.unanswered import dashboard_summary


def unanswered_panel(request, project) -> dict:
    """How many themes nothing answers and the three with the most evidence (for coordinators
    and analysts; counts, names of themes, nothing about a person)."""
    return {**dashboard_summary(project), "coordinator": request.membership.role == "coordinator"}


def register() -> None:
    from coproduction import dashboard, navigation

    navigation.register("Unanswered themes", "strategy:unanswered", roles=READERS, order=48)
    dashboard.register_panel("strategy/includes/_panel_unanswered.html", roles=READERS, context=unanswered_panel, order=30)
