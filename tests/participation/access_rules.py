from coproduction.models import AllowListTerm, AttributeDefinition, DenyListTerm
from tests.access import Case
from tests.participation.factories import consenting_participant


def _participant(world):
    return consenting_participant(world.project, world.coordinator)


def _term(world):
    return DenyListTerm.objects.create(project=world.project, term="Mazza", kind="nickname", added_by=world.coordinator)


def _allowed(world):
    return AllowListTerm.objects.create(project=world.project, term="Riverside Market", added_by=world.coordinator)


def _attribute(world):
    return AttributeDefinition.objects.create(project=world.project, name="Age band", choices=["18–24", "25+"])


RULES = {
    "participation:attribute_remove": lambda world: Case(kwargs={"pk": _attribute(world).pk}, allowed=(405,)),
    "participation:detail": lambda world: Case(kwargs={"pk": _participant(world).pk}),
    "participation:consent": lambda world: Case(kwargs={"pk": _participant(world).pk}),
    "participation:contact": lambda world: Case(kwargs={"pk": _participant(world).pk}, allowed=(405,)),
    "participation:follow_up": lambda world: Case(kwargs={"pk": _participant(world).pk}, allowed=(405,)),
    "participation:follow_up_erase": lambda world: Case(kwargs={"pk": _participant(world).pk}, allowed=(405,)),
    "participation:withdraw": lambda world: Case(kwargs={"pk": _participant(world).pk}),
    "participation:deny_list_remove": lambda world: Case(kwargs={"pk": _term(world).pk}, allowed=(405,)),
    "participation:allow_list_remove": lambda world: Case(kwargs={"pk": _allowed(world).pk}, allowed=(405,)),
}
