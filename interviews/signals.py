"""Signals other apps may listen to; `interviews` never imports them.

interview_completed: sent (after commit) when an interview is marked completed.
    sender=Interview, interview=<Interview>

protocol_used: sent (after commit) when the distress protocol's use on an interview is recorded.
    sender=ProtocolUse, protocol_use=<ProtocolUse>, interview=<Interview>
    (wellbeing offers the interviewer a debrief through the check-in.)
"""

from django.dispatch import Signal

interview_completed = Signal()
protocol_used = Signal()
