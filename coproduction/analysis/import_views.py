"""Import a REFI-QDA project (.qdpx) or codebook (.qdc): upload → dry run → confirm, then the
imported texts' way through the anonymisation gate (notes page to resolve findings, review).

Coordinators only: an import puts texts into the gate that only a coordinator may release.
"""

from dataclasses import replace

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coproduction.access import get_scoped, project_view
from coproduction.analysis import pending_uploads, refiqda_import
from coproduction.analysis.import_forms import ConfirmProjectImportForm, ProjectImportForm
from coproduction.analysis.views import LimitedUpload
from coproduction.models import ImportBatch, ImportedSource, NotesDraft, Role
from coproduction.notes.views import NotesPages, review_response, writer_views

COORDINATOR = {Role.COORDINATOR}


def _page(request, project, form, *, plan=None, token=None, status=200):
    batches = ImportBatch.objects.filter(project=project).order_by("-created_at", "-pk")[:10]
    context = {"project": project, "form": form, "plan": plan, "token": token, "batches": batches}
    return render(request, "analysis/project_import.html", context, status=status)


# The upload handler must be in place before anything reads the body, and the CSRF check reads
# it: so CSRF is checked inside, after the handler is added (as the codebook import does).
@csrf_exempt
@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def project_import(request, project):
    limited = LimitedUpload(request, refiqda_import.max_upload_bytes())
    request.upload_handlers.insert(0, limited)
    return _project_import(request, project, limited)


@csrf_protect
def _project_import(request, project, limited: LimitedUpload):
    """Upload → the dry run: everything that would be created, mapped, matched, changed or
    dropped. Nothing is saved; the file waits server-side for the confirmation."""
    posted = request.method == "POST"
    form = ProjectImportForm(request.POST if posted else None, request.FILES if posted else None, project=project)
    if not posted:
        return _page(request, project, form)
    if limited.too_large:
        form.is_valid()
        form.errors.pop("file", None)
        limit = refiqda_import.max_upload_bytes() // 1024
        form.add_error("file", f"The file is larger than {limit} KB, the most that can be imported. Nothing was imported.")
        return _page(request, project, form, status=400)
    if not form.is_valid():
        return _page(request, project, form, status=400)
    upload = form.cleaned_data["file"]
    data = upload.read()
    cohort, month = form.cleaned_data["cohort"], form.cleaned_data["month"]
    try:
        parsed = refiqda_import.read_upload(upload.name, data)
        plan = refiqda_import.plan_import(project, parsed, cohort=cohort, month=month)
    except refiqda_import.ImportRefused as error:
        form.add_error("file", f"{error} Nothing was imported.")
        return _page(request, project, form, status=400)
    kept = pending_uploads.KeptUpload(upload.name, data, cohort, month)
    token = pending_uploads.keep_upload(project, request.user, kept)
    return _page(request, project, form, plan=plan, token=token)


@project_view(COORDINATOR)
@require_POST
def project_import_confirm(request, project):
    """All or nothing, in one transaction, audited; the texts enter the gate as drafts."""
    form = ConfirmProjectImportForm(request.POST)
    kept = pending_uploads.take_upload(project, request.user, form.data.get("token", "")) if form.is_valid() else None
    upload_form = ProjectImportForm(project=project)
    if kept is None:
        messages.error(request, "This import has expired or was already confirmed. Upload the file again. Nothing was imported.")
        return _page(request, project, upload_form, status=400)
    try:
        parsed = refiqda_import.read_upload(kept.name, kept.data)
        batch = refiqda_import.confirm_import(project, parsed, cohort=kept.cohort, month=kept.month, by=request.user)
    except refiqda_import.ImportRefused as error:
        messages.error(request, f"{error} Upload the file again. Nothing was imported.")
        return _page(request, project, upload_form, status=400)
    count = batch.sources.count()
    messages.success(
        request, f"Imported. {count} text{'s' if count != 1 else ''} wait{'' if count != 1 else 's'} for PII review and release."
    )
    return redirect("analysis:import_batch", slug=project.slug, pk=batch.pk)


@project_view(COORDINATOR)
@require_GET
def import_batch(request, project, pk):
    """The import's report: what it created and mapped, each text's place in the gate, and the
    codings dropped when a text was released."""
    batch = get_scoped(ImportBatch.objects.filter(project=project), pk=pk)
    sources = ImportedSource.objects.filter(batch=batch).select_related("notes", "document").order_by("position")
    page = Paginator(sources, 50).get_page(request.GET.get("page"))
    return render(request, "analysis/import_batch.html", {"project": project, "batch": batch, "page": page})


def _imported(request, project, pk) -> ImportedSource:
    return get_scoped(ImportedSource.objects.visible_to(request.user, project).select_related("batch"), pk=pk)


def _pages(project, imported: ImportedSource) -> NotesPages:
    def url(name: str) -> str:
        return reverse(f"analysis:{name}", kwargs={"slug": project.slug, "pk": imported.pk})

    # The file's own name for the text may name someone: on these coordinators' pages only.
    in_file = f" (“{imported.name[:80]}” in the file)" if imported.name else ""
    return NotesPages(
        caption=f"{imported.label}{in_file}",
        notes_url=url("imported_notes"),
        redact_url=url("imported_redact"),
        dismiss_url=url("imported_dismiss"),
        done_url=reverse("analysis:import_batch", kwargs={"slug": project.slug, "pk": imported.batch_id}),
        review_list_url=reverse("notes:review_list", kwargs={"slug": project.slug}),
    )


def _open_imported_notes(request, project, pk):
    """An imported text's draft, for any coordinator of the project while it is editable (the
    PII check found something to resolve, or a reviewer sent it back)."""
    imported = _imported(request, project, pk)
    draft = imported.notes
    if draft is None or not draft.is_editable:
        messages.error(request, "This text is not waiting for changes: it is under review or released.")
        return redirect("analysis:import_batch", slug=project.slug, pk=imported.batch_id)
    return draft, _pages(project, imported)


imported_notes, imported_redact, imported_dismiss, imported_submit = writer_views(COORDINATOR, _open_imported_notes)


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def imported_review(request, project, pk):
    imported = _imported(request, project, pk)
    if imported.notes_id is None or imported.notes.status != NotesDraft.Status.SUBMITTED:
        raise Http404
    pages = _pages(project, imported)
    return review_response(
        request,
        project,
        imported.notes,
        replace(pages, caption=f"{pages.caption}, imported by {imported.batch.created_by}"),
        released=(
            "Imported text released into the corpus, with its codings. "
            "Any coding the review moved is listed in the import's report."
        ),
        sent_back="Imported text sent back: resolve it on its notes page.",
    )
