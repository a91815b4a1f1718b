"""Shared fixtures: every test can have a project with one member of each role, and an
outsider project with its own members who must be refused."""

from dataclasses import dataclass, field

import pytest
from hypothesis import settings as hypothesis_settings

from coproduction.models import Project, Role, User
from tests.factories import TEST_PASSWORD, ProjectFactory, member

ROLES = [Role.COORDINATOR, Role.PEER_RESEARCHER, Role.ANALYST, Role.SUPERVISOR]


@dataclass
class World:
    """Project A with a member of each role (and a second peer researcher); project B, the
    outsider's project, with a member of each role too. Apps hang their objects on `extra`."""

    project: Project
    other_project: Project
    members: dict[str, User]
    outsiders: dict[str, User]
    second_peer: User
    extra: dict = field(default_factory=dict)

    @property
    def coordinator(self) -> User:
        return self.members[Role.COORDINATOR]

    @property
    def peer(self) -> User:
        return self.members[Role.PEER_RESEARCHER]

    @property
    def analyst(self) -> User:
        return self.members[Role.ANALYST]

    @property
    def supervisor(self) -> User:
        return self.members[Role.SUPERVISOR]


def build_world() -> World:
    project = ProjectFactory(name="Riverside", slug="riverside")
    other = ProjectFactory(name="Elsewhere", slug="elsewhere")
    members = {role: member(project, role, display_name=f"A {role}") for role in ROLES}
    outsiders = {role: member(other, role, display_name=f"B {role}") for role in ROLES}
    second_peer = member(project, Role.PEER_RESEARCHER, display_name="A second peer")
    return World(project, other, members, outsiders, second_peer)


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client signed in as user (MFA already satisfied)."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hashing strength is not under test here; MD5 keeps the matrix fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def verify_prepared_queries(settings):
    """Every question compiled once (coproduction.prepared) is also compiled the ordinary way and
    the two compared: a build whose SQL moves with its values fails the test that asks it."""
    settings.PREPARED_QUERIES_VERIFY = True


@pytest.fixture
def project(db) -> Project:
    return ProjectFactory(name="Riverside", slug="riverside")


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    """Each test gets its own cache key space (rate limits, TOTP replay marks) without
    flushing a shared Redis, which also carries the broker's queues."""
    import uuid

    settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}


# Property tests are judged on what they find, not on speed: a loaded CI machine must not turn a
# slow example into a failure.
hypothesis_settings.register_profile("common-ground", deadline=None)
hypothesis_settings.load_profile("common-ground")


def fernet_key(name: str) -> str:
    """A Fernet key made from a name, so a test can say "old" and "new" and mean the same keys."""
    import base64
    import hashlib

    return base64.urlsafe_b64encode(hashlib.sha256(name.encode()).digest()).decode()


@pytest.fixture
def field_keys(settings):
    """field_keys("new", "old") -> FIELD_ENCRYPTION_KEYS is those keys, in that order."""

    def use(*names: str) -> list[str]:
        settings.FIELD_ENCRYPTION_KEYS = [fernet_key(name) for name in names]
        return settings.FIELD_ENCRYPTION_KEYS

    return use
