from coproduction.models import SupportService
from tests.access import Case
from tests.signposting.factories import service, steps


def _service(world):
    # Every rule is built in one world by the form fuzz and the every-page test: one service serves them all.
    existing = SupportService.objects.filter(project=world.project, name="Riverside Night Hub").first()
    return (existing or service(world.project)).pk


def _step(world):
    return steps(world.project)[1].pk


RULES = {
    "signposting:service_change": lambda world: Case(kwargs={"pk": _service(world)}),
    "signposting:service_reviewed": lambda world: Case(kwargs={"pk": _service(world)}, allowed=(405,)),
    "signposting:service_remove": lambda world: Case(kwargs={"pk": _service(world)}, allowed=(405,)),
    "signposting:step_change": lambda world: Case(kwargs={"pk": _step(world)}),
    "signposting:step_move": lambda world: Case(kwargs={"pk": _step(world)}, allowed=(405,)),
    "signposting:step_remove": lambda world: Case(kwargs={"pk": _step(world)}, allowed=(405,)),
}
