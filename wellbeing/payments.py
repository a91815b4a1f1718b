"""Training completions as activities on the person's claim (registered with
`coproduction.payments.sources`).

Training completions only, recorded in this project: this module reads no support session,
booking, check-in or anything else about support, and says nothing of it. The hours are not
known here (a completion has a day, not a length); the person enters them.
"""

from collections.abc import Iterable

from coproduction.models import ActivityKind
from coproduction.payments.sources import DoneActivity
from wellbeing.models import TrainingCompletion


def training_completions(project, person, first, last) -> Iterable[DoneActivity]:
    completions = TrainingCompletion.objects.filter(
        project=project, user=person, completed_on__gte=first, completed_on__lte=last
    ).select_related("module")
    for completion in completions:
        yield DoneActivity(
            source=f"training:{completion.pk}",
            kind=ActivityKind.TRAINING,
            on=completion.completed_on,
            hours=None,
            label=completion.module.name,
        )
