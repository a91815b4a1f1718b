from coproduction.engagement.notes import open_event_draft
from coproduction.models import NotesDraft
from coproduction.notes import actions as gate
from tests.access import Case
from tests.engagement.factories import held_event, listing_for, make_event, session_request

# Peer researchers see only the events they facilitate or take notes at: the world's peer
# facilitates these. The outsider's project is refused (404) by the declared rule.


def _planned(world):
    return make_event(world.project, by=world.coordinator, facilitators=[world.peer]).pk


def _held(world):
    return held_event(world).pk


def _submitted(world):
    event = held_event(world)
    draft = open_event_draft(event, by=world.peer)
    gate.save_notes(draft, sections={"free": "The lighting on the path is poor."}, version=draft.version, by=world.peer)
    gate.submit_notes(NotesDraft.objects.get(pk=draft.pk), by=world.peer)
    return event.pk


def _token(world):
    return listing_for(world.project).token


RULES = {
    "engagement:detail": lambda world: Case(kwargs={"pk": _planned(world)}),
    "engagement:change": lambda world: Case(kwargs={"pk": _planned(world)}),
    "engagement:status": lambda world: Case(kwargs={"pk": _planned(world)}, allowed=(405,)),
    "engagement:attendance": lambda world: Case(kwargs={"pk": _held(world)}),
    "engagement:feedback": lambda world: Case(kwargs={"pk": _held(world)}),
    # A coordinator who neither facilitates nor takes notes is sent back to the event.
    "engagement:notes": lambda world: Case(kwargs={"pk": _held(world)}, allowed=(200, 302)),
    "engagement:redact": lambda world: Case(kwargs={"pk": _held(world)}, allowed=(405,)),
    "engagement:dismiss": lambda world: Case(kwargs={"pk": _held(world)}, allowed=(405,)),
    "engagement:submit": lambda world: Case(kwargs={"pk": _held(world)}, allowed=(405,)),
    "engagement:review": lambda world: Case(kwargs={"pk": _submitted(world)}),
    "engagement:request": lambda world: Case(kwargs={"pk": session_request(world.project).pk}),
    "engagement:request_close": lambda world: Case(kwargs={"pk": session_request(world.project).pk}, allowed=(405,)),
    "engagement_public:sessions": lambda world: Case(kwargs={"token": _token(world)}),
    "engagement_public:request": lambda world: Case(kwargs={"token": _token(world)}),
    "engagement_public:request_sent": lambda world: Case(kwargs={"token": _token(world)}),
}
