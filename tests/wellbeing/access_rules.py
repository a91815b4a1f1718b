"""Access cases for every wellbeing URL (see tests/access.py)."""

from datetime import timedelta

from django.utils import timezone

from tests.access import Case
from tests.wellbeing.factories import alert, provider, session
from wellbeing.models import CheckIn, Reflection, SessionRequest, SupportSession

COORD_ONLY = {"peer_researcher": 403, "supervisor": 403, "analyst": 403}


def _session(world, kind=SupportSession.Kind.SUPERVISION_ONE, **kwargs):
    """A session of the world's peer, provided by the world's supervisor."""
    return session(
        world.project, [world.peer], booked_by=world.coordinator, kind=kind, provider=provider(world.supervisor), **kwargs
    )


def _past_session(world):
    return _session(world, starts_at=timezone.now() - timedelta(days=1))


def _check_in(world):
    return CheckIn.objects.create(project=world.project, person=world.peer)


def _request(world):
    return SessionRequest.objects.create(project=world.project, requested_by=world.peer, kind="debrief")


def _reflection(world):
    return Reflection.objects.create(project=world.project, author=world.peer, text="Mine alone")


RULES = {
    # Sessions: the peer attends and the supervisor provides this one, so all three roles see it.
    "wellbeing:session_detail": lambda world: Case(kwargs={"pk": _session(world).pk}),
    "wellbeing:session_calendar": lambda world: Case(kwargs={"pk": _session(world).pk}),
    "wellbeing:session_edit": lambda world: Case(kwargs={"pk": _session(world).pk}),
    "wellbeing:session_cancel": lambda world: Case(kwargs={"pk": _session(world).pk}, method="post", allowed=(302,)),
    "wellbeing:session_attendance": lambda world: Case(
        kwargs={"pk": _past_session(world).pk}, method="post", data={"attended": "yes"}, allowed=(302,)
    ),
    "wellbeing:session_notes": lambda world: Case(kwargs={"pk": _past_session(world).pk}),
    "wellbeing:request_decline": lambda world: Case(kwargs={"pk": _request(world).pk}, method="post", allowed=(302,)),
    # The check-in is the peer's own: the second peer could not open it either (tested apart).
    "wellbeing:check_in": lambda world: Case(kwargs={"pk": _check_in(world).pk}),
    "wellbeing:alert_acknowledge": lambda world: Case(
        kwargs={"pk": alert(world.project, world.peer).pk}, method="post", allowed=(302,)
    ),
    # POST-only: a GET is refused with 405 for those let in.
    "wellbeing:training_module_new": lambda world: Case(allowed=(405,)),
    "wellbeing:reflection_delete": lambda world: Case(kwargs={"pk": _reflection(world).pk}, method="post", allowed=(302,)),
}
