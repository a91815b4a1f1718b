"""Completed interviews as activities on their interviewer's claim (registered with
`coproduction.payments.sources`). Only the day and length leave here: no participant."""

from collections.abc import Iterable

from django.utils import timezone

from coproduction.models import ActivityKind
from coproduction.payments.sources import DoneActivity, hours_of, local_span
from interviews.models import Interview


def completed_interviews(project, person, first, last) -> Iterable[DoneActivity]:
    start, end = local_span(project, first, last)
    interviews = Interview.objects.filter(
        project=project, interviewer=person, status=Interview.Status.COMPLETED, starts_at__gte=start, starts_at__lt=end
    ).only("pk", "starts_at", "duration_minutes")
    for interview in interviews:
        yield DoneActivity(
            source=f"interview:{interview.pk}",
            kind=ActivityKind.INTERVIEW,
            on=timezone.localtime(interview.starts_at, project.tzinfo).date(),
            hours=hours_of(interview.duration_minutes),
            label="Interview",
        )
