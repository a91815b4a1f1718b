"""Every new project gets the default distress protocol (existing ones got it in migration 0151)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from coproduction.models import Project


@receiver(post_save, sender=Project, dispatch_uid="signposting.default_protocol")
def give_new_project_the_default_protocol(sender, instance: Project, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        from coproduction.signposting.actions import ensure_protocol

        ensure_protocol(instance)
