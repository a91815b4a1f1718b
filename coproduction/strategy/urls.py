"""The strategy and its action plan: priorities, actions and sub-actions linked to the themes
that justify them, a timeline of updates, outcome indicators, and the themes nothing answers yet.

Reads analysis (themes, counts, quotes); never reads interviews or wellbeing.
"""

from coproduction.strategy.evidence_urls import urlpatterns as evidence_urlpatterns

app_name = "strategy"

urlpatterns: list = [*evidence_urlpatterns]
