"""The signposting directory and the distress protocol's steps. Coordinators edit both; peer
researchers read them (the directory, the phone view, the pocket card). Analysts and
supervisors see none of it (403): what they need is in the corpus and their own pages."""

import io
from collections.abc import Callable

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coproduction.access import get_scoped, project_view
from coproduction.models import Role, SupportService
from coproduction.signposting import actions
from coproduction.signposting.forms import ServiceForm, StepForm

COORDINATOR = {Role.COORDINATOR}
READERS = {Role.COORDINATOR, Role.PEER_RESEARCHER}
SERVICES_PER_PAGE = 25


def _url(name: str, project, **kwargs) -> str:
    return reverse(f"signposting:{name}", kwargs={"slug": project.slug, **kwargs})


def _saved(request, form, save: Callable[[], object], message: str, then: str):
    """For a valid posted form: save and redirect; None otherwise (problems are on the form,
    and nothing was saved)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        save()
    except actions.SignpostingRefused as refused:
        for field, problems in refused.problems.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
        return None
    messages.success(request, message)
    return redirect(then)


def _services(project):
    return SupportService.objects.filter(project=project)


# ---------------------------------------------------------------- the directory


@project_view(READERS)
@require_GET
def directory(request, project):
    page = Paginator(_services(project), SERVICES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "signposting/directory.html",
        {
            "project": project,
            "page": page,
            "today": timezone.localdate(),
            "stale": _services(project).stale().count(),
            "is_coordinator": request.membership.role == Role.COORDINATOR,
        },
    )


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def service_new(request, project):
    form = ServiceForm(request.POST or None)
    done = _saved(
        request,
        form,
        lambda: actions.add_service(project, by=request.user, **form.cleaned_data),
        f"“{form.data.get('name', '').strip()}” added to the directory.",
        _url("directory", project),
    )
    return done or render(request, "signposting/service_form.html", {"project": project, "form": form})


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def service_change(request, project, pk):
    service = get_scoped(_services(project), pk=pk)
    initial = {name: getattr(service, name) for name in actions.SERVICE_FIELDS} | {"phone": service.phone_display}
    form = ServiceForm(request.POST or None, initial=initial)
    done = _saved(
        request,
        form,
        lambda: actions.change_service(service, by=request.user, **form.cleaned_data),
        f"“{form.data.get('name', '').strip()}” saved and marked as reviewed today.",
        _url("directory", project),
    )
    return done or render(request, "signposting/service_form.html", {"project": project, "form": form, "service": service})


@project_view(COORDINATOR)
@require_POST
def service_reviewed(request, project, pk):
    service = actions.mark_reviewed(get_scoped(_services(project), pk=pk), by=request.user)
    messages.success(request, f"“{service.name}” marked as checked today.")
    return redirect(_url("directory", project))


@project_view(COORDINATOR)
@require_POST
def service_remove(request, project, pk):
    service = get_scoped(_services(project), pk=pk)
    actions.remove_service(service, by=request.user)
    messages.success(request, f"“{service.name}” removed from the directory.")
    return redirect(_url("directory", project))


# ---------------------------------------------------------------- for the peer researcher


def card_context(project) -> dict:
    """The pocket card and the phone view: the whole directory (a card is one sheet; the
    directory is a short list of local services) and the protocol's steps."""
    return {"project": project, "services": list(_services(project)), "steps": actions.ensure_protocol(project)}


@project_view(READERS)
@require_GET
def pocket_card(request, project):
    return render(request, "signposting/card.html", card_context(project))


@project_view(READERS)
@require_GET
def pocket_card_pdf(request, project):
    """The card as a PDF (WeasyPrint, A6, nothing fetched from anywhere)."""
    from weasyprint import HTML

    from coproduction.pdf import LocalOnlyFetcher

    html = render_to_string("signposting/card_pdf.html", card_context(project))
    out = io.BytesIO()
    HTML(string=html, url_fetcher=LocalOnlyFetcher(), base_url=None).write_pdf(out, pdf_variant="pdf/ua-1")
    response = HttpResponse(out.getvalue(), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="pocket-card.pdf"'
    return response


@project_view(READERS)
@require_GET
def phone(request, project):
    return render(request, "signposting/phone.html", card_context(project))


# ---------------------------------------------------------------- the protocol's steps


def _steps(project):
    actions.ensure_protocol(project)
    return project.protocol_steps.all()


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def protocol(request, project):
    form = StepForm(request.POST or None)
    done = _saved(
        request,
        form,
        lambda: actions.add_step(project, **form.cleaned_data, by=request.user),
        f"“{form.data.get('title', '').strip()}” added.",
        _url("protocol", project),
    )
    return done or render(request, "signposting/protocol.html", {"project": project, "steps": _steps(project), "form": form})


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def step_change(request, project, pk):
    step = get_scoped(_steps(project), pk=pk)
    form = StepForm(request.POST or None, initial={"title": step.title, "guidance": step.guidance})
    done = _saved(
        request,
        form,
        lambda: actions.change_step(step, **form.cleaned_data, by=request.user),
        f"“{form.data.get('title', '').strip()}” saved.",
        _url("protocol", project),
    )
    return done or render(request, "signposting/step_form.html", {"project": project, "step": step, "form": form})


@project_view(COORDINATOR)
@require_POST
def step_move(request, project, pk):
    step = get_scoped(_steps(project), pk=pk)
    actions.move_step(step, up=request.POST.get("direction") != "down", by=request.user)
    messages.success(request, f"“{step.title}” moved.")
    return redirect(_url("protocol", project))


@project_view(COORDINATOR)
@require_POST
def step_remove(request, project, pk):
    step = get_scoped(_steps(project), pk=pk)
    try:
        actions.remove_step(step, by=request.user)
    except actions.SignpostingRefused as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, f"“{step.title}” removed.")
    return redirect(_url("protocol", project))
