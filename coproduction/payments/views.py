"""Payment pages. Peer researchers see and correct their own activities and submit their own
monthly claims; coordinators keep the rate card and limit, approve or return claims and export
totals for finance. Analysts and supervisors see none of it (403); another person's claim is a 404."""

import io

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coproduction.access import get_scoped, project_view
from coproduction.models import Activity, Claim, PaymentMethod, PaymentPolicy, Rate, Role
from coproduction.payments import actions
from coproduction.payments.exports import finance_xlsx
from coproduction.payments.forms import (
    ActivityChangeForm,
    ActivityForm,
    FinanceExportForm,
    LimitForm,
    PaymentMethodForm,
    RateForm,
    ReturnForm,
    StartClaimForm,
    SubmitForm,
)
from coproduction.payments.pricing import frozen_pricing
from coproduction.spreadsheets import csv_lines

PEER = {Role.PEER_RESEARCHER}
COORDINATOR = {Role.COORDINATOR}
CLAIM_ROLES = PEER | COORDINATOR
PER_PAGE = 25


def _claim(request, project, pk) -> Claim:
    return get_scoped(Claim.objects.visible_to(request.user, project).select_related("person", "decided_by"), pk=pk)


def _own_claim(request, project, pk) -> Claim:
    return get_scoped(Claim.objects.filter(project=project, person=request.user), pk=pk)


def _own_activity(request, project, pk, activity_pk) -> Activity:
    return get_scoped(Activity.objects.filter(claim=_own_claim(request, project, pk)), pk=activity_pk)


def _refused(form, refused: actions.PaymentsRefused) -> None:
    for field, problems in refused.problems.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


def _posted(request, form, save):
    """For a valid posted form: what `save` returns. None when nothing was posted, the form is
    not valid, or the workflow refused (its reasons are then on the form, which keeps what was typed)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return save()
    except actions.PaymentsRefused as refused:
        _refused(form, refused)
        return None


def _to_claim(project, claim):
    return redirect("payments:claim", slug=project.slug, pk=claim.pk)


# ---------------------------------------------------------------- peer researchers


@project_view(PEER)
@require_GET
def my_payments(request, project):
    claims = Claim.objects.filter(project=project, person=request.user).order_by("-month")
    method = actions.chosen_method(project, request.user)
    return render(
        request,
        "payments/mine.html",
        {
            "project": project,
            "page": Paginator(claims, PER_PAGE).get_page(request.GET.get("page")),
            "start_form": StartClaimForm(project=project),
            "method": method,
            "method_label": PaymentMethod(method).label if method else "",
            "limit": PaymentPolicy.current(project).monthly_limit,
        },
    )


@project_view(PEER)
@require_http_methods(["GET", "POST"])
def choose_method(request, project):
    form = PaymentMethodForm(request.POST or None, initial={"method": actions.chosen_method(project, request.user)})
    if request.method == "POST" and form.is_valid():
        choice = actions.choose_method(project=project, person=request.user, method=form.cleaned_data["method"])
        messages.success(request, f"You will be paid: {choice.get_method_display().lower()}.")
        return redirect("payments:mine", slug=project.slug)
    return render(request, "payments/method.html", {"project": project, "form": form})


@project_view(PEER)
@require_http_methods(["GET", "POST"])
def start_claim(request, project):
    form = StartClaimForm(request.POST or None, project=project)
    claim = _posted(request, form, lambda: actions.open_claim(project=project, person=request.user, **form.cleaned_data))
    if claim is not None:
        return _to_claim(project, claim)
    return render(request, "payments/start.html", {"project": project, "form": form})


@project_view(CLAIM_ROLES)
@require_GET
def claim_detail(request, project, pk):
    claim = _claim(request, project, pk)
    own = claim.person_id == request.user.pk
    if own:
        actions.bring_in_activities(claim)
    pricing = actions.submission_check(claim) if claim.editable else frozen_pricing(claim)
    return render(
        request,
        "payments/claim.html",
        {
            "project": project,
            "claim": claim,
            "pricing": pricing,
            "own": own,
            "month": actions.month_name(claim.month),
            "is_coordinator": request.membership.role == Role.COORDINATOR,
            "benefits_advice": actions.BENEFITS_ADVICE,
        },
    )


@project_view(PEER)
@require_http_methods(["GET", "POST"])
def activity_add(request, project, pk):
    claim = _own_claim(request, project, pk)
    form = ActivityForm(request.POST or None)
    if _posted(request, form, lambda: actions.add_activity(claim, **form.cleaned_data, by=request.user)):
        messages.success(request, "Activity added.")
        return _to_claim(project, claim)
    context = {"project": project, "claim": claim, "form": form, "month": actions.month_name(claim.month)}
    return render(request, "payments/activity_add.html", context)


@project_view(PEER)
@require_http_methods(["GET", "POST"])
def activity_change(request, project, pk, activity_pk):
    activity = _own_activity(request, project, pk, activity_pk)
    form = ActivityChangeForm(request.POST or None, initial={"hours": activity.hours, "included": activity.included})
    if _posted(request, form, lambda: actions.change_activity(activity, **form.cleaned_data, by=request.user)):
        messages.success(request, "Activity changed.")
        return _to_claim(project, activity.claim)
    return render(request, "payments/activity_change.html", {"project": project, "activity": activity, "form": form})


@project_view(PEER)
@require_POST
def activity_remove(request, project, pk, activity_pk):
    activity = _own_activity(request, project, pk, activity_pk)
    try:
        actions.remove_activity(activity, by=request.user)
    except actions.PaymentsRefused as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, "Activity removed.")
    return _to_claim(project, activity.claim)


@project_view(PEER)
@require_http_methods(["GET", "POST"])
def claim_submit(request, project, pk):
    claim = _own_claim(request, project, pk)
    form = SubmitForm(request.POST or None)
    if _posted(request, form, lambda: actions.submit_claim(claim, by=request.user, **form.cleaned_data)):
        messages.success(request, f"Claim for {actions.month_name(claim.month)} submitted. A coordinator will check it.")
        return _to_claim(project, claim)
    context = {
        "project": project,
        "claim": claim,
        "form": form,
        "pricing": actions.submission_check(claim) if claim.editable else None,
        "month": actions.month_name(claim.month),
        "benefits_advice": actions.BENEFITS_ADVICE,
    }
    return render(request, "payments/submit.html", context)


# ---------------------------------------------------------------- coordinators


@project_view(COORDINATOR)
@require_GET
def claim_list(request, project):
    shown = request.GET.get("status", "")
    claims = Claim.objects.visible_to(request.user, project).select_related("person").order_by("-submitted_at", "pk")
    if shown in Claim.Status.values:
        claims = claims.filter(status=shown)
    return render(
        request,
        "payments/claims.html",
        {
            "project": project,
            "page": Paginator(claims, PER_PAGE).get_page(request.GET.get("page")),
            "shown": shown,
            "statuses": [(value, label) for value, label in Claim.Status.choices if value != Claim.Status.DRAFT],
            "query": f"status={shown}" if shown in Claim.Status.values else "",
        },
    )


@project_view(COORDINATOR)
@require_POST
def claim_approve(request, project, pk):
    claim = _claim(request, project, pk)
    try:
        actions.approve_claim(claim, by=request.user)
    except actions.PaymentsRefused as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, f"Claim for {actions.month_name(claim.month)} approved. It is locked.")
    return _to_claim(project, claim)


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def claim_return(request, project, pk):
    claim = _claim(request, project, pk)
    form = ReturnForm(request.POST or None)
    if _posted(request, form, lambda: actions.return_claim(claim, by=request.user, **form.cleaned_data)):
        messages.success(request, "Claim returned with your reason.")
        return redirect("payments:claims", slug=project.slug)
    context = {"project": project, "claim": claim, "form": form, "month": actions.month_name(claim.month)}
    return render(request, "payments/return.html", context)


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def rates(request, project):
    form = RateForm(request.POST or None)
    if _posted(request, form, lambda: actions.add_rate(project=project, **form.cleaned_data, by=request.user)):
        messages.success(request, "Rate added.")
        return redirect("payments:rates", slug=project.slug)
    context = {
        "project": project,
        "form": form,
        "rates": Rate.objects.filter(project=project),
        "limit_form": LimitForm(initial={"monthly_limit": PaymentPolicy.current(project).monthly_limit}),
    }
    return render(request, "payments/rates.html", context)


@project_view(COORDINATOR)
@require_POST
def rate_remove(request, project, pk):
    rate = get_scoped(Rate.objects.filter(project=project), pk=pk)
    actions.remove_rate(rate, by=request.user)
    messages.success(request, "Rate removed. Claims already submitted keep the rate they were priced at.")
    return redirect("payments:rates", slug=project.slug)


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def monthly_limit(request, project):
    form = LimitForm(request.POST or None, initial={"monthly_limit": PaymentPolicy.current(project).monthly_limit})
    if request.method == "POST" and form.is_valid():
        actions.set_monthly_limit(project=project, monthly_limit=form.cleaned_data["monthly_limit"], by=request.user)
        messages.success(request, "Monthly limit saved.")
        return redirect("payments:rates", slug=project.slug)
    return render(request, "payments/limit.html", {"project": project, "form": form})


@project_view(COORDINATOR)
@require_GET
def finance_export(request, project):
    """Per person and month: hours, amount and payment method of approved claims, nothing else."""
    form = FinanceExportForm(request.GET or None, project=project)
    if not form.is_bound or not form.is_valid():
        return render(request, "payments/export.html", {"project": project, "form": form})
    first, last = form.cleaned_data["first"], form.cleaned_data["last"]
    actions.record_export(project, by=request.user)
    rows = actions.finance_rows(project, first, last)
    name = f"payments-{first:%Y-%m}-to-{last:%Y-%m}"
    if form.cleaned_data["file_format"] == "csv":
        response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    buffer = io.BytesIO()
    finance_xlsx(rows, buffer)
    response = HttpResponse(buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
