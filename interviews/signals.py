"""Signals other apps may listen to; `interviews` never imports them.

interview_completed: sent (after commit) when an interview is marked completed.
    sender=Interview, interview=<Interview>
"""

from django.dispatch import Signal

interview_completed = Signal()
