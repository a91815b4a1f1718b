"""Keep participants' reminders in step when their contact details change (added by a
coordinator after booking, or erased after the interview or on withdrawal); an interview
deleted takes its notes draft with it."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from coproduction.models import NotesDraft, Participant


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


@receiver(post_delete, sender="interviews.Interview", dispatch_uid="interviews.interview_draft")
def delete_interview_draft(sender, instance, **kwargs) -> None:
    # The interview holds the link, so the database cannot cascade to the draft (which is
    # private notes about this interview and must not outlive it).
    if instance.notes_id is not None:
        NotesDraft.objects.filter(pk=instance.notes_id).delete()


@receiver(post_delete, sender="interviews.ProtocolUse", dispatch_uid="interviews.protocol_use_reminders")
def cancel_follow_up_reminder(sender, instance, **kwargs) -> None:
    # An interview deleted takes its records with it; their reminder must not go out after.
    from coproduction.notifications import outbox

    outbox.cancel_reminders(instance)
