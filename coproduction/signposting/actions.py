"""Workflows of the protocol's steps and the signposting directory. Each runs in one
transaction and audits what it did (ids only)."""

from django.db import transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone

from coproduction.audit import record
from coproduction.models import Project, ProtocolStep, SupportService, User
from coproduction.models.signposting import DEFAULT_PROTOCOL
from coproduction.ordering import move_one


class SignpostingRefused(Exception):
    """`problems`: {field or None: [plain-English reasons]}."""

    def __init__(self, problems: dict[str | None, list[str]] | str):
        self.problems = problems if isinstance(problems, dict) else {None: [problems]}
        self.messages = [message for messages in self.problems.values() for message in messages]
        super().__init__("; ".join(self.messages))


# ---------------------------------------------------------------- the protocol's steps


def ensure_protocol(project: Project) -> list[ProtocolStep]:
    """The project's steps; the default three-stage protocol when it has none yet."""
    steps = list(project.protocol_steps.all())
    if steps:
        return steps
    return ProtocolStep.objects.bulk_create(
        ProtocolStep(project=project, order=order, title=title, guidance=guidance)
        for order, (title, guidance) in enumerate(DEFAULT_PROTOCOL)
    )


@transaction.atomic
def add_step(project: Project, *, title: str, guidance: str, by: User) -> ProtocolStep:
    last = project.protocol_steps.aggregate(last=Max("order"))["last"]
    step = ProtocolStep.objects.create(project=project, title=title, guidance=guidance, order=0 if last is None else last + 1)
    record(by, "protocol_step.added", step)
    return step


@transaction.atomic
def change_step(step: ProtocolStep, *, title: str, guidance: str, by: User) -> ProtocolStep:
    step.title, step.guidance = title, guidance
    step.save(update_fields=["title", "guidance"])
    record(by, "protocol_step.changed", step)
    return step


@transaction.atomic
def move_step(step: ProtocolStep, *, up: bool, by: User) -> ProtocolStep:
    move_one(ProtocolStep.objects.filter(project=step.project_id), step, up=up)
    record(by, "protocol_step.moved", step)
    return step


def remove_step(step: ProtocolStep, *, by: User) -> None:
    """Remove a step, unless it is the last one or a record of the protocol's use names it
    (the record would lose what stage was reached: rename the step instead)."""
    try:
        with transaction.atomic():
            if not ProtocolStep.objects.select_for_update().filter(project=step.project_id).exclude(pk=step.pk).exists():
                raise SignpostingRefused("The protocol needs at least one step. Change this one instead.")
            record(by, "protocol_step.removed", step)
            step.delete()
    except ProtectedError:
        raise SignpostingRefused(
            f"“{step.title}” is the stage reached on a record of the protocol's use, so it stays. You can rename it or move it."
        ) from None


# ---------------------------------------------------------------- the directory

SERVICE_FIELDS = ("name", "helps_with", "phone", "opening_hours", "address", "languages", "walk_in")


def _name_taken(project: Project, name: str, exclude_pk: int | None = None) -> bool:
    return SupportService.objects.filter(project=project, name__iexact=name.strip()).exclude(pk=exclude_pk).exists()


@transaction.atomic
def add_service(project: Project, *, by: User, **fields) -> SupportService:
    if _name_taken(project, fields["name"]):
        raise SignpostingRefused({"name": [f"“{fields['name'].strip()}” is already in the directory."]})
    service = SupportService.objects.create(project=project, reviewed_on=timezone.localdate(), **fields)
    record(by, "support_service.added", service)
    return service


@transaction.atomic
def change_service(service: SupportService, *, by: User, **fields) -> SupportService:
    """Save the entry; saving it counts as reviewing it."""
    if _name_taken(service.project, fields["name"], service.pk):
        raise SignpostingRefused({"name": [f"“{fields['name'].strip()}” is already in the directory."]})
    for name in SERVICE_FIELDS:
        setattr(service, name, fields[name])
    service.reviewed_on = timezone.localdate()
    service.save(update_fields=[*SERVICE_FIELDS, "reviewed_on"])
    record(by, "support_service.changed", service)
    return service


@transaction.atomic
def mark_reviewed(service: SupportService, *, by: User) -> SupportService:
    service.reviewed_on = timezone.localdate()
    service.save(update_fields=["reviewed_on"])
    record(by, "support_service.reviewed", service)
    return service


@transaction.atomic
def remove_service(service: SupportService, *, by: User) -> None:
    record(by, "support_service.removed", service)
    service.delete()
