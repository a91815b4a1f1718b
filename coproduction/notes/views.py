"""What the notes pages of every owner share: the request handling of writing, redacting,
keeping, submitting and reviewing notes. Each owner's views fetch the draft through their own
scoping helpers (404 for others' drafts) and call these with the owner's URLs and caption."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from coproduction.access import project_view
from coproduction.audit import record
from coproduction.models import NotesDraft, PiiResolution, Project, Role
from coproduction.models.codebook import CODING_ROLES
from coproduction.notes import actions as gate
from coproduction.notes.actions import SectionFinding
from coproduction.notes.forms import DismissForm, NotesForm, ReviewForm
from coproduction.notes.owners import owners, review_items


def marked_sections(
    draft: NotesDraft, kept: list[tuple[SectionFinding, PiiResolution]]
) -> list[tuple[str, list[tuple[str, int | None]]]]:
    """Each section as pieces of text; a piece the author kept after a finding carries its
    number in the list of kept findings, so the reviewer sees it marked in place."""
    numbered = {}
    for number, (item, _) in enumerate(kept, start=1):
        numbered.setdefault(item.section, []).append((item.finding.start, item.finding.end, number))
    sections = []
    for key, heading, text in draft.section_list():
        pieces, position = [], 0
        for start, end, number in sorted(numbered.get(key, [])):
            pieces += [(text[position:start], None), (text[start:end], number)]
            position = end
        pieces.append((text[position:], None))
        sections.append((heading, [(piece, number) for piece, number in pieces if piece]))
    return sections


@dataclass(frozen=True)
class NotesPages:
    """Where an owner's notes pages live and what their caption says; the handling is shared.
    `done_url` is where the writer lands after submitting (the interview, the event), and
    `review_list_url` where the reviewer lands after deciding."""

    caption: str
    notes_url: str
    redact_url: str
    dismiss_url: str
    done_url: str = ""
    review_list_url: str = ""


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _notes_page(request, project, draft, form, pages: NotesPages, *, conflict=None, status=200) -> HttpResponse:
    findings, scan_error = [], None
    try:
        findings = gate.findings_for(draft)
    except gate.ScanUnavailable as unavailable:
        scan_error = unavailable.message
    return render(
        request,
        "notes/notes.html",
        {
            "project": project,
            "draft": draft,
            "pages": pages,
            "form": form,
            "findings": findings,
            "scan_error": scan_error,
            "dismiss_form": DismissForm(),
            "resolutions": draft.resolutions.select_related("by"),
            "conflict": conflict,
        },
        status=status,
    )


def notes_response(request, project, draft: NotesDraft, pages: NotesPages) -> HttpResponse:
    """The notes page: show it, or save what was posted (autosave answers in JSON), and submit
    when the form's "Submit for review" button was used."""
    if request.method == "GET":
        record(request.user, "notes.opened", draft, project=project)
        return _notes_page(request, project, draft, NotesForm(draft=draft), pages)
    form = NotesForm(request.POST, draft=draft)
    if not form.is_valid():
        if _wants_json(request):
            return JsonResponse({"ok": False, "errors": [e for errors in form.errors.values() for e in errors]}, status=400)
        return _notes_page(request, project, draft, form, pages, status=400)
    try:
        draft = gate.save_notes(draft, sections=form.sections(), version=form.cleaned_data["version"], by=request.user)
    except gate.NotesConflict as conflict:
        saved = conflict.draft
        if _wants_json(request):
            return JsonResponse({"ok": False, "conflict": True, "version": saved.version}, status=409)
        # Both texts on the page: what is saved (theirs) read-only, and what was typed, kept in the form.
        theirs = [(heading, text) for _, heading, text in saved.section_list()]
        # The form keeps what was typed but now names the saved version, so the next Save,
        # after combining the two, goes through.
        typed = request.POST.copy()
        typed["version"] = str(saved.version)
        form = NotesForm(typed, draft=saved)
        form.is_valid()
        return _notes_page(request, project, saved, form, pages, conflict=theirs, status=409)
    except gate.NotesRefused as refused:
        if _wants_json(request):
            return JsonResponse({"ok": False, "errors": [refused.message]}, status=400)
        form.add_error(None, refused.message)
        return _notes_page(request, project, draft, form, pages, status=400)
    saved_at = timezone.localtime(draft.saved_at).strftime("%H:%M")
    if _wants_json(request):
        try:
            count = len(gate.findings_for(draft))
        except gate.ScanUnavailable:
            count = None
        return JsonResponse({"ok": True, "version": draft.version, "saved_at": saved_at, "findings": count})
    if request.POST.get("then") == "submit":
        # "Submit for review" is a button of the notes form, so what was typed and not yet
        # autosaved is saved first, in this request.
        return submit_response(request, project, draft, pages)
    messages.success(request, f"Saved at {saved_at}.")
    return redirect(pages.notes_url)


def redact_response(request, project, draft: NotesDraft, pages: NotesPages) -> HttpResponse:
    try:
        version = int(request.POST.get("version", ""))
        gate.redact_finding(draft, finding_id=request.POST.get("finding", ""), version=version, by=request.user)
    except ValueError:
        messages.error(request, "The page was out of date. Try again.")
    except gate.NotesConflict:
        messages.error(
            request, "The notes were changed elsewhere since this page was opened. The page now shows the saved notes."
        )
    except gate.NotesRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "Redacted.")
    return redirect(pages.notes_url)


def dismiss_response(request, project, draft: NotesDraft, pages: NotesPages) -> HttpResponse:
    form = DismissForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason (up to 500 characters) for keeping this text.")
    else:
        try:
            gate.dismiss_finding(
                draft, finding_id=form.cleaned_data["finding"], reason=form.cleaned_data["reason"], by=request.user
            )
        except gate.NotesRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, "Kept, with your reason in the log.")
    return redirect(pages.notes_url)


def submit_response(request, project, draft: NotesDraft, pages: NotesPages) -> HttpResponse:
    try:
        gate.submit_notes(draft, by=request.user)
    except gate.NotesRefused as refused:
        messages.error(request, refused.message)
        return redirect(pages.notes_url)
    messages.success(request, "Notes sent for review.")
    return redirect(pages.done_url)


def review_response(request, project, draft: NotesDraft, pages: NotesPages, *, released: str, sent_back: str) -> HttpResponse:
    """The coordinator's review: the text with kept findings marked, the resolution log, and
    release (`released` is the message then) or send back with a comment."""
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("decision") == "release":
                gate.release_notes(draft, by=request.user)
                messages.success(request, released)
            else:
                gate.send_back(draft, comment=form.cleaned_data["comment"], by=request.user)
                messages.success(request, sent_back)
        except gate.NotesRefused as refused:
            form.add_error("comment" if request.POST.get("decision") != "release" else None, refused.message)
        else:
            return redirect(pages.review_list_url)
    record(request.user, "notes.read", draft, project=project)
    kept, scan_error = [], None
    try:
        kept = gate.dismissed_findings(draft)
    except gate.ScanUnavailable as unavailable:
        scan_error = unavailable.message
    return render(
        request,
        "notes/review.html",
        {
            "project": project,
            "draft": draft,
            "pages": pages,
            "form": form,
            "sections": marked_sections(draft, kept),
            "scan_error": scan_error,
            "kept": kept,
            "resolutions": draft.resolutions.select_related("by"),
        },
    )


OpenDraft = Callable[[HttpRequest, Project, int], tuple[NotesDraft, NotesPages] | HttpResponse]


def writer_views(roles: set[str], open_draft: OpenDraft) -> tuple[Callable, Callable, Callable, Callable]:
    """The notes, redact, dismiss and submit views of an owner. `open_draft` fetches the
    signed-in writer's draft through the owner's scoping helpers (404 for others' subjects and
    drafts) and returns it with the owner's pages, or a response (back to the subject, with
    the reason) when the notes cannot be opened."""

    def writer_view(handle, methods: list[str]):
        @project_view(roles)
        @require_http_methods(methods)
        @wraps(handle)
        def view(request, project, pk):
            opened = open_draft(request, project, pk)
            if isinstance(opened, HttpResponse):
                return opened
            draft, pages = opened
            return handle(request, project, draft, pages)

        return view

    return (
        writer_view(notes_response, ["GET", "POST"]),
        writer_view(redact_response, ["POST"]),
        writer_view(dismiss_response, ["POST"]),
        writer_view(submit_response, ["POST"]),
    )


@project_view({Role.COORDINATOR})
@require_GET
def review_list(request, project):
    """Every draft waiting for review, of every owner (interviews, events), oldest first."""
    kinds = {owner.kind: owner.label for owner in owners()}
    kind = request.GET.get("kind", "")
    drafts = NotesDraft.objects.awaiting_review(project).select_related("author").order_by("submitted_at", "pk")
    if kind in kinds:
        drafts = drafts.filter(owner_kind=kind)
    page = Paginator(drafts, 25).get_page(request.GET.get("page"))
    items = review_items(list(page.object_list))
    rows = [(draft, items[draft.pk]) for draft in page.object_list if draft.pk in items]
    return render(
        request,
        "notes/review_list.html",
        {
            "project": project,
            "page": page,
            "rows": rows,
            "kinds": kinds,
            "kind": kind if kind in kinds else "",
            "query": f"kind={kind}" if kind in kinds else "",
            "corpus_link": request.membership.role in CODING_ROLES,
        },
    )
