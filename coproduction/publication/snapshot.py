"""What a published version shows, built once at publish time (and for the preview) from the
project's data under the publication rules:

- every count of people or excerpts under the project's threshold reads "<10", with secondary
  suppression wherever a total stands beside the cells (`coproduction.analysis.suppression`);
- quotes only where the participant's current consent allows publication (event notes: where
  the event's ground rules said so), each scanned again for personal information — a quote
  with any finding is left out — and shown without participant code, date or coder;
- dates as a month and year, never a day;
- from wellbeing only what support is offered (`coproduction.support_offer`), never any use.

The result is plain data (JSON), stored on the version beside the pages rendered from it.
"""

from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone

from coproduction import support_offer
from coproduction.analysis.counts import codings_of, cohort_matrix, theme_rows, with_publishable_quotes
from coproduction.analysis.suppression import suppress_count, suppress_small_counts
from coproduction.engagement.reach import reach_for, reach_table
from coproduction.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Event,
    Indicator,
    Membership,
    Priority,
    Publication,
    PublishedTheme,
    Role,
)
from coproduction.publishable import scan_or_refuse, scanner_terms
from coproduction.strategy.plan import build_tree

QUOTES_PER_THEME = 3


def month_year(day) -> str:
    return f"{day:%B %Y}" if day else ""


def published_actions(publication: Publication):
    """The actions shown: every agreed one (agreed, in progress, done) and those not taken
    forward (with their published reason), or the coordinator's choice."""
    actions = Action.objects.current().filter(project=publication.project)
    if publication.all_agreed_actions:
        stages = [*ActionStatus.COMMITTED, ActionStatus.Stage.NOT_TAKEN_FORWARD]
        return actions.filter(status__stage__in=stages)
    return actions.filter(pk__in=publication.actions.values("pk"))


def published_indicators(publication: Publication):
    return Indicator.objects.filter(pk__in=publication.indicators.values("pk")).order_by("order", "pk")


def published_themes(publication: Publication):
    return PublishedTheme.objects.filter(publication=publication).select_related("theme").order_by("order", "pk")


# ---------------------------------------------------------------- the sections


def asked(project) -> dict:
    """We asked: how people took part, counted by cohort (suppressed)."""
    threshold = project.small_number_threshold
    reach = reach_for(project)
    rows = reach_table(reach, for_publication=True)
    held = Event.objects.held().filter(project=project).values("kind").annotate(n=Count("pk")).order_by("kind")
    kinds = dict(Event.Kind.choices)
    peer_researchers = Membership.objects.filter(project=project, role=Role.PEER_RESEARCHER).count()
    return {
        "sources": list(reach.sources),
        "cohorts": [{"cohort": row["cohort"], "counts": row["counts"], "total": row["total"]} for row in rows],
        "total": suppress_count(reach.total, threshold),
        # Individual sessions are one person each: their number is a count of people.
        "events": [
            {
                "kind": kinds.get(row["kind"], row["kind"]),
                "count": suppress_count(row["n"], threshold) if row["kind"] == Event.Kind.INDIVIDUAL else str(row["n"]),
            }
            for row in held
        ],
        "peer_researchers": suppress_count(peer_researchers, threshold),
        "support_offered": support_offer.offered(project),
        "training_offered": support_offer.training(project),
    }


def said(publication: Publication, terms) -> tuple[list[dict], int]:
    """You said: each chosen theme with its summary, counts by cohort and a few quotes. Returns
    the themes and how many chosen quotes were left out because the scanner found something."""
    project = publication.project
    threshold = project.small_number_threshold
    chosen = list(published_themes(publication))
    ids = [item.theme_id for item in chosen]
    rows = {row.theme.pk: row for row in theme_rows(project)}
    matrix = cohort_matrix(project)
    cells = dict(
        zip(
            [theme.pk for theme, _, _ in matrix.rows],
            suppress_small_counts([c for _, _, c in matrix.rows], threshold),
            strict=True,
        )
    )
    quotes: dict[int, list[str]] = {}
    left_out = 0
    codings = (
        with_publishable_quotes(codings_of(project).filter(theme_id__in=ids, excerpt__chosen_for_report=True))
        .select_related("excerpt__document")
        .order_by("theme_id", "excerpt__document__month", "excerpt__start")
    )
    seen: set[tuple[int, int]] = set()
    for coding in codings:
        theme_quotes = quotes.setdefault(coding.theme_id, [])
        if len(theme_quotes) >= QUOTES_PER_THEME or (coding.theme_id, coding.excerpt_id) in seen:
            continue
        seen.add((coding.theme_id, coding.excerpt_id))
        quote = coding.excerpt.quote.strip()
        if scan_or_refuse(quote, terms, about="quote"):
            left_out += 1
            continue
        theme_quotes.append(quote)
    themes = []
    for item in chosen:
        row = rows.get(item.theme_id)
        excerpts, _, participants = row.labels(threshold, True) if row else ("0", "0", "0")
        by_cohort = cells.get(item.theme_id, [])
        themes.append(
            {
                "id": item.theme_id,
                "name": item.theme.name,
                "summary": item.summary,
                "excerpts": excerpts,
                "participants": participants,
                "by_cohort": [{"cohort": c, "count": n} for c, n in zip(matrix.cohorts, by_cohort, strict=False)],
                "quotes": quotes.get(item.theme_id, []),
            }
        )
    return themes, left_out


def _action_data(node, latest: dict[int, ActionUpdate]) -> dict:
    action = node.action
    update = latest.get(action.pk)
    return {
        "id": action.pk,
        "title": action.title,
        "description": action.description,
        "status": action.status.name,
        "stage": action.status.stage,
        "progress": node.shown_progress,
        "early": action.early,
        "owner": action.organisation.name if action.organisation_id else "",
        "due": month_year(action.due_on),
        "reason": action.reason if action.status.stage == ActionStatus.Stage.NOT_TAKEN_FORWARD else "",
        "latest_update": {"when": month_year(update.on), "text": update.text} if update else None,
        "children": [_action_data(child, latest) for child in node.children],
    }


def did(publication: Publication) -> list[dict]:
    """We did: the shown actions by priority, sub-actions under their parents (progress rolled
    up from them, as on the action plan), each with its status and latest update; early
    actions marked."""
    actions = list(
        published_actions(publication)
        .select_related("status", "organisation", "priority")
        .order_by("priority__order", "priority_id", "order", "pk")
    )
    roots, _ = build_tree(actions)
    latest: dict[int, ActionUpdate] = {}
    for update in ActionUpdate.objects.filter(action__in=actions).order_by("action_id", "-on", "-created_at"):
        latest.setdefault(update.action_id, update)
    by_priority: dict[int, list] = {}
    for node in roots:
        by_priority.setdefault(node.action.priority_id, []).append(node)
    priorities = Priority.objects.filter(strategy__project=publication.project).order_by("order", "pk")
    return [
        {
            "title": priority.title,
            "description": priority.description,
            "actions": [_action_data(node, latest) for node in by_priority[priority.pk]],
        }
        for priority in priorities
        if priority.pk in by_priority
    ]


def _indicator(indicator: Indicator, threshold: int) -> dict:
    """One indicator as published: its figures (a small count of people hidden), the change in
    words, and its chart drawn without what is hidden."""
    from coproduction.strategy.charts import chart_description, indicator_chart, not_drawn_in_words
    from coproduction.strategy.indicators import summarise

    summary = summarise(indicator, indicator.measurements.all(), threshold=threshold, publication=True)
    chart = indicator_chart(summary)
    svg = ""
    if chart is not None:
        svg = render_to_string(
            "strategy/includes/_indicator_chart.html",
            {
                "chart": chart,
                "summary": summary,
                "description": chart_description(summary),
                "not_drawn": not_drawn_in_words(summary),
                "chart_id": f"published-indicator-{indicator.pk}",
            },
        )
    change = ""
    if summary.latest is not None:
        against = summary.against_baseline if summary.baseline is not None else summary.against_year_earlier
        change = f"Latest, {summary.latest.label}: {summary.latest.shown}; {against.words}."
    return {
        "id": indicator.pk,
        "name": indicator.name,
        "source": indicator.source,
        "change": change,
        "chart": svg,
        "baseline": {"period": summary.baseline.label, "value": summary.baseline.shown} if summary.baseline else None,
        "measurements": [{"period": point.label, "value": point.shown} for point in summary.points],
    }


def indicators(publication: Publication) -> list[dict]:
    """Outcome indicators with their measurements and the change against the baseline."""
    threshold = publication.project.small_number_threshold
    chosen = published_indicators(publication).prefetch_related("measurements")
    return [_indicator(indicator, threshold) for indicator in chosen]


def build(publication: Publication) -> dict:
    """Raises `publishable.ScanUnavailable` if quotes cannot be checked (fail closed)."""
    project = publication.project
    terms = scanner_terms(project)
    themes, quotes_left_out = said(publication, terms)
    return {
        "project": project.name,
        "title": publication.title,
        "introduction": publication.introduction,
        "next_steps": publication.next_steps,
        "context": publication.context,
        "lessons": publication.lessons,
        "threshold": project.small_number_threshold,
        "asked": asked(project),
        "said": themes,
        "did": did(publication),
        "indicators": indicators(publication),
        "lessons_quotes": lessons_quotes(publication, terms),
        "quotes_left_out": quotes_left_out,
        "built_at": timezone.now().isoformat(),
    }


def lessons_quotes(publication: Publication, terms) -> list[str]:
    """Consented quotes an analyst marked as reflections on the process, for Lessons learnt."""
    codings = (
        with_publishable_quotes(codings_of(publication.project).filter(excerpt__process_reflection=True))
        .select_related("excerpt__document")
        .order_by("excerpt__document__month", "excerpt__start")
    )
    quotes: list[str] = []
    for coding in codings:
        quote = coding.excerpt.quote.strip()
        if quote in quotes or scan_or_refuse(quote, terms, about="quote"):
            continue
        quotes.append(quote)
        if len(quotes) >= 5:
            break
    return quotes
