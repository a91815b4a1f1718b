"""What the support policy offers, in words, for published outputs (registered with
`coproduction.support_offer`). Reads the policy and which kinds of provider exist; never any
session, check-in, booking or attendance."""

from coproduction.models import Project
from wellbeing.models import Provider, SupportPolicy, TrainingModule


def support_offered(project: Project) -> list[str]:
    policy = SupportPolicy.current(project)
    kinds = set(Provider.objects.filter(active=True).values_list("kind", flat=True))
    lines = [f"Reflective supervision, one to one and in a group, at least every {policy.supervision_every_days} days"]
    if Provider.Kind.PSYCHOTHERAPIST in kinds:
        lines.append("Access to an independent psychotherapist")
    lines.append("A short check-in after each interview, and a debrief when wanted")
    return lines


def training_offered(project: Project) -> list[str]:
    policy = SupportPolicy.objects.filter(project=project).first()
    modules = policy.required_modules.all() if policy is not None else TrainingModule.objects.none()
    return [module.name for module in (modules if modules else TrainingModule.objects.all())]
