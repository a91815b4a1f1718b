"""Analysis pages: codebook, coding, agreement, theme × cohort, search, exports.

Analysts and coordinators see everything here; peer researchers propose themes and code the
released corpus of their project (co-analysis); supervisors see none of it.
"""

import io
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coproduction.access import get_scoped, project_view
from coproduction.analysis import actions, agreement, builders, consensus, exports, refiqda
from coproduction.analysis.corpus import document_page
from coproduction.analysis.counts import codebook_page, coding_set, codings_of, cohort_matrix, themes_of
from coproduction.analysis.forms import (
    AgreementForm,
    CodebookImportForm,
    CodingForm,
    ConsensusDecisionForm,
    ConsensusStartForm,
    ExportForm,
    MemoForm,
    MergeForm,
    SearchForm,
    ThemeForm,
)
from coproduction.analysis.parts import chosen_part, document_parts
from coproduction.analysis.search import RANKED, hits, search_project
from coproduction.analysis.tasks import export_dir, queue_export_job
from coproduction.audit import record
from coproduction.markup import escaped
from coproduction.models import Adjudication, Coding, Document, Excerpt, ExportJob, Memo, Theme, User
from coproduction.models.codebook import ANALYSIS_ROLES, CODING_ROLES, theme_paths
from coproduction.prepared import PreparedQuery

ANALYSTS = ANALYSIS_ROLES
CODERS = CODING_ROLES


def _is_analyst(request) -> bool:
    return request.membership.role in ANALYSTS


# ---- codebook -------------------------------------------------------------------------------


_proposed_themes = PreparedQuery(
    lambda project_id: Theme.objects.filter(project=project_id).proposed().select_related("proposed_by", "parent")
)


@project_view(CODERS)
@require_http_methods(["GET", "POST"])
def themes(request, project):
    """The codebook with counts; analysts add themes, peer researchers propose them."""
    form = ThemeForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        theme = actions.create_theme(project=project, by=request.user, proposed=not _is_analyst(request), **form.cleaned_data)
        messages.success(request, f"“{theme.name}” was {'added' if _is_analyst(request) else 'proposed'}.")
        return redirect("analysis:themes", slug=project.slug)
    codings = coding_set(project)
    page, rows = codebook_page(project, codings, request.GET.get("page"))
    proposals = _proposed_themes(project_id=project.pk)
    retired = themes_of(project, (Theme.Status.RETIRED,))
    return render(
        request,
        "analysis/themes.html",
        {
            "project": project,
            "rows": rows,
            "page": page,
            "proposals": proposals,
            "retired": retired,
            "codings": codings,
            "form": form,
            "is_analyst": _is_analyst(request),
            "blind": actions.hides_others_codings(project, request.user),
        },
    )


@project_view(CODERS)
@require_http_methods(["GET", "POST"])
def theme_detail(request, project, pk):
    """Drill-down to the quotes of a theme, its memos; analysts edit, move, merge, retire."""
    theme = get_scoped(Theme.objects.visible_to(request.user, project).select_related("parent", "merged_into"), pk=pk)
    form = ThemeForm(request.POST or None, instance=theme, project=project, prefix="theme")
    if request.method == "POST":
        if not _is_analyst(request):
            raise PermissionDenied
        if form.is_valid():
            try:
                actions.update_theme(theme, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "The theme was saved.")
                return redirect("analysis:theme", slug=project.slug, pk=theme.pk)
        theme.refresh_from_db()
    codings = (
        codings_of(project)
        .filter(theme=theme)
        .select_related("excerpt__document__participant", "coder")
        .order_by("excerpt__document__title", "excerpt__start")
    )
    blind = actions.hides_others_codings(project, request.user)
    if blind:
        codings = codings.filter(coder=request.user)
    cohort = request.GET.get("cohort", "")
    if cohort:
        codings = codings.filter(excerpt__document__cohort=cohort)
    page = Paginator(codings, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    memos = theme.memos.select_related("author")
    if blind:
        memos = memos.filter(author=request.user)  # others' memos could give their coding away
    return render(
        request,
        "analysis/theme.html",
        {
            "project": project,
            "theme": theme,
            "path": theme_paths(list(project.themes.all()))[theme.pk],
            "page": page,
            "memos": memos,
            "form": form,
            "merge_form": MergeForm(theme=theme),
            "cohort": cohort,
            "query": query.urlencode(),
            "memo_form": MemoForm(),
            "is_analyst": _is_analyst(request),
            "blind": blind,
        },
    )


@project_view(ANALYSTS)
@require_POST
def theme_change_status(request, project, pk):
    """Merge, retire, accept or decline a theme."""
    theme = get_scoped(Theme.objects.visible_to(request.user, project), pk=pk)
    action = request.POST.get("action")
    if action == "merge":
        form = MergeForm(request.POST, theme=theme)
        if not form.is_valid():
            messages.error(request, "Choose a theme to merge into.")
            return redirect("analysis:theme", slug=project.slug, pk=theme.pk)
        try:
            target = actions.merge_themes(theme, form.cleaned_data["target"], by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("analysis:theme", slug=project.slug, pk=theme.pk)
        messages.success(request, f"“{theme.name}” was merged into “{target.name}”; its codings moved with it.")
        return redirect("analysis:theme", slug=project.slug, pk=target.pk)
    if action == "retire":
        actions.retire_theme(theme, by=request.user)
        messages.success(request, f"“{theme.name}” was retired. Its codings are kept.")
    elif action == "restore" and theme.status == Theme.Status.RETIRED:
        actions.restore_theme(theme, by=request.user)
        messages.success(request, f"“{theme.name}” is back in use.")
    elif action == "accept" and theme.status == Theme.Status.PROPOSED:
        actions.accept_proposal(theme, by=request.user)
        messages.success(request, f"“{theme.name}” is now in the codebook.")
    elif action == "decline" and theme.status == Theme.Status.PROPOSED:
        actions.decline_proposal(theme, by=request.user)
        messages.success(request, f"“{theme.name}” was declined.")
    else:
        messages.error(request, "That change cannot be made to this theme.")
    return redirect("analysis:themes", slug=project.slug)


@project_view(CODERS)
@require_POST
def theme_memo(request, project, pk):
    theme = get_scoped(Theme.objects.visible_to(request.user, project), pk=pk)
    form = MemoForm(request.POST)
    if form.is_valid():
        actions.add_memo(project=project, author=request.user, text=form.cleaned_data["text"], theme=theme)
        messages.success(request, "The memo was added.")
    else:
        messages.error(request, form.problem())
    return redirect("analysis:theme", slug=project.slug, pk=theme.pk)


class LimitedUpload(FileUploadHandler):
    """Stops reading an upload as soon as it passes the import limit, so an enormous file is
    never written to disk; the view then explains the limit."""

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.too_large = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


# The upload handler must be in place before anything reads the body, and the CSRF check reads
# it: so CSRF is checked inside, after the handler is added (Django's documented pattern).
@csrf_exempt
@project_view(ANALYSTS)
@require_http_methods(["GET", "POST"])
def codebook_import(request, project):
    limited = LimitedUpload(request, refiqda.max_import_bytes())
    request.upload_handlers.insert(0, limited)
    return _codebook_import(request, project, limited)


@csrf_protect
def _codebook_import(request, project, limited: LimitedUpload):
    posted = request.method == "POST"
    form = CodebookImportForm(request.POST if posted else None, request.FILES if posted else None)
    result = None
    if limited.too_large:
        form.is_valid()
        form.errors.pop("file", None)
        limit = refiqda.max_import_bytes() // 1024
        form.add_error("file", f"The file is larger than {limit} KB, the most that can be imported. Nothing was imported.")
    elif request.method == "POST" and form.is_valid():
        try:
            result = refiqda.import_codebook(project, form.cleaned_data["file"].read(), by=request.user)
        except refiqda.ImportRefused as error:
            form.add_error("file", f"{error} Nothing was imported.")
        else:
            messages.success(request, f"Codebook imported: {result.created} new themes, {result.updated} updated.")
    return render(request, "analysis/import.html", {"project": project, "form": form, "result": result})


# ---- documents and coding -------------------------------------------------------------------


_active_or_own_proposals = PreparedQuery(
    lambda project_id, user_id: Theme.objects.filter(
        Q(status=Theme.Status.ACTIVE) | Q(status=Theme.Status.PROPOSED, proposed_by=user_id), project=project_id
    )
)


def _coding_themes(request, project):
    """Analysts code with the codebook; peer researchers also with their own proposals."""
    if _is_analyst(request):
        return themes_of(project, (Theme.Status.ACTIVE,))
    themes = _active_or_own_proposals(project_id=project.pk, user_id=request.user.pk)
    for theme in themes:
        theme.project = project  # as project.themes would: no query for theme.project
    return themes


@project_view(CODERS)
@require_GET
def documents(request, project):
    page = document_page(Document.objects.visible_to(request.user, project), request.GET, request.user)
    blind = actions.hides_others_codings(project, request.user)
    return render(request, "analysis/documents.html", {"project": project, "page": page, "blind": blind})


def _segments(
    text: str, excerpts: list[Excerpt], focus: tuple[int, int] | None, window: tuple[int, int] | None = None
) -> list[dict]:
    """Split the text (or the window of it shown) at every excerpt boundary so each piece is
    plain or coded by a set of excerpts. Each piece carries its code-point offset in the whole
    text, which coding.js reads."""
    low, high = window or (0, len(text))
    cuts = {low, high}
    for excerpt in excerpts:
        cuts.update((excerpt.start, excerpt.end))
    if focus:
        cuts.update(focus)
    points = sorted(c for c in cuts if low <= c <= high)
    # One sweep: at each cut, excerpts ending there leave the open set and those starting there
    # join it; the open set then covers exactly the piece up to the next cut.
    names = {e.pk: e.theme_names for e in excerpts}
    opening: dict[int, list[int]] = {}
    closing: dict[int, list[int]] = {}
    for excerpt in excerpts:
        opening.setdefault(max(excerpt.start, low), []).append(excerpt.pk)  # open at the window's start
        closing.setdefault(excerpt.end, []).append(excerpt.pk)
    open_now: set[int] = set()
    pieces = []
    anchored = False
    for start, end in zip(points, points[1:], strict=False):
        open_now.difference_update(closing.get(start, ()))
        open_now.update(opening.get(start, ()))
        if start == end:
            continue
        themes = sorted(set().union(*(names[pk] for pk in open_now)))
        in_focus = bool(focus and focus[0] <= start and end <= focus[1])
        pieces.append(
            {
                "start": start,
                "text": text[start:end],
                "themes": ", ".join(themes),
                "focus": in_focus,
                "anchor": in_focus and not anchored,
            }
        )
        anchored = anchored or in_focus
    return pieces


# The coding page's Document on every visit: compiled once per role (visible_to_role scopes it).
_document_seen_by = PreparedQuery(
    lambda role, project_id, pk: Document.objects.visible_to_role(role, project_id).filter(pk=pk).order_by()[:1]
)


@project_view(CODERS)
@require_http_methods(["GET", "POST"])
def document_detail(request, project, pk):
    """Read and code one document: select text with the mouse (coding.js fills in the offsets),
    or choose a sentence or paragraph from a list with the keyboard."""
    found = _document_seen_by(request.membership.role, project_id=project.pk, pk=pk)
    if not found:
        raise Http404
    document = found[0]
    if request.method == "GET":
        # Reading the corpus is audited like reading a draft: who opened which Document, when.
        record(request.user, "document.opened", document, project=project)
    themes = _coding_themes(request, project)
    focus = _focus(request.GET)
    parts = document_parts(document)
    part = chosen_part(parts, request.GET, focus)
    form = CodingForm(request.POST or None, document=document, themes=themes, window=(part.start, part.end))
    if request.method == "POST" and form.is_valid():
        start, end = form.cleaned_data["span"]
        try:
            actions.code_excerpt(
                document=document, start=start, end=end, themes=form.cleaned_data["theme_objects"], coder=request.user
            )
        except actions.CodingRefused as error:
            form.add_error(None, " ".join(error.messages))
        else:
            messages.success(request, "The passage was coded.")
            url = reverse("analysis:document", kwargs={"slug": project.slug, "pk": document.pk})
            return redirect(f"{url}?part={part.number}" if len(parts) > 1 else url)
    blind = actions.hides_others_codings(project, request.user)
    shown = _shown_spans(document, part, request.user if blind else None)
    cards = Paginator(shown, CARDS_PER_PAGE).get_page(request.GET.get("passages"))
    return render(
        request,
        "analysis/document.html",
        {
            "project": project,
            "document": document,
            "segments": (segments := _segments(document.text, shown, focus, (part.start, part.end))),
            "text": _coded_text(segments),
            "part": part,
            "parts": parts if len(parts) > 1 else [],
            "excerpts": _with_memos(list(cards.object_list)),
            "cards": cards,
            "cards_query": f"part={part.number}" if len(parts) > 1 else "",
            "form": form,
            "blind": blind,
            "memo_form": MemoForm(),
            "is_analyst": _is_analyst(request),
        },
    )


CARDS_PER_PAGE = 50  # coded passages listed under the text, a page at a time


def _shown_spans(document: Document, part, coder: User | None) -> list[SimpleNamespace]:
    """The excerpts in this part of the document (a blind coder's own only), in the order of the
    text, as plain rows, not model instances (a part can hold a thousand codings): where each is,
    its themes (colour and name, in the order they were coded) and what its card says (coder,
    time, report). One query: an excerpt's row repeats for each of its codings."""
    where = {"document_id": document.pk, "start": part.start, "end": part.end}
    if coder is not None:
        where["coder_id"] = coder.pk
    spans: dict[int, SimpleNamespace] = {}
    for pk, start, end, chosen, created_at, coder_id, display_name, email, colour, name in _spans_in_part(**where):
        span = spans.get(pk)
        if span is None:
            span = spans[pk] = SimpleNamespace(
                pk=pk,
                start=start,
                end=end,
                quote=document.text[start:end],  # as Excerpt.quote, from the text already loaded
                chosen_for_report=chosen,
                created_at=created_at,
                coder_id=coder_id,
                coder=display_name or email,  # as str(User)
                themes=[],
                theme_names=set(),
                memos=[],
            )
        if name is not None:  # an excerpt whose every coding was removed has none
            span.themes.append((colour, name))
            span.theme_names.add(name)
    return list(spans.values())


def _excerpts_in_part(document_id: int, start: int, end: int, coder_id: int | None = None) -> QuerySet:
    excerpts = Excerpt.objects.filter(document=document_id, start__lt=end, end__gt=start)
    return excerpts if coder_id is None else excerpts.filter(coder=coder_id)


# The coding page on every visit: compiled once (a blind coder's, with coder_id, apart).
_spans_in_part = PreparedQuery(
    lambda **where: (
        _excerpts_in_part(**where)
        .order_by("start", "pk", "codings__pk")
        .values_list(
            "pk",
            "start",
            "end",
            "chosen_for_report",
            "created_at",
            "coder_id",
            "coder__display_name",
            "coder__email",
            "codings__theme__colour",
            "codings__theme__name",
        )
    )
)
# The memos on the page's cards: compiled once per number of cards on the page.
_card_memos = PreparedQuery(
    lambda ids: (
        Memo.objects.filter(excerpt__in=ids)
        .order_by("created_at", "pk")
        .values_list("excerpt_id", "text", "author__display_name", "author__email")
    )
)


def _with_memos(spans: list[SimpleNamespace]) -> list[SimpleNamespace]:
    """The page's cards, each with its memos (text, author as str(User) reads). One query."""
    by_pk = {span.pk: span for span in spans}
    for excerpt_id, text, display_name, email in _card_memos(ids=list(by_pk)):
        by_pk[excerpt_id].memos.append((text, display_name or email))
    return spans


def _coded_text(pieces: list[dict]):
    """The text as marked-up pieces (one element per piece), built here rather than in the
    template: a part with a thousand codings is a few thousand pieces."""
    html = []
    for piece in pieces:
        text, offset = escaped(piece["text"]), piece["start"]
        if piece["focus"]:
            anchor = ' id="focus"' if piece["anchor"] else ""
            html.append(f'<mark class="cg-focus" data-offset="{offset}"{anchor}>{text}</mark>')
        elif piece["themes"]:
            html.append(f'<mark class="cg-coded" data-offset="{offset}" title="{escaped(piece["themes"])}">{text}</mark>')
        else:
            html.append(f'<span data-offset="{offset}">{text}</span>')
    return mark_safe("".join(html))  # noqa: S308  every piece of text and every theme name is escaped above


def _focus(query) -> tuple[int, int] | None:
    """A span to highlight, from ?start=&end= (links from quotes and from disagreements)."""
    try:
        return int(query["start"]), int(query["end"])
    except (KeyError, ValueError):
        return None


@project_view(CODERS)
@require_POST
def excerpt_change(request, project, pk):
    """Remove one's own excerpt, add a memo to it, or (analysts) choose it for the report."""
    excerpt = get_scoped(Excerpt.objects.visible_to(request.user, project).select_related("document"), pk=pk)
    blind = actions.hides_others_codings(project, request.user)
    if blind and excerpt.coder_id != request.user.pk:
        raise Http404
    pk = excerpt.pk
    here = _where_excerpt_was(excerpt, request.user if blind else None)  # before a removal moves the rest up
    action = request.POST.get("action")
    if action == "remove":
        try:
            actions.remove_excerpt(excerpt, by=request.user)
        except actions.CodingRefused as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "The coding was removed.")
    elif action == "memo":
        form = MemoForm(request.POST)
        if form.is_valid():
            actions.add_memo(project=project, author=request.user, text=form.cleaned_data["text"], excerpt=excerpt)
            messages.success(request, "The memo was added.")
        else:
            messages.error(request, form.problem())
    elif action in {"choose", "unchoose"} and _is_analyst(request):
        excerpt.chosen_for_report = action == "choose"
        excerpt.save(update_fields=["chosen_for_report"])
        messages.success(request, "The report quotes were updated.")
    else:
        messages.error(request, "That change cannot be made.")
    return redirect(here if excerpt.pk else here.replace(f"#excerpt-{pk}", "#passages"))


def _where_excerpt_was(excerpt: Excerpt, coder: User | None) -> str:
    """Back to the part and page of cards the excerpt is (or was) on, at its card."""
    document = excerpt.document
    parts = document_parts(document)
    part = chosen_part(parts, {}, (excerpt.start, excerpt.end))
    before = document.excerpts.filter(start__lt=part.end, end__gt=part.start).filter(
        Q(start__lt=excerpt.start) | Q(start=excerpt.start, pk__lt=excerpt.pk)
    )
    if coder is not None:
        before = before.filter(coder=coder)
    query = {"part": part.number} if len(parts) > 1 else {}
    if (page := before.count() // CARDS_PER_PAGE + 1) > 1:
        query["passages"] = page
    url = reverse("analysis:document", kwargs={"slug": document.project.slug, "pk": document.pk})
    return f"{url}?{urlencode(query)}#excerpt-{excerpt.pk}" if query else f"{url}#excerpt-{excerpt.pk}"


@project_view(CODERS)
@require_POST
def blind_mode(request, project):
    if request.POST.get("action") == "finish":
        actions.finish_blind_session(project, request.user)
        messages.success(request, "Blind coding finished. Everyone's codings are shown again.")
    else:
        actions.start_blind_session(project, request.user)
        messages.success(request, "Blind coding started: you see only your own codings until you finish.")
    return redirect("analysis:documents", slug=project.slug)


# ---- looking at the data --------------------------------------------------------------------


def _coders(project) -> list[User]:
    coder_ids = Coding.objects.filter(excerpt__document__project=project).values("coder").distinct()
    return list(User.objects.filter(pk__in=coder_ids).order_by("display_name", "pk"))


@project_view(ANALYSTS)
@require_GET
def agreement_view(request, project):
    coders = _coders(project)
    form = AgreementForm(request.GET or None, coders=coders)
    result = None
    pair_alpha = group_alpha = None
    blind = actions.hides_others_codings(project, request.user)
    if form.is_bound and form.is_valid() and not blind:
        a, b = form.coders[form.cleaned_data["coder_a"]], form.coders[form.cleaned_data["coder_b"]]
        unit = form.cleaned_data["unit"]
        result = agreement.compare(project, a, b, unit)
        pair_alpha = agreement.krippendorff_alpha(project, [a, b], unit)
        if len(coders) > 2:
            group_alpha = agreement.krippendorff_alpha(project, coders, unit)
    rows = []
    disagreements = None
    if result is not None:
        alphas = {theme.pk: value for theme, value in pair_alpha.per_theme}
        rows = [(theme, table, alphas.get(theme.pk), agreement.explain(table.kappa)) for theme, table in result.per_theme]
        disagreements = Paginator(result.disagreements, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "analysis/agreement.html",
        {
            "project": project,
            "form": form,
            "result": result,
            "rows": rows,
            "overall_explanation": agreement.explain(result.overall.kappa) if result else "",
            "pair_alpha": pair_alpha,
            "group_alpha": group_alpha,
            "alpha_explained": agreement.ALPHA_EXPLAINED,
            "disagreements": disagreements,
            "page": disagreements,
            "blind": blind,
            "query": query.urlencode(),
        },
    )


@project_view(ANALYSTS)
@require_http_methods(["GET", "POST"])
def consensus_view(request, project):
    """Adjudication: start a consensus set for two coders, then decide each disagreement."""
    adjudication = Adjudication.objects.filter(project=project).select_related("coder_a", "coder_b", "started_by").first()
    blind = actions.hides_others_codings(project, request.user)
    action = request.POST.get("action") if request.method == "POST" else None
    coders = _coders(project)
    start_form = ConsensusStartForm(
        request.POST if action == "start" else None, coders=coders, replacing=adjudication is not None, prefix="start"
    )
    decision_form = ConsensusDecisionForm(request.POST if action == "decide" else None)
    status = 200
    if request.method == "POST":
        if blind:
            messages.error(request, "You are coding blind. Finish blind coding before adjudicating other people's codings.")
            return redirect("analysis:consensus", slug=project.slug)
        if action == "start":
            if start_form.is_valid():
                a, b = (start_form.coders[start_form.cleaned_data[k]] for k in ("coder_a", "coder_b"))
                consensus.start_adjudication(project, a, b, by=request.user)
                messages.success(request, "Adjudication started: the passages both coders agree on are in the consensus.")
                return redirect("analysis:consensus", slug=project.slug)
            status = 400
        elif action == "decide" and adjudication is not None:
            if decision_form.is_valid():
                data = decision_form.cleaned_data
                document = get_scoped(Document.objects.visible_to(request.user, project), pk=data["document"])
                try:
                    consensus.decide(adjudication, document, data["start"], data["end"], data["choice"], by=request.user)
                except consensus.DecisionRefused as error:
                    decision_form.add_error(None, " ".join(error.messages))
                else:
                    messages.success(request, "The decision was recorded.")
                    return redirect(f"{reverse('analysis:consensus', kwargs={'slug': project.slug})}?{_page_query(request)}")
            status = 400
        elif action == "discard" and adjudication is not None:
            consensus.discard_adjudication(adjudication, by=request.user)
            messages.success(request, "The consensus coding was deleted. Counts come from all coders' codings again.")
            return redirect("analysis:consensus", slug=project.slug)
        else:
            messages.error(request, "That change cannot be made.")
            return redirect("analysis:consensus", slug=project.slug)
    context = {
        "project": project,
        "adjudication": adjudication,
        "blind": blind,
        "start_form": start_form,
        "decision_form": decision_form,
        "coders_count": len(coders),
        "page": None,
    }
    if adjudication is not None and not blind:
        context.update(_consensus_listing(request, adjudication, decision_form))
    return render(request, "analysis/consensus.html", context, status=status)


def _page_query(request) -> str:
    page = request.POST.get("page") or request.GET.get("page") or "1"
    return f"page={int(page) if page.isdigit() and len(page) < 7 else 1}"


def _consensus_listing(request, adjudication: Adjudication, decision_form) -> dict:
    """The disagreements, 25 a page, each with its decision or the form to make one."""
    comparison = consensus.compare(adjudication.project, adjudication.coder_a, adjudication.coder_b)
    decided = set(adjudication.decisions.values_list("document_id", "start", "end"))
    open_count = sum(1 for p in comparison.passages if (p.document.pk, p.start, p.end) not in decided)
    page = Paginator(comparison.passages, 25).get_page(request.POST.get("page") or request.GET.get("page"))
    passages = consensus.with_decisions(adjudication, list(page.object_list))
    names = {pk: theme.name for pk, theme in comparison.themes.items()}
    posted = decision_form.data if decision_form.is_bound else {}
    items = []
    for passage in passages:
        key = (str(passage.document.pk), str(passage.start), str(passage.end))
        was_posted = (posted.get("document"), posted.get("start"), posted.get("end")) == key
        items.append(
            {
                "passage": passage,
                "first": ", ".join(names[t] for t in passage.only_a) or "no theme",
                "second": ", ".join(names[t] for t in passage.only_b) or "no theme",
                "shared": ", ".join(names[t] for t in passage.shared),
                "chosen": posted.get("choice") if was_posted else "",
                "error": was_posted and bool(decision_form.errors),
            }
        )
    return {
        "page": page,
        "items": items,
        "choices": consensus.ConsensusDecision.Choice.choices,
        "disagreement_count": len(comparison.passages),
        "open_count": open_count,
        "documents_compared": len(comparison.documents),
    }


def _publication(request) -> bool:
    return request.GET.get("publication") == "1"


def _matrix_links(project, data, publication: bool) -> list[tuple]:
    """(theme, path, theme address, [(label, address of that cohort's quotes or "")], total) per
    row: addresses made by joining strings to one reversed prefix, not a reverse() per cell (at
    60 themes the template's URL tags were most of the page's time)."""
    prefix = reverse("analysis:theme", kwargs={"slug": project.slug, "pk": 0})[: -len("0/")]
    cohorts = [quote(cohort) for cohort in data.cohorts]
    rows = []
    for theme, path, labels in data.labelled(project.small_number_threshold, publication):
        address = f"{prefix}{theme.pk}/"
        cells = [
            (label, "" if publication or label == "0" else f"{address}?cohort={cohort}", name)
            for label, cohort, name in zip(labels[:-1], cohorts, data.cohorts, strict=True)
        ]
        rows.append((theme, path, address, cells, labels[-1]))
    return rows


@project_view(ANALYSTS)
@require_GET
def matrix(request, project):
    from coproduction.analysis import report  # matplotlib is heavy: loaded when a chart is drawn

    publication = _publication(request)
    data = cohort_matrix(project)
    threshold = project.small_number_threshold
    rows = data.labelled(threshold, publication)
    note = report.chart_note(rows, data.cohorts, threshold, publication)
    chart = None
    if report.bars_drawn(rows, data.cohorts):
        chart = reverse("analysis:matrix_chart", kwargs={"slug": project.slug}) + ("?publication=1" if publication else "")
    return render(
        request,
        "analysis/matrix.html",
        {
            "project": project,
            "cohorts": data.cohorts,
            "rows": _matrix_links(project, data, publication),
            "counted_from": data.label,
            "publication": publication,
            "chart_note": note,
            "chart": chart,
        },
    )


@project_view(ANALYSTS)
@require_GET
def matrix_chart(request, project):
    """The matrix page's chart, as a PNG of the counts as they are now: its own address, fetched
    by the browser only when the reader scrolls to it (the chart of 60 themes is 280 KB, most
    of what the page weighed when the picture was written into it). Like every signed-in
    response it is never stored (coproduction.middleware)."""
    from coproduction.analysis import report

    publication = _publication(request)
    data = cohort_matrix(project)
    threshold = project.small_number_threshold
    if not report.bars_drawn(data.labelled(threshold, publication), data.cohorts):
        raise Http404
    return HttpResponse(report.matrix_chart(project, publication, matrix=data), content_type="image/png")


@project_view(CODERS)
@require_http_methods(["GET", "POST"])
def search(request, project):
    """Search terms are posted, never put in the address: they echo the corpus (places, what
    happened) and addresses end up in access logs and browser history. Pages are posted too."""
    form = SearchForm(request.POST or None)
    page = None
    results = []
    query_text = ""
    more = False
    if request.method == "POST" and form.is_valid() and form.cleaned_data["q"]:
        query_text = form.cleaned_data["q"]
        found = search_project(project, request.membership.role, query_text)
        page = Paginator(found.documents, 20).get_page(request.POST.get("page"))
        results = hits(page.object_list, query_text)
        more = found.more
    context = {"project": project, "form": form, "page": page, "results": results, "q": query_text, "more": more}
    context["ranked"] = RANKED
    return render(request, "analysis/search.html", context)


# ---- exports --------------------------------------------------------------------------------


@project_view(ANALYSTS)
@require_http_methods(["GET", "POST"])
def export(request, project):
    """Small exports download at once; large ones become a background job with a progress page."""
    form = ExportForm(request.POST or None)
    blind = actions.hides_others_codings(project, request.user)
    if request.method == "POST" and blind:
        messages.error(request, "You are coding blind. Finish blind coding before exporting other people's codings.")
        return redirect("analysis:export", slug=project.slug)
    if request.method == "POST" and form.is_valid():
        fmt, publication = form.cleaned_data["format"], form.cleaned_data["publication"]
        if builders.size_of(project, fmt, publication) > settings.ANALYSIS_BACKGROUND_EXPORT_ROWS:
            job = ExportJob.objects.create(project=project, requested_by=request.user, format=fmt, publication=publication)
            record(request.user, f"export.requested.{fmt}", job)
            queue_export_job(job)
            return redirect("analysis:export_job", slug=project.slug, pk=job.pk)
        record(request.user, f"export.{fmt}{'.publication' if publication else ''}", project)
        return _download(project, fmt, publication)
    jobs = ExportJob.objects.visible_to(request.user, project)[:20]
    # Said before exporting, as the standard asks: what a REFI-QDA file leaves out or changes.
    context = {
        "project": project,
        "form": form,
        "jobs": jobs,
        "exchange_warnings": refiqda.exchange_warnings(project),
        "coding_set": coding_set(project),
        "publication_warnings": refiqda.publication_warnings(project),
        "taguette_warnings": exports.taguette_warnings(project),
    }
    return render(request, "analysis/export.html", context)


def _filename(project, fmt: str, publication: bool) -> str:
    stem = {
        "csv": "excerpts",
        "codebook-csv": "codebook",
        "codebook-xlsx": "codebook",
        "xlsx": "analysis",
        "qdc": "codebook",
        "qdpx": "project",
        "qdpx-nvivo": "project-nvivo",
        "taguette-csv": "codebook-taguette",
        "pdf": "themes",
    }
    suffix = "-consensus" if coding_set(project).consensus else ""
    suffix += "-publication" if publication else ""
    return f"{project.slug}-{stem[fmt]}{suffix}{builders.extension(fmt)}"


def _download(project, fmt: str, publication: bool):
    name = _filename(project, fmt, publication)
    if fmt == ExportJob.Format.CSV:
        response = StreamingHttpResponse(exports.excerpt_csv(project, publication), content_type=builders.content_type(fmt))
    else:
        buffer = io.BytesIO()
        builders.build(project, fmt, publication, buffer)
        response = HttpResponse(buffer.getvalue(), content_type=builders.content_type(fmt))
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@project_view(ANALYSTS)
@require_GET
def export_job(request, project, pk):
    job = get_scoped(ExportJob.objects.visible_to(request.user, project), pk=pk)
    return render(request, "analysis/export_job.html", {"project": project, "job": job})


@project_view(ANALYSTS)
@require_GET
def export_job_status(request, project, pk):
    job = get_scoped(ExportJob.objects.visible_to(request.user, project), pk=pk)
    download = reverse("analysis:export_job_download", kwargs={"slug": project.slug, "pk": job.pk})
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "description": job.state_description,
            "progress": job.progress,
            "rows_done": job.rows_done,
            "rows_total": job.rows_total,
            "download_url": download if job.status == ExportJob.Status.DONE else None,
        }
    )


@project_view(ANALYSTS)
@require_GET
def export_job_download(request, project, pk):
    """The file is for its requester only (the scoped queryset filters on requested_by)."""
    job = get_scoped(ExportJob.objects.visible_to(request.user, project).filter(status=ExportJob.Status.DONE), pk=pk)
    path = export_dir() / Path(job.file_name).name
    if not job.file_name or not path.exists():
        return HttpResponse("This export has been deleted. Make it again from the exports page.", status=410)
    record(request.user, f"export.downloaded.{job.format}", job)
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=_filename(project, job.format, job.publication),
        content_type=builders.content_type(job.format),
    )
