from coproduction.models import Invitation
from tests.access import ACTORS, Case


def _invitation(world):
    invitation, _ = Invitation.issue(project=world.project, email="new@example.org", role="analyst", invited_by=world.coordinator)
    return invitation


RULES = {
    # One project: straight to its dashboard.
    "home": lambda world: Case(allowed=(302,)),
    # POST-only: a GET is refused with 405 for those let in, so they count as allowed.
    "coproduction:member_change": lambda world: Case(
        kwargs={"pk": world.project.memberships.get(user=world.peer).pk}, allowed=(405,)
    ),
    "coproduction:invitation_revoke": lambda world: Case(kwargs={"pk": _invitation(world).pk}, allowed=(405,)),
    "coproduction:invitation_resend": lambda world: Case(kwargs={"pk": _invitation(world).pk}, allowed=(405,)),
    "keep_alive": lambda world: Case(allowed=(405,)),
    # A made-up token: nobody, signed in or not, learns anything from it.
    "accept_invitation": lambda world: Case(kwargs={"token": "not-a-real-token"}, expect=dict.fromkeys(ACTORS, 404)),
}
