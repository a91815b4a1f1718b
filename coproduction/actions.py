"""Workflows of the core domain that touch several models, each in one transaction."""

from django.conf import settings
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from coproduction.audit import record
from coproduction.models import Invitation, Membership, Project, User
from coproduction.notifications import outbox


@transaction.atomic
def invite_member(*, project: Project, email: str, role: str, invited_by: User | None) -> Invitation:
    """Issue an invitation and email its single-use link (the subject says nothing of the project's subject).

    The invitation and its email are saved together and the email goes through the outbox, so
    an SMTP outage neither fails the request nor leaves an invitation whose link was never
    sent. Inviting someone who already has a usable invitation sends it again (a new link,
    seven more days) instead of revoking it; an unsent earlier email is cancelled.
    """
    email = email.lower()
    invitation = project.invitations.usable().filter(email=email).select_for_update().first()
    if invitation is None:
        invitation, token = Invitation.issue(project=project, email=email, role=role, invited_by=invited_by)
        record(invited_by, "invitation.sent", invitation, project=project)
    else:
        token = invitation.reissue(role=role, invited_by=invited_by)
        outbox.cancel_emails(invitation)
        record(invited_by, "invitation.resent", invitation, project=project)
    link = settings.SITE_URL.rstrip("/") + reverse("accept_invitation", args=[project.slug, token])
    context = {"link": link, "expires_at": invitation.expires_at}
    outbox.send_email(
        to=invitation.email,
        subject=render_to_string("emails/invitation-subject.txt", context).strip(),
        text=render_to_string("emails/invitation-body.txt", context),
        html=render_to_string("emails/invitation-body.html", context),
        template="invitation",
        about=invitation,
        project=project,
    )
    return invitation


@transaction.atomic
def accept_invitation(request, invitation: Invitation, *, display_name: str = "", password: str = "") -> Membership:
    """Accept once: create the account if needed (setting its password), add the membership.

    The invitation row is locked so two clicks on the same link cannot both succeed.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != "pending":
        raise PermissionDenied("This invitation can no longer be used.")
    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is None:
        user = User.objects.create_user(email=invitation.email, password=password, display_name=display_name)
    elif request.user != user:
        raise PermissionDenied("Sign in as the invited person to accept.")
    membership, _ = Membership.objects.get_or_create(user=user, project=invitation.project, defaults={"role": invitation.role})
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    record(user, "invitation.accepted", invitation, project=invitation.project)
    if not request.user.is_authenticated:
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return membership


@transaction.atomic
def change_role(membership: Membership, role: str, *, by: User) -> None:
    membership.role = role
    membership.save(update_fields=["role"])
    record(by, "membership.role_changed", membership)


@transaction.atomic
def remove_member(membership: Membership, *, by: User) -> None:
    record(by, "membership.removed", membership)
    membership.delete()
