"""What wellbeing does when other apps tell it something (connected in WellbeingConfig.ready())."""

from wellbeing import actions


def on_interview_completed(sender, interview, **kwargs) -> None:
    """An interview was completed: ask its interviewer for a debrief check-in."""
    actions.ask_for_check_in(interview)


def on_protocol_used(sender, protocol_use, interview, **kwargs) -> None:
    """The distress protocol was used on an interview: offer its interviewer a debrief."""
    actions.offer_debrief(interview)
