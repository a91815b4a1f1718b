"""Import actions from a spreadsheet (dry run, then confirm) and export the action plan.

Coordinators only: an import changes the plan, and an export carries the whole of it.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from coproduction.access import project_view
from coproduction.analysis.views import LimitedUpload
from coproduction.audit import record
from coproduction.strategy import exchange, pending_imports
from coproduction.strategy.exchange_forms import ActionImportForm, ConfirmImportForm, ExportPlanForm
from coproduction.strategy.tables import MAX_BYTES, TableRefused, read_table

COORDINATORS = {"coordinator"}


def _import_page(request, project, form, *, plan=None, token=None, status=200):
    context = {"project": project, "form": form, "plan": plan, "token": token, "columns": exchange.COLUMNS}
    return render(request, "strategy/import.html", context, status=status)


# The upload handler must be in place before anything reads the body, and the CSRF check reads
# it: so CSRF is checked inside, after the handler is added (as the codebook import does).
@csrf_exempt
@project_view(COORDINATORS)
@require_http_methods(["GET", "POST"])
def import_actions(request, project):
    limited = LimitedUpload(request, MAX_BYTES)
    request.upload_handlers.insert(0, limited)
    return _import_actions(request, project, limited)


@csrf_protect
def _import_actions(request, project, limited: LimitedUpload):
    """Upload → the dry run: what would be created and every problem. Nothing is saved."""
    posted = request.method == "POST"
    form = ActionImportForm(request.POST if posted else None, request.FILES if posted else None)
    if not posted:
        return _import_page(request, project, form)
    if limited.too_large:
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error(
            "file", f"The file is larger than {MAX_BYTES // 1024} KB, the most that can be imported. Nothing was imported."
        )
        return _import_page(request, project, form)
    if not form.is_valid():
        return _import_page(request, project, form)
    upload = form.cleaned_data["file"]
    try:
        table = read_table(upload.name, upload.read())
    except TableRefused as error:
        form.add_error("file", f"{error} Nothing was imported.")
        return _import_page(request, project, form)
    plan = exchange.plan_import(project, table)
    if plan.errors:
        form.add_error(
            "file",
            f"The file has {len(plan.errors)} problem{'s' if len(plan.errors) != 1 else ''}, listed below. Nothing was imported.",
        )
        return _import_page(request, project, form, plan=plan)
    token = pending_imports.keep_upload(project, request.user, table)
    return _import_page(request, project, ActionImportForm(), plan=plan, token=token)


@project_view(COORDINATORS)
@require_POST
def import_confirm(request, project):
    """All or nothing, in one transaction, each action audited."""
    form = ConfirmImportForm(request.POST)
    table = pending_imports.take_upload(project, request.user, form.data.get("token", "")) if form.is_valid() else None
    upload_form = _form_saying_nothing_was_imported()
    if table is None:
        upload_form.add_error(
            None, "This import has expired or was already confirmed. Upload the file again. Nothing was imported."
        )
        return _import_page(request, project, upload_form, status=400)
    try:
        created = exchange.import_actions(project, table, by=request.user)
    except exchange.ImportRefused as refused:
        upload_form.add_error(
            None,
            "The action plan changed since the check (problems below). Upload the file again. Nothing was imported.",
        )
        return _import_page(request, project, upload_form, plan=refused.plan)
    messages.success(request, f"{len(created)} action{'s were' if len(created) != 1 else ' was'} imported.")
    return redirect("strategy:import", slug=project.slug)


def _form_saying_nothing_was_imported() -> ActionImportForm:
    """A fresh upload form that can carry a message in the error summary."""
    form = ActionImportForm({}, {})
    form.is_valid()
    form.errors.clear()
    return form


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@project_view(COORDINATORS)
@require_http_methods(["GET", "POST"])
def export_plan(request, project):
    """The action plan as CSV, Excel or PDF, audited."""
    form = ExportPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fmt = form.cleaned_data["format"]
        build = {"csv": exchange.csv_bytes, "xlsx": exchange.xlsx_bytes, "pdf": exchange.pdf_bytes}[fmt]
        body = build(project)
        record(request.user, f"strategy.export.{fmt}", project)
        response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{project.slug}-action-plan.{fmt}"'
        return response
    return render(request, "strategy/export.html", {"project": project, "form": form})
