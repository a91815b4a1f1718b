"""Participants with consent, for tests of participation and interviews."""

from coproduction.models import Consent, InformationSheet, Participant, Project, User


def information_sheet(project: Project) -> InformationSheet:
    sheet = InformationSheet.objects.filter(project=project).order_by("-version").first()
    return sheet or InformationSheet.objects.create(project=project, version=1, text="About taking part (fictional).")


def consenting_participant(project: Project, recorded_by: User, cohort: str = "Sex worker", **fields) -> Participant:
    participant = Participant.objects.create(
        project=project, cohort=cohort, code=Participant.next_code(project, cohort), **fields
    )
    Consent.objects.create(
        participant=participant,
        information_sheet=information_sheet(project),
        take_part=True,
        notes_kept=True,
        quotes_published=True,
        follow_up=False,
        recorded_by=recorded_by,
    )
    return participant
