"""Scoping helpers used by every view.

- A project the user is not a member of, or an object outside the user's projects and roles,
  is a 404: its existence is not confirmed to outsiders.
- A member whose role lacks the right to an action gets a 403.
- Coordinators, analysts and supervisors must have enrolled an authenticator app before any
  project page opens.

Each decorated view carries its rule (`view.access_rule`); the access-matrix test reads it from
the URL conf, so a view without a declared rule fails the suite.
"""

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone

from coproduction.models import Membership, Project, Role
from coproduction.prepared import PreparedQuery

EVERY_ROLE = frozenset(Role.values)


@dataclass(frozen=True)
class AccessRule:
    kind: str  # "project", "signed_in", "public"
    roles: frozenset[str] = frozenset()


def _memberships(user) -> dict:
    """The user's memberships read in this request, by project id."""
    if not hasattr(user, "_membership_cache"):
        user._membership_cache = {}
    return user._membership_cache


def membership_for(user, project: Project) -> Membership | None:
    if not user.is_authenticated:
        return None
    cache = _memberships(user)
    if project.pk not in cache:
        cache[project.pk] = Membership.objects.filter(user=user, project=project).first()
    return cache[project.pk]


def role_in(user, project: Project) -> str | None:
    membership = membership_for(user, project)
    return membership.role if membership else None


def project_for(user, slug: str) -> Project:
    """The project with this slug if the user is a member of it, else 404."""
    if not user.is_authenticated:
        raise Http404
    try:
        return Project.objects.get(slug=slug, memberships__user=user)
    except Project.DoesNotExist:
        raise Http404 from None


def _memberships_by_slug(user_id: int, slug: str) -> models.QuerySet:
    from allauth.mfa.models import Authenticator

    totp = Authenticator.objects.filter(user=OuterRef("user"), type=Authenticator.Type.TOTP)
    return (
        Membership.objects.select_related("project")
        .filter(user_id=user_id, project__slug=slug)
        .annotate(user_has_totp=Exists(totp))
        .order_by("pk")[:1]
    )


# Asked on every project page: compiled once (prepared.py).
_membership_by_slug_query = PreparedQuery(_memberships_by_slug)


def _membership_by_slug(user, slug: str) -> Membership:
    """The user's membership of the project with this slug, with its project and whether the
    user has an authenticator app (one query), else 404; remembered for membership_for."""
    found = _membership_by_slug_query(user_id=user.pk, slug=slug)
    if not found:
        raise Http404
    membership = found[0]
    _memberships(user)[membership.project_id] = membership
    return membership


def get_scoped(queryset: models.QuerySet, **lookup) -> models.Model:
    """Fetch one object from an already-scoped queryset, or 404. Views never fetch by bare id."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def project_view(roles: Iterable[str] = EVERY_ROLE):
    """Decorate a view taking (request, project, ...) and routed with <slug:slug>.

    Steps: sign-in required (redirect to login); the project must be one of the user's (404);
    MFA enrolment for roles that need it (redirect to set it up); the role must be allowed (403).
    The project's time zone is activated for the request.
    """
    allowed = frozenset(roles)
    unknown = allowed - EVERY_ROLE
    if unknown:
        raise ValueError(f"Unknown roles: {sorted(unknown)}")

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, slug, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = _membership_by_slug(request.user, slug)
            project = membership.project
            if membership.needs_mfa and not membership.user_has_totp:
                messages.info(request, "Set up an authenticator app to open project pages.")
                return redirect("mfa_activate_totp")
            if membership.role not in allowed:
                raise PermissionDenied
            request.project = project
            request.membership = membership
            timezone.activate(project.tzinfo)
            return view(request, project, *args, **kwargs)

        wrapper.access_rule = AccessRule("project", allowed)
        return wrapper

    return decorator


def signed_in_view(view):
    """A page for any signed-in person that shows only their own things."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapper.access_rule = AccessRule("signed_in")
    return wrapper


def public_view(view):
    """A page anyone may open (invitation links, health check). Declared, not assumed."""
    view.access_rule = AccessRule("public")
    return view
