"""The fictional demo project loaded by `manage.py seed_demo`.

Each app adds its part by registering a step: `register_step(order, fn)` where
fn(project, people) runs inside the seeding transaction. Everything here is invented.
"""

from collections.abc import Callable

from allauth.mfa.totp.internal.auth import TOTP

from coproduction.models import Membership, Project, Role, User

DEMO_PASSWORD = "common-ground-demo"
# Roles that must use MFA get this authenticator secret in the demo, so a newcomer can sign in:
# `manage.py demo_code` prints the current code (or add the secret to an authenticator app).
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPCOMMONGROUNDDEMO"
# As README.md prints it (tests/test_readme_commands.py runs it): manage.py needs DEBUG by hand.
DEMO_CODE_COMMAND = "DEBUG=true .venv/bin/python manage.py demo_code"
DEMO_PEOPLE = [
    ("coordinator@example.org", "Sam Okafor", Role.COORDINATOR),
    ("peer1@example.org", "Alex Rivers", Role.PEER_RESEARCHER),
    ("peer2@example.org", "Jo Marsh", Role.PEER_RESEARCHER),
    ("peer3@example.org", "Kit Fenwick", Role.PEER_RESEARCHER),
    ("analyst@example.org", "Priya Shah", Role.ANALYST),
    ("supervisor@example.org", "Dr Morgan Hale", Role.SUPERVISOR),
]

_steps: list[tuple[int, Callable]] = []


def register_step(order: int, step: Callable) -> None:
    if (order, step) not in _steps:
        _steps.append((order, step))


def current_code() -> str:
    """The code an authenticator app holding DEMO_TOTP_SECRET shows now."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // app_settings.TOTP_PERIOD))


def seed() -> tuple[Project, dict[str, User]]:
    project, _ = Project.objects.get_or_create(
        slug="riverside-safety",
        defaults={
            "name": "Riverside Borough: Safer Streets Strategy",
            "cohorts": ["Sex worker", "Resident", "Faith leader"],
            "small_number_threshold": 10,
        },
    )
    people: dict[str, User] = {}
    for email, name, role in DEMO_PEOPLE:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=DEMO_PASSWORD, display_name=name)
        membership, _ = Membership.objects.get_or_create(user=user, project=project, defaults={"role": role})
        if membership.needs_mfa and not user.has_totp:
            TOTP.activate(user, DEMO_TOTP_SECRET)
        people[role if role != Role.PEER_RESEARCHER else email.split("@")[0]] = user
    for _, step in sorted(_steps, key=lambda s: s[0]):
        step(project, people)
    return project, people
