"""Foundation pages for `make bench`."""

from django.urls import reverse

from coproduction.audit import record
from coproduction.models import Invitation, Membership, Project, Role
from tests.bench import Page
from tests.factories import UserFactory


def audit_log(world, n):
    for _ in range(n):
        record(world.peer, "invitation.accepted", world.project)
    return reverse("coproduction:audit", args=[world.project.slug]), world.coordinator


def members(world, n):
    users = [UserFactory() for _ in range(n)]
    Membership.objects.bulk_create(Membership(user=u, project=world.project, role=Role.PEER_RESEARCHER) for u in users)
    for i in range(n):
        Invitation.issue(
            project=world.project, email=f"bench{i}-{users[i].pk}@example.org", role="analyst", invited_by=world.coordinator
        )
    return reverse("coproduction:members", args=[world.project.slug]), world.coordinator


def dashboard(world, n):
    for i in range(n):
        Invitation.issue(
            project=world.project,
            email=f"dash{i}-{Invitation.objects.count()}@example.org",
            role="analyst",
            invited_by=world.coordinator,
        )
    return reverse("coproduction:dashboard", args=[world.project.slug]), world.coordinator


def switcher(world, n):
    start = Project.objects.count()
    projects = Project.objects.bulk_create(Project(name=f"Project {start + i}", slug=f"bench-{start + i}") for i in range(n))
    Membership.objects.bulk_create(Membership(user=world.peer, project=p, role=Role.ANALYST) for p in projects)
    return reverse("home"), world.peer


PAGES = [
    Page("coproduction: audit log", audit_log),
    Page("coproduction: members", members),
    Page("coproduction: coordinator dashboard", dashboard),
    Page("coproduction: project switcher", switcher),
]
