import sys
from datetime import UTC
from itertools import chain

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coproduction import actions, audit
from coproduction import dashboard as dashboard_panels
from coproduction.access import get_scoped, project_view, public_view, signed_in_view
from coproduction.audit import record
from coproduction.encryption import CannotOpen
from coproduction.forms import (
    AcceptInvitationForm,
    AuditFilterForm,
    InvitationForm,
    MembershipRoleForm,
    ProjectSettingsForm,
    ReminderSettingsForm,
)
from coproduction.middleware import cannot_open_response
from coproduction.models import AuditEvent, Invitation, Membership, Project, Role
from coproduction.models.projects import hash_token
from coproduction.spreadsheets import csv_lines

COORDINATOR = {Role.COORDINATOR}


@signed_in_view
def home(request):
    """The project switcher: one project goes straight to its dashboard."""
    projects = list(Project.objects.for_user(request.user))
    if len(projects) == 1 and not request.GET.get("all"):
        return redirect("coproduction:dashboard", slug=projects[0].slug)
    memberships = Membership.objects.filter(user=request.user).select_related("project")
    return render(request, "coproduction/home.html", {"memberships": memberships})


@project_view()
def dashboard(request, project):
    panels = dashboard_panels.panels_for(request, project, request.membership.role)
    return render(request, "coproduction/dashboard.html", {"project": project, "panels": panels})


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def members(request, project):
    form = InvitationForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        actions.invite_member(
            project=project, email=form.cleaned_data["email"], role=form.cleaned_data["role"], invited_by=request.user
        )
        messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
        return redirect("coproduction:members", slug=project.slug)
    memberships = project.memberships.select_related("user").order_by("role", "user__display_name", "pk")
    page = Paginator(memberships, 50).get_page(request.GET.get("page"))
    invitations = project.invitations.select_related("invited_by")[:50]
    return render(
        request,
        "coproduction/members.html",
        {
            "project": project,
            "form": form,
            "page": page,
            "memberships": page.object_list,
            "invitations": invitations,
            "roles": Role.choices,
        },
    )


@project_view(COORDINATOR)
@require_POST
def member_change(request, project, pk):
    membership = get_scoped(project.memberships.select_related("user"), pk=pk)
    if request.POST.get("remove"):
        if _is_last_coordinator(membership):
            messages.error(request, "A project needs at least one coordinator.")
        else:
            actions.remove_member(membership, by=request.user)
            messages.success(request, f"{membership.user} was removed from the project.")
        return redirect("coproduction:members", slug=project.slug)
    form = MembershipRoleForm(request.POST, instance=Membership.objects.get(pk=membership.pk))
    if not form.is_valid():
        messages.error(request, "Choose a role from the list.")
    elif _is_last_coordinator(membership) and form.cleaned_data["role"] != Role.COORDINATOR:
        messages.error(request, "A project needs at least one coordinator.")
    else:
        actions.change_role(membership, form.cleaned_data["role"], by=request.user)
        messages.success(request, f"{membership.user} is now a {membership.get_role_display().lower()}.")
    return redirect("coproduction:members", slug=project.slug)


def _is_last_coordinator(membership: Membership) -> bool:
    return membership.role == Role.COORDINATOR and membership.project.memberships.filter(role=Role.COORDINATOR).count() == 1


@project_view(COORDINATOR)
@require_POST
def invitation_revoke(request, project, pk):
    invitation = get_scoped(project.invitations.usable(), pk=pk)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    record(request.user, "invitation.revoked", invitation)
    messages.success(request, "The invitation was withdrawn.")
    return redirect("coproduction:members", slug=project.slug)


@project_view(COORDINATOR)
@require_POST
def invitation_resend(request, project, pk):
    """Send a pending invitation again (its email failed, or was lost): a new link, not a revocation."""
    invitation = get_scoped(project.invitations.usable(), pk=pk)
    actions.invite_member(project=project, email=invitation.email, role=invitation.role, invited_by=request.user)
    messages.success(request, f"Invitation sent again to {invitation.email}.")
    return redirect("coproduction:members", slug=project.slug)


@project_view(COORDINATOR)
@require_GET
def audit_log(request, project):
    form = AuditFilterForm(request.GET or None, project=project)
    events = form.filter(AuditEvent.objects.filter(project=project).select_related("actor"))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    labels = audit.object_labels(page)
    rows = [(event, audit.describe_action(event.action), labels.get((event.object_type, event.object_id), "")) for event in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "coproduction/audit.html",
        {"project": project, "form": form, "page": page, "rows": rows, "query": query.urlencode()},
    )


@project_view(COORDINATOR)
@require_GET
def audit_export(request, project):
    """The log as CSV, with the filters of the page: action codes and object ids, not words."""
    form = AuditFilterForm(request.GET or None, project=project)
    events = form.filter(AuditEvent.objects.filter(project=project).select_related("actor")).order_by("at", "id")
    exported = record(request.user, "audit.exported", project=project)
    events = events.exclude(pk=exported.pk)  # the rows as they were when asked for
    header = [["at (UTC)", "actor", "action", "object_type", "object_id"]]
    rows = (
        [
            f"{event.at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}",
            str(event.actor or "System"),
            event.action,
            event.object_type,
            event.object_id,
        ]
        for event in events.iterator(chunk_size=2000)
    )
    response = StreamingHttpResponse(csv_lines(chain(header, rows)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{project.slug}-audit-log.csv"'
    return response


@public_view
@require_http_methods(["GET", "POST"])
def accept_invitation(request, slug, token):
    """A single-use link, valid for seven days, for one project only."""
    invitation = Invitation.objects.select_related("project").filter(token_hash=hash_token(token), project__slug=slug).first()
    if invitation is None:
        raise Http404
    if invitation.status != "pending":
        return render(request, "coproduction/invitation_unusable.html", {"invitation": invitation}, status=410)
    from coproduction.models import User

    existing = User.objects.filter(email__iexact=invitation.email).first()
    if existing is not None:
        if request.user != existing:
            messages.info(request, "Sign in with the invited email address, then open the link again.")
            return redirect(f"{_login_url()}?next={request.path}")
        if request.method == "POST":
            actions.accept_invitation(request, invitation)
            messages.success(request, f"You have joined {invitation.project}.")
            return redirect("coproduction:dashboard", slug=invitation.project.slug)
        return render(request, "coproduction/invitation_join.html", {"invitation": invitation})
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        actions.accept_invitation(
            request, invitation, display_name=form.cleaned_data["display_name"], password=form.cleaned_data["password1"]
        )
        messages.success(request, f"Welcome to {invitation.project}.")
        return redirect("coproduction:dashboard", slug=invitation.project.slug)
    return render(request, "coproduction/invitation_accept.html", {"invitation": invitation, "form": form})


def _login_url() -> str:
    from django.urls import reverse

    return reverse("account_login")


@signed_in_view
@require_POST
def keep_alive(request):
    """Called by the idle-timeout warning's "stay signed in" button: renews the session."""
    return JsonResponse({"ok": True})


@public_view
@require_GET
def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def server_error(request):
    """Django's 500 handler. A record no key opens, met outside a view (in a middleware, say),
    gets the same "cannot be opened" page as in one; anything else, the plain 500 page."""
    if isinstance(sys.exc_info()[1], CannotOpen):
        return cannot_open_response(request)
    return render(request, "500.html", status=500)


__all__ = ["PermissionDenied"]


@signed_in_view
@require_http_methods(["GET", "POST"])
def account_settings(request):
    """The person's own settings: sign-in security and how they are reminded."""
    form = ReminderSettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your reminder settings were saved.")
        return redirect("account_settings")
    return render(request, "coproduction/account.html", {"has_totp": request.user.has_totp, "form": form})


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def project_settings(request, project):
    form = ProjectSettingsForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        form.save()
        record(request.user, "project.settings_changed", project)
        messages.success(request, "Project settings saved.")
        return redirect("coproduction:project_settings", slug=project.slug)
    return render(request, "coproduction/project_settings.html", {"project": project, "form": form})
