"""Outcome indicator pages and the strategy overview. Coordinators define indicators and enter
or import their measurements; analysts and peer researchers read them. Supervisors see none of
it. `?for=publication` shows a page as it may be published: counts of people under the
project's threshold read "<10" and are not drawn."""

import base64
from dataclasses import replace

from django.contrib import messages
from django.core import signing
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coproduction.access import get_scoped, project_view
from coproduction.analysis.views import LimitedUpload
from coproduction.audit import record
from coproduction.models import Role
from coproduction.models.strategy import Indicator, Measurement, Strategy
from coproduction.strategy import indicator_actions as actions
from coproduction.strategy.charts import chart_description, indicator_chart, not_drawn_in_words
from coproduction.strategy.indicator_forms import (
    IndicatorForm,
    MeasurementForm,
    MeasurementImportForm,
    max_import_bytes,
    too_large,
)
from coproduction.strategy.indicators import Summary, summarise

COORDINATOR = {Role.COORDINATOR}
READERS = {Role.COORDINATOR, Role.ANALYST, Role.PEER_RESEARCHER}
# The chart, and the table beside it, show this many of the latest periods (three years of
# months); older ones are on the table's later pages.
CHART_PERIODS = 36
PER_PAGE = 25
IMPORT_CHECK_HOURS = 2


def _indicators(project):
    return Indicator.objects.filter(project=project).select_related("priority")


def _indicator(project, pk) -> Indicator:
    return get_scoped(_indicators(project), pk=pk)


def _measurement(indicator, pk) -> Measurement:
    return get_scoped(Measurement.objects.filter(indicator=indicator), pk=pk)


def _for_publication(request) -> bool:
    return request.GET.get("for") == "publication"


def _summarise(indicator, measurements, project, publication: bool) -> Summary:
    return summarise(indicator, measurements, threshold=project.small_number_threshold, publication=publication)


def _charted(summary: Summary, *, small: bool = False) -> dict:
    """A summary with its chart, for the chart and table includes; the chart draws the latest
    CHART_PERIODS periods."""
    recent = replace(summary, points=summary.points[-CHART_PERIODS:])
    return {
        "summary": summary,
        "chart": indicator_chart(recent, small=small),
        "description": chart_description(summary),
        "not_drawn": not_drawn_in_words(recent),
        "earlier_periods": len(summary.points) - len(recent.points),
    }


def _with_measurements(indicators):
    return indicators.prefetch_related(Prefetch("measurements", queryset=Measurement.objects.order_by("period_start")))


@project_view(READERS)
@require_GET
def indicator_list(request, project):
    page = Paginator(_with_measurements(_indicators(project)), PER_PAGE).get_page(request.GET.get("page"))
    rows = [_summarise(indicator, indicator.measurements.all(), project, False) for indicator in page]
    context = {"project": project, "page": page, "rows": rows, "is_coordinator": request.membership.role == Role.COORDINATOR}
    return render(request, "strategy/indicator_list.html", context)


@project_view(READERS)
@require_GET
def overview(request, project):
    """Small multiples of every indicator, in the strategy's order of priorities."""
    publication = _for_publication(request)
    if publication:
        record(request.user, "strategy_overview.viewed_for_publication", project)
    indicators = _with_measurements(_indicators(project)).order_by("priority__order", "priority", "order", "pk")
    page = Paginator(indicators, PER_PAGE).get_page(request.GET.get("page"))
    summaries = [_summarise(indicator, indicator.measurements.all(), project, publication) for indicator in page]
    charts = [
        {
            "indicator": summary.indicator,
            "chart_id": f"overview-chart-{summary.indicator.pk}",
            "caption_id": f"overview-table-{summary.indicator.pk}",
            "rows": summary.points[-CHART_PERIODS:][::-1],
            **_charted(summary, small=True),
        }
        for summary in summaries
    ]
    context = {
        "project": project,
        "strategy": Strategy.objects.filter(project=project).first(),
        "page": page,
        "charts": charts,
        "publication": publication,
        "query": "for=publication" if publication else "",
    }
    return render(request, "strategy/overview.html", context)


@project_view(READERS)
@require_GET
def indicator_detail(request, project, pk):
    indicator = _indicator(project, pk)
    publication = _for_publication(request)
    if publication:
        record(request.user, "indicator.viewed_for_publication", indicator)
    summary = _summarise(indicator, indicator.measurements.all(), project, publication)
    newest_first = summary.points[::-1]
    page = Paginator(newest_first, CHART_PERIODS).get_page(request.GET.get("page"))
    context = {
        "project": project,
        "indicator": indicator,
        **_charted(summary),
        "page": page,
        "chart_periods": CHART_PERIODS,
        "query": "for=publication" if publication else "",
        "actions": indicator.actions.order_by("title"),
        "publication": publication,
        "is_coordinator": request.membership.role == Role.COORDINATOR,
    }
    return render(request, "strategy/indicator_detail.html", context)


def _indicator_form(request, project, indicator: Indicator | None):
    form = IndicatorForm(request.POST or None, project=project, instance=indicator)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.project = project
        actions.save_indicator(saved, actions=form.cleaned_data["actions"], by=request.user)
        messages.success(request, f"{saved.name} {'changed' if indicator else 'added'}.")
        return redirect("strategy:indicator", slug=project.slug, pk=saved.pk)
    return render(request, "strategy/indicator_form.html", {"project": project, "form": form, "indicator": indicator})


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def indicator_new(request, project):
    return _indicator_form(request, project, None)


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def indicator_change(request, project, pk):
    return _indicator_form(request, project, _indicator(project, pk))


def _measurement_form(request, project, indicator: Indicator, measurement: Measurement | None):
    form = MeasurementForm(request.POST or None, indicator=indicator, measurement=measurement)
    if request.method == "POST" and form.is_valid():
        try:
            if measurement is None:
                actions.add_measurement(indicator, **form.cleaned_data, by=request.user)
            else:
                actions.change_measurement(measurement, **form.cleaned_data, by=request.user)
        except actions.MeasurementRefused as refused:
            form.add_error("period_start", refused.problems[0])
        else:
            messages.success(request, "Measurement saved.")
            return redirect("strategy:indicator", slug=project.slug, pk=indicator.pk)
    context = {"project": project, "indicator": indicator, "form": form, "measurement": measurement}
    return render(request, "strategy/indicator_measurement_form.html", context)


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def measurement_new(request, project, pk):
    return _measurement_form(request, project, _indicator(project, pk), None)


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def measurement_change(request, project, pk, measurement_pk):
    indicator = _indicator(project, pk)
    return _measurement_form(request, project, indicator, _measurement(indicator, measurement_pk))


@project_view(COORDINATOR)
@require_POST
def measurement_delete(request, project, pk, measurement_pk):
    indicator = _indicator(project, pk)
    actions.delete_measurement(_measurement(indicator, measurement_pk), by=request.user)
    messages.success(request, "Measurement deleted.")
    return redirect("strategy:indicator", slug=project.slug, pk=indicator.pk)


# ---------------------------------------------------------------- import


def _import_salt(indicator: Indicator, request) -> str:
    return f"strategy.measurement-import:{indicator.pk}:{request.user.pk}"


# The upload handler must be in place before anything reads the body, and the CSRF check reads
# it: so CSRF is checked inside, after the handler is added (as for the codebook import).
@csrf_exempt
@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def measurement_import(request, project, pk):
    limited = LimitedUpload(request, max_import_bytes())
    request.upload_handlers.insert(0, limited)
    return _measurement_import(request, project, _indicator(project, pk), limited)


@csrf_protect
def _measurement_import(request, project, indicator: Indicator, limited: LimitedUpload):
    """Step 1: the file is checked and nothing saved: its problems by row, or the rows it would
    import. Step 2: the checked file (signed, so it is the file that was checked) is imported,
    all rows or none."""
    posted = request.method == "POST"
    form = MeasurementImportForm(request.POST if posted else None, request.FILES if posted else None)
    checked = token = None
    if posted and "checked" in request.POST:
        try:
            content = base64.b64decode(
                signing.loads(request.POST["checked"], salt=_import_salt(indicator, request), max_age=IMPORT_CHECK_HOURS * 3600)
            )
        except (signing.BadSignature, ValueError, TypeError):
            messages.error(request, "That check has expired or the file could not be read again. Choose the file again.")
            return redirect("strategy:measurement_import", slug=project.slug, pk=indicator.pk)
        try:
            imported = actions.import_measurements(indicator, content, by=request.user)
        except actions.MeasurementRefused as refused:
            checked = actions.CheckedImport(problems=refused.problems)
            form = MeasurementImportForm()
        else:
            messages.success(request, f"{imported} measurement{'s' if imported != 1 else ''} imported.")
            return redirect("strategy:indicator", slug=project.slug, pk=indicator.pk)
    elif limited.too_large:
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error("file", too_large())
    elif posted and form.is_valid():
        content = form.cleaned_data["file"].read()
        checked = actions.check_measurements_csv(indicator, content)
        if checked.problems:
            form.add_error("file", "The file has problems, listed below. Nothing was imported.")
        else:
            token = signing.dumps(base64.b64encode(content).decode(), salt=_import_salt(indicator, request), compress=True)
    context = {"project": project, "indicator": indicator, "form": form, "checked": checked, "token": token}
    return render(request, "strategy/indicator_import.html", context)
