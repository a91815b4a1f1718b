"""What interviews add to "Who we have heard from" (coproduction.engagement.reach).

Each consenting participant counts once, in their cohort, in the month of their first interview
held. Withdrawn participants, and those whose consent to take part is not current, are not
counted: withdrawal takes a person out of every figure.
"""

from datetime import datetime

from django.db.models import Min

from coproduction.models import Consent, Project
from interviews.models import Interview


def interview_reach(project: Project) -> list[tuple[str, datetime, int]]:
    consenting = Consent.objects.filter(participant__project=project, take_part=True, withdrawn_at__isnull=True)
    held = Interview.objects.filter(
        project=project,
        status=Interview.Status.COMPLETED,
        participant__withdrawn_at__isnull=True,
        participant__in=consenting.values("participant"),
    )
    firsts = held.values("participant_id", "participant__cohort").annotate(first=Min("starts_at"))
    return [(row["participant__cohort"], row["first"], 1) for row in firsts]
