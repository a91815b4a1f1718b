from datetime import timedelta

from django.utils import timezone

from coproduction.models import NotesDraft
from interviews.models import SafeguardingFlag
from tests.access import Case
from tests.interviews.factories import completed_interview, draft_for, make_interview, venue_for

STAFF_DENIED = {"analyst": 403, "supervisor": 403}


def _scheduled(world):
    return make_interview(world.project, world.peer, booked_by=world.coordinator).pk


def _completed(world):
    return completed_interview(world).pk


def _submitted(world):
    interview = completed_interview(world)
    draft_for(interview, NotesDraft.Status.SUBMITTED, q1="Lighting is poor.")
    return interview.pk


def _follow_up(world):
    from tests.signposting.factories import protocol_use

    return protocol_use(completed_interview(world), follow_up_on=timezone.localdate() + timedelta(days=1)).pk


def _flag(world):
    interview = make_interview(world.project, world.peer, booked_by=world.coordinator)
    return SafeguardingFlag.objects.create(interview=interview, raised_by=world.peer).pk


RULES = {
    # Moved to notes:review_list (interview and event notes together); the old address redirects.
    "interviews:review_list": lambda world: Case(allowed=(302,)),
    "interviews:venue_toggle": lambda world: Case(kwargs={"pk": venue_for(world.project).pk}, allowed=(405,)),
    "interviews:detail": lambda world: Case(kwargs={"pk": _scheduled(world)}),
    "interviews:reschedule": lambda world: Case(kwargs={"pk": _scheduled(world)}),
    "interviews:status": lambda world: Case(kwargs={"pk": _scheduled(world)}, allowed=(405,)),
    "interviews:ics": lambda world: Case(kwargs={"pk": _scheduled(world)}),
    "interviews:flag": lambda world: Case(kwargs={"pk": _scheduled(world)}),
    "interviews:flag_resolve": lambda world: Case(kwargs={"pk": _flag(world)}, allowed=(405,)),
    "interviews:notes": lambda world: Case(kwargs={"pk": _completed(world)}),
    "interviews:redact": lambda world: Case(kwargs={"pk": _completed(world)}, allowed=(405,)),
    "interviews:dismiss": lambda world: Case(kwargs={"pk": _completed(world)}, allowed=(405,)),
    "interviews:submit": lambda world: Case(kwargs={"pk": _completed(world)}, allowed=(405,)),
    "interviews:review": lambda world: Case(kwargs={"pk": _submitted(world)}),
    # The interviewer alone records the protocol's use and marks the call done; coordinators read.
    "interviews:protocol_use": lambda world: Case(kwargs={"pk": _completed(world)}),
    "interviews:follow_up_done": lambda world: Case(kwargs={"pk": _follow_up(world)}, allowed=(405,)),
}
