"""Arguments for the publication URLs in the URL x role matrix (tests/access.py)."""

from coproduction.publication import actions
from tests.access import Case
from tests.publication.factories import composed


def _published(world):
    publication, _, _ = composed(world.project, world.analyst)
    return publication.versions.order_by("-number").first() or actions.publish(publication, by=world.coordinator)


def _theme(world):
    publication, _, _ = composed(world.project, world.analyst)
    return publication.themes.get().pk


RULES = {
    "publication:summary": lambda world: Case(kwargs={"pk": _theme(world)}),
    "publication:theme_remove": lambda world: Case(kwargs={"pk": _theme(world)}, allowed=(405,)),
    "publication:keep": lambda world: Case(allowed=(405,)),
    "publication:publish": lambda world: Case(allowed=(405,)),
    "publication:unpublish": lambda world: Case(kwargs={"number": _published(world).number}, allowed=(405,)),
    "publication:case_study": lambda world: Case(kwargs={"number": _published(world).number}),
    "publication:case_study_pdf": lambda world: Case(kwargs={"number": _published(world).number}),
    "publication_public:latest": lambda world: Case(kwargs={"public_id": _published(world).publication.public_id}),
    "publication_public:version": lambda world: Case(kwargs={"public_id": _published(world).publication.public_id, "number": 1}),
}
