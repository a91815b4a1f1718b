"""The coordinator's and analyst's publication pages: compose, themes and their summaries,
preview (with what blocks publishing), publish, versions and unpublish, the case study."""

import io

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coproduction.access import get_scoped, project_view
from coproduction.audit import record
from coproduction.models import PublishedTheme, PublishedVersion, Role
from coproduction.publication import actions, snapshot
from coproduction.publication.forms import CompositionForm, KeepFindingForm, SummaryForm, ThemeChoiceForm
from coproduction.publishable import DismissRefused, ScanUnavailable

COORDINATOR = {Role.COORDINATOR}
WRITERS = {Role.COORDINATOR, Role.ANALYST}


def _go(project, name: str, **kwargs):
    return redirect(reverse(f"publication:{name}", kwargs={"slug": project.slug, **kwargs}))


@project_view(WRITERS)
@require_GET
def overview(request, project):
    publication = actions.publication_for(project)
    versions = list(publication.versions.order_by("-number")[:3])
    return render(
        request,
        "publication/overview.html",
        {
            "project": project,
            "publication": publication,
            "versions": versions,
            "live": publication.live_version(),
            "themes": snapshot.published_themes(publication),
            "is_coordinator": request.membership.role == Role.COORDINATOR,
        },
    )


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def compose(request, project):
    publication = actions.publication_for(project)
    form = CompositionForm(request.POST or None, instance=publication)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            publication = form.save(commit=False)
            publication.updated_at = timezone.now()
            publication.save()
            form.save_m2m()
            record(request.user, "publication.composed", publication, project=project)
        messages.success(request, "Saved. Preview the pages before publishing.")
        return _go(project, "overview")
    return render(request, "publication/compose.html", {"project": project, "form": form}, status=400 if form.errors else 200)


@project_view(WRITERS)
@require_http_methods(["GET", "POST"])
def themes(request, project):
    publication = actions.publication_for(project)
    form = ThemeChoiceForm(request.POST or None, publication=publication)
    if request.method == "POST":
        if request.membership.role != Role.COORDINATOR:
            raise Http404
        if form.is_valid():
            last = PublishedTheme.objects.filter(publication=publication).order_by("-order").first()
            item = PublishedTheme.objects.create(
                publication=publication, theme=form.cleaned_data["theme"], order=(last.order + 1) if last else 0
            )
            record(request.user, "publication.theme_added", item, project=project)
            messages.success(request, f"{item.theme.name} will be shown. Ask an analyst to write its summary.")
            return _go(project, "themes")
    return render(
        request,
        "publication/themes.html",
        {
            "project": project,
            "form": form,
            "chosen": snapshot.published_themes(publication),
            "is_coordinator": request.membership.role == Role.COORDINATOR,
        },
        status=400 if form.errors else 200,
    )


def _published_theme(request, project, pk) -> PublishedTheme:
    return get_scoped(PublishedTheme.objects.filter(publication__project=project).select_related("theme"), pk=pk)


@project_view(WRITERS)
@require_http_methods(["GET", "POST"])
def summary(request, project, pk):
    item = _published_theme(request, project, pk)
    form = SummaryForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        item = form.save(commit=False)
        item.written_by = request.user
        item.updated_at = timezone.now()
        item.save()
        record(request.user, "publication.summary_written", item, project=project)
        messages.success(request, f"Summary of {item.theme.name} saved.")
        return _go(project, "themes")
    return render(
        request, "publication/summary.html", {"project": project, "form": form, "item": item}, status=400 if form.errors else 200
    )


@project_view(COORDINATOR)
@require_POST
def theme_remove(request, project, pk):
    item = _published_theme(request, project, pk)
    record(request.user, "publication.theme_removed", item, project=project)
    name = item.theme.name
    item.delete()
    messages.success(request, f"{name} will no longer be shown.")
    return _go(project, "themes")


@project_view(WRITERS)
@require_GET
def preview(request, project):
    """The pages as they would be published now, with everything that blocks publishing."""
    publication = actions.publication_for(project)
    blocking = actions.blockers(publication)
    try:
        data = snapshot.build(publication)
    except ScanUnavailable:  # the blockers already say the check could not run
        data = None
    page_html = actions.render_pages(data, version=None, published_at=timezone.now())[0] if data else ""
    return render(
        request,
        "publication/preview.html",
        {
            "project": project,
            "publication": publication,
            "blockers": blocking,
            "page_html": page_html,
            "reading_age": actions.reading_age(data) if data else None,
            "quotes_left_out": data["quotes_left_out"] if data else 0,
            "keep_form": KeepFindingForm(),
            "is_coordinator": request.membership.role == Role.COORDINATOR,
        },
    )


@project_view(WRITERS)
@require_POST
def keep(request, project):
    """Keep one finding, with a reason (audited). Only a finding in this project's publication
    can be named: the id is looked up among its texts."""
    form = KeepFindingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why this is not personal information.")
        return _go(project, "preview")
    try:
        actions.keep_finding(
            actions.publication_for(project),
            finding_id=form.cleaned_data["finding"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except DismissRefused as refused:
        messages.error(request, refused.message)
    except ScanUnavailable as unavailable:
        messages.error(request, unavailable.message)
    else:
        messages.success(request, "Kept, with your reason.")
    return _go(project, "preview")


@project_view(COORDINATOR)
@require_POST
def publish(request, project):
    publication = actions.publication_for(project)
    try:
        version = actions.publish(publication, by=request.user)
    except actions.PublishRefused as refused:
        for problem in refused.problems[:10]:
            messages.error(request, problem)
        return _go(project, "preview")
    messages.success(request, f"Version {version.number} is published.")
    return _go(project, "versions")


@project_view(WRITERS)
@require_GET
def versions(request, project):
    publication = actions.publication_for(project)
    page = Paginator(publication.versions.order_by("-number").select_related("published_by"), 20).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "publication/versions.html",
        {
            "project": project,
            "publication": publication,
            "page": page,
            "is_coordinator": request.membership.role == Role.COORDINATOR,
        },
    )


def _version(project, number: int) -> PublishedVersion:
    return get_scoped(PublishedVersion.objects.filter(publication__project=project), number=number)


@project_view(COORDINATOR)
@require_POST
def unpublish(request, project, number):
    version = _version(project, number)
    try:
        actions.unpublish(version, by=request.user)
    except actions.PublishRefused as refused:
        messages.error(request, refused.problems[0])
    else:
        messages.success(request, f"Version {version.number} is no longer public.")
    return _go(project, "versions")


@project_view(WRITERS)
@require_GET
def case_study(request, project, number):
    version = _version(project, number)
    return render(request, "publication/case_study.html", {"project": project, "version": version})


@project_view(WRITERS)
@require_GET
def case_study_pdf(request, project, number):
    """The stored case study as an accessible PDF (PDF/UA: tagged, with language and title)."""
    from weasyprint import HTML

    from coproduction.pdf import LocalOnlyFetcher

    version = _version(project, number)
    html = render(request, "publication/case_study_pdf.html", {"version": version}).content.decode()
    out = io.BytesIO()
    HTML(string=html, url_fetcher=LocalOnlyFetcher(), base_url=None).write_pdf(out, pdf_variant="pdf/ua-1")
    record(request.user, "publication.case_study_downloaded", version, project=project)
    response = HttpResponse(out.getvalue(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="case-study-v{version.number}.pdf"'
    return response
