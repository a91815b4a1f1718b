"""The unanswered-themes page: what people said that no committed action answers yet.

Coordinators and analysts only. The page shows counts by cohort, which the product keeps to
the analysis roles (the theme × cohort matrix is theirs too); peer researchers propose actions
from the codebook they already see. Supervisors see none of the strategy.
"""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from coproduction.access import project_view
from coproduction.strategy import unanswered as rules

READERS = {"coordinator", "analyst"}


@project_view(READERS)
@require_GET
def unanswered(request, project):
    page, themes = rules.unanswered_page(project, request.GET.get("page"))
    return render(request, "strategy/unanswered.html", {"project": project, "page": page, "themes": themes})
