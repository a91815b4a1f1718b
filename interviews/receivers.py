"""Keep participants' reminders in step when their contact details change (added by a
coordinator after booking, or erased after the interview or on withdrawal)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from coproduction.models import Participant


@receiver(post_save, sender=Participant, dispatch_uid="interviews.participant_reminders")
def resync_participant_reminders(sender, instance: Participant, created: bool, update_fields=None, **kwargs) -> None:
    if created:
        return
    if update_fields is not None and not {"contact_email", "contact_phone", "wants_reminders"} & set(update_fields):
        return
    from interviews.actions import sync_interview_reminders
    from interviews.models import Interview

    for interview in instance.interviews.filter(status=Interview.Status.SCHEDULED).select_related("participant", "interviewer"):
        sync_interview_reminders(interview)
