"""factory-boy factories for the core domain. Apps add theirs in tests/<app>/factories.py."""

import factory
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from coproduction.models import Membership, Participant, Project, Role, User

TEST_PASSWORD = "a-long-test-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Strategy {n}")
    slug = factory.Sequence(lambda n: f"strategy-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    project = factory.SubFactory(ProjectFactory)
    role = Role.PEER_RESEARCHER


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    project = factory.SubFactory(ProjectFactory)
    cohort = "Sex worker"
    code = factory.Sequence(lambda n: f"SW-{n + 100:03d}")


def enrol_totp(user: User) -> str:
    """Give the user an authenticator app; return its secret so a test can compute codes."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def member(project: Project, role: str, **user_fields) -> User:
    """A user with `role` in `project`, enrolled in MFA where the role requires it."""
    user = UserFactory(**user_fields)
    Membership.objects.create(user=user, project=project, role=role)
    if role in {Role.COORDINATOR, Role.ANALYST, Role.SUPERVISOR}:
        user.totp_secret = enrol_totp(user)  # so a test can compute codes
    return user


def deliver_outbox() -> int:
    """What beat and a worker do: claim every due message in the outbox and send it here."""
    from coproduction.notifications import delivery

    return sum(delivery.deliver_notification(pk) for pk in delivery.claim_due_notifications(queue=False))
