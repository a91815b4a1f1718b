"""Signposting fixtures: services in a project's directory, the protocol's steps, and a
record of the protocol's use on an interview."""

from datetime import date, timedelta

from django.utils import timezone

from coproduction.models import Project, ProtocolStep, SupportService
from coproduction.signposting.actions import ensure_protocol


def service(project: Project, name: str = "Riverside Night Hub", *, reviewed_days_ago: int = 10, **fields) -> SupportService:
    defaults = {
        "helps_with": "A safe place to rest",
        "phone": "+442079460101",
        "opening_hours": "Every night, 8pm to 2am",
        "address": "Unit 4, Tannery Lane",
        "languages": "English, Romanian",
        "walk_in": True,
    }
    return SupportService.objects.create(
        project=project, name=name, reviewed_on=timezone.localdate() - timedelta(days=reviewed_days_ago), **defaults | fields
    )


def steps(project: Project) -> list[ProtocolStep]:
    return ensure_protocol(project)


def protocol_use(interview, *, follow_up_on: date | None = None, stage: int = 0, **fields):
    """Recorded through the workflow, as the interviewer would (reminders, signal and all)."""
    from interviews import actions

    return actions.record_protocol_use(
        interview,
        by=interview.interviewer,
        stage_reached=steps(interview.project)[stage],
        interview_ended=fields.pop("interview_ended", False),
        offered=fields.pop("offered", ["break", "card"]),
        services=fields.pop("services", []),
        follow_up_on=follow_up_on,
    )
