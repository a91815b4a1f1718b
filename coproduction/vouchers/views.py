"""Voucher pages. Coordinators see the stock, load batches, see every thank-you and the
finance report. Peer researchers thank participants at their own interviews and events and
see only the code they are handing over (for REVEAL_WINDOW after giving it), never the stock.
Analysts and supervisors see none of it."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coproduction.access import get_scoped, project_view
from coproduction.analysis.views import LimitedUpload
from coproduction.audit import record
from coproduction.models import Role, Voucher, VoucherBatch, VoucherGift
from coproduction.models.vouchers import EXPIRING_WITHIN, stock_counts
from coproduction.vouchers import actions, report
from coproduction.vouchers.forms import LoadForm, ThankForm, max_upload_bytes, too_large
from coproduction.vouchers.occasions import occasion_of, subject_for
from coproduction.vouchers.thanks import gift_rows

COORDINATOR = {Role.COORDINATOR}
GIVERS = {Role.COORDINATOR, Role.PEER_RESEARCHER}


def _gifts(request, project):
    """Coordinators: every thank-you in the project; a peer researcher: those they recorded."""
    gifts = VoucherGift.objects.filter(project=project).select_related("participant", "voucher__batch", "recorded_by")
    return gifts if request.membership.role == Role.COORDINATOR else gifts.filter(recorded_by=request.user)


@project_view(COORDINATOR)
@require_GET
def stock(request, project):
    today = actions.project_today(project)
    batches = VoucherBatch.objects.filter(project=project).annotate(
        **stock_counts(today, through="vouchers__", expiry="expires_on")
    )
    context = {
        "project": project,
        "totals": Voucher.objects.filter(project=project).counts(today),
        "page": Paginator(batches.order_by("-loaded_at", "-pk"), 20).get_page(request.GET.get("page")),
        "expiring_days": EXPIRING_WITHIN.days,
        "expiring_by": today + EXPIRING_WITHIN,
    }
    return render(request, "vouchers/stock.html", context)


# The upload handler must be in place before anything reads the body, and the CSRF check reads
# it: so CSRF is checked inside, after the handler is added (as for the other imports).
@csrf_exempt
@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def load(request, project):
    limited = LimitedUpload(request, max_upload_bytes())
    request.upload_handlers.insert(0, limited)
    return _load(request, project, limited)


@csrf_protect
def _load(request, project, limited: LimitedUpload):
    """All the codes or none; every problem listed (by line or row), what was typed kept."""
    posted = request.method == "POST"
    form = LoadForm(request.POST if posted else None, request.FILES if posted else None)
    problems: list[str] = []
    if posted and limited.too_large:
        form.is_valid()
        form.add_error("file", too_large())
    elif posted and form.is_valid():
        data = form.cleaned_data
        try:
            if data["file"]:
                numbered, where = actions.codes_from_csv(data["file"].read()), "Row"
            else:
                numbered, where = actions.codes_from_text(data["codes"]), "Line"
            batch = actions.load_batch(
                project=project,
                supplier=data["supplier"],
                value=data["value"],
                expires_on=data["expires_on"],
                numbered=numbered,
                where=where,
                by=request.user,
            )
        except actions.VoucherRefused as refused:
            form.add_error(None, "Nothing was loaded. Correct the problems listed and load the batch again.")
            problems = refused.problems
        else:
            count = batch.vouchers.count()
            messages.success(request, f"{count} voucher{'s' if count != 1 else ''} loaded: {batch}.")
            return redirect("vouchers:stock", slug=project.slug)
    return render(request, "vouchers/load.html", {"project": project, "form": form, "problems": problems})


@project_view(GIVERS)
@require_http_methods(["GET", "POST"])
def thank(request, project, kind, pk):
    occasion = occasion_of(kind)
    subject = subject_for(occasion, request.user, project, pk)
    participant = occasion.participant(subject)
    form = ThankForm(
        request.POST or None,
        project=project,
        kinds=actions.kinds_in_stock(project),
        known=actions.kinds_loaded(project),
        asks_for_participant=occasion.asks_for_participant,
    )
    if request.method == "POST" and form.is_valid():
        try:
            gift = actions.thank(
                occasion=occasion,
                subject=subject,
                participant=form.cleaned_data.get("participant_code") or participant,
                kind=form.cleaned_data.get("voucher_kind"),
                by=request.user,
            )
        except actions.VoucherRefused as refused:
            for problem in refused.problems:
                form.add_error(None, problem)
        else:
            return _thanked(request, project, occasion, subject, gift)
    return render(request, "vouchers/thank.html", _thank_context(project, form, occasion, subject, participant))


def _thanked(request, project, occasion, subject, gift: VoucherGift) -> HttpResponse:
    if gift.outcome == VoucherGift.Outcome.DECLINED:
        messages.success(request, "Recorded that the voucher was declined.")
        return redirect(occasion.url(subject))
    messages.success(request, "Voucher given. Show the code to hand it over.")
    return redirect("vouchers:gift", slug=project.slug, pk=gift.pk)


def _thank_context(project, form, occasion, subject, participant) -> dict:
    so_far = VoucherGift.objects.at(occasion.kind, subject.pk).select_related("participant", "voucher__batch")
    return {
        "project": project,
        "form": form,
        "occasion": occasion,
        "occasion_url": occasion.url(subject),
        "title": occasion.title(subject),
        "participant": participant,
        "refusal": occasion.refusal(subject),
        "thanked": gift_rows(so_far),
    }


def _gift_page(request, project, gift: VoucherGift, code: str | None = None) -> HttpResponse:
    occasion = occasion_of(gift.occasion_kind)
    context = {
        "project": project,
        "gift": gift,
        "code": code,
        "may_reveal": actions.may_reveal(gift, request.user, request.membership.role),
        "reveal_hours": int(actions.REVEAL_WINDOW.total_seconds() // 3600),
        "occasion_url": _occasion_url(request, project, occasion, gift),
        "occasion_label": occasion.label,
    }
    return render(request, "vouchers/gift.html", context)


def _occasion_url(request, project, occasion, gift) -> str | None:
    subject = occasion.visible(request.user, project).filter(pk=gift.occasion_id).first()
    return occasion.url(subject) if subject is not None else None


@project_view(GIVERS)
@require_GET
def gift(request, project, pk):
    return _gift_page(request, project, get_scoped(_gifts(request, project), pk=pk))


@project_view(GIVERS)
@require_POST
def reveal(request, project, pk):
    """Shows the code in the response to this POST only: never in a URL, never on a page a
    link or a prefetch could open. Each reveal is audited."""
    gift = get_scoped(_gifts(request, project), pk=pk)
    if not actions.may_reveal(gift, request.user, request.membership.role):
        messages.error(request, "You can no longer see this code. A coordinator can show it if it is needed.")
        return redirect("vouchers:gift", slug=project.slug, pk=gift.pk)
    return _gift_page(request, project, gift, code=actions.reveal_code(gift, by=request.user))


@project_view(COORDINATOR)
@require_GET
def given(request, project):
    gifts = _gifts(request, project).order_by("-recorded_at", "-pk")
    page = Paginator(gifts, 25).get_page(request.GET.get("page"))
    return render(request, "vouchers/given.html", {"project": project, "page": page, "rows": gift_rows(page.object_list)})


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def finance(request, project):
    """Counts and totals per month and supplier; the CSV and Excel files are audited."""
    built = report.finance_report(project)
    fmt = request.POST.get("format", "")
    if request.method == "POST" and fmt in report.FORMATS:
        record(request.user, f"voucher_report.export.{fmt}", project)
        body, content_type = report.FORMATS[fmt](built)
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="vouchers-by-month-{timezone.localdate():%Y-%m-%d}.{fmt}"'
        return response
    return render(request, "vouchers/finance.html", {"project": project, "report": built})
