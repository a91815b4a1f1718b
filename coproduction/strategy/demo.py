"""The demo strategy for `manage.py seed_demo`, in the brief's shape: a strategy in development
with four priorities; a dozen actions, the early ones among them (funding for the sex work
service, three outreach hubs, a joint approach to anti-social behaviour, targeted safety work,
a multi-agency high-risk panel), some with sub-actions and a timeline of updates; and outcome
indicators whose figures are the brief's: reports of anti-social behaviour to the police down
26% in April–October 2024 on April–October 2023, 49 sex workers in structured support, 27
high-risk cases discussed by the panel. Everything is invented.

The themes come from the demo codebook (`coproduction.analysis.demo_data`). "Policing" is
answered only by a proposed action, so the unanswered-themes list has something to show.
"""

import calendar
from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from coproduction.models import Theme
from coproduction.models.strategy import (
    Action,
    ActionStatus,
    ActionUpdate,
    Indicator,
    Measurement,
    Organisation,
    Priority,
    Strategy,
)
from coproduction.strategy.actions import ensure_strategy

STRATEGY_TITLE = "Riverside sex work strategy"
PRIORITIES = [
    ("Safer streets", "Fewer people harassed or hurt on the streets, whoever they are."),
    ("Infrastructure and lighting", "Lit paths, working CCTV and safe places to wait."),
    ("Support and health", "Services that sex workers trust and can reach when they need them."),
    ("Continued engagement", "People keep shaping the strategy and see what it does."),
]
OWNERS = ["Community safety", "Sex work service", "Police", "Public health", "Highways"]
# (key, priority, title, owner, stage, progress, early, starts, due, themes, parent key, description)
ACTIONS = [
    (
        "funding",
        "Support and health",
        "Secure funding for the sex work service",
        "Public health",
        ActionStatus.Stage.DONE,
        100,
        True,
        date(2024, 1, 8),
        date(2024, 3, 31),
        ["Support services"],
        None,
        "Two more years of funding for the outreach service, so support does not stop while the strategy is written.",
    ),
    (
        "hubs",
        "Support and health",
        "Open three outreach hubs",
        "Sex work service",
        ActionStatus.Stage.IN_PROGRESS,
        67,
        True,
        date(2024, 3, 1),
        date(2025, 3, 31),
        ["Support services", "Outreach hubs"],
        None,
        "Drop-in hubs where people can get health care, advice and a safe place to rest.",
    ),
    (
        "hub-mill-lane",
        "Support and health",
        "Open the Mill Lane hub",
        "Sex work service",
        ActionStatus.Stage.DONE,
        100,
        True,
        date(2024, 3, 1),
        date(2024, 5, 31),
        ["Outreach hubs"],
        "hubs",
        "Open three evenings a week, with a nurse on Tuesdays.",
    ),
    (
        "hub-station",
        "Support and health",
        "Open the station hub",
        "Sex work service",
        ActionStatus.Stage.DONE,
        100,
        True,
        date(2024, 5, 1),
        date(2024, 8, 31),
        ["Outreach hubs"],
        "hubs",
        "Late opening near the station, where people said they feel least safe.",
    ),
    (
        "hub-canal",
        "Support and health",
        "Open the canal path hub",
        "Sex work service",
        ActionStatus.Stage.AGREED,
        0,
        False,
        date(2024, 11, 1),
        date(2025, 3, 31),
        ["Outreach hubs"],
        "hubs",
        "A third hub by the canal path, with the outreach van on the nights it is closed.",
    ),
    (
        "asb",
        "Safer streets",
        "Agree a joint approach to anti-social behaviour",
        "Community safety",
        ActionStatus.Stage.IN_PROGRESS,
        60,
        True,
        date(2024, 2, 1),
        date(2024, 12, 31),
        ["Street safety", "Community engagement"],
        None,
        "Community safety, the police and the sex work service agree how to respond to reports, so that "
        "residents are heard and sex workers are not pushed into less safe places.",
    ),
    (
        "targeted",
        "Safer streets",
        "Targeted safety work in the hotspots",
        "Police",
        ActionStatus.Stage.IN_PROGRESS,
        50,
        True,
        date(2024, 4, 1),
        date(2025, 3, 31),
        ["Street safety", "Harassment"],
        None,
        "Patrols and outreach together in the streets where most harassment is reported.",
    ),
    (
        "panel",
        "Safer streets",
        "Set up a multi-agency high-risk panel",
        "Community safety",
        ActionStatus.Stage.DONE,
        100,
        True,
        date(2024, 4, 1),
        date(2024, 6, 30),
        ["Street safety", "Support services"],
        None,
        "A monthly panel of the services that can act together when someone is at high risk of harm.",
    ),
    (
        "lighting",
        "Infrastructure and lighting",
        "Repair and improve the lighting on the towpath and underpass",
        "Highways",
        ActionStatus.Stage.AGREED,
        10,
        False,
        date(2024, 10, 1),
        date(2025, 6, 30),
        ["Lighting and infrastructure"],
        None,
        "Fix the lamps reported dark and add lighting where people walk home.",
    ),
    (
        "lighting-survey",
        "Infrastructure and lighting",
        "Walk the routes at night with residents and sex workers",
        "Highways",
        ActionStatus.Stage.DONE,
        100,
        False,
        date(2024, 10, 1),
        date(2024, 10, 31),
        ["Lighting and infrastructure", "Community engagement"],
        "lighting",
        "Find the dark spots together before choosing what to fix first.",
    ),
    (
        "lighting-works",
        "Infrastructure and lighting",
        "Replace the lamps found dark",
        "Highways",
        ActionStatus.Stage.PROPOSED,
        0,
        False,
        date(2025, 1, 6),
        date(2025, 6, 30),
        ["Lighting and infrastructure"],
        "lighting",
        "",
    ),
    (
        "you-said",
        "Continued engagement",
        "Report back to everyone who took part",
        "Community safety",
        ActionStatus.Stage.AGREED,
        10,
        False,
        date(2024, 11, 1),
        date(2025, 2, 28),
        ["Community engagement"],
        None,
        "Tell people what they said and what is being done about it, in the places they already go.",
    ),
    (
        "police-trust",
        "Continued engagement",
        "Sessions where sex workers can raise concerns with the police safely",
        "Police",
        ActionStatus.Stage.PROPOSED,
        0,
        False,
        None,
        None,
        ["Policing"],
        None,
        "Proposed by the peer researchers: many people said they would never report anything to the police.",
    ),
]
# (action key, date, text, new stage or None, new progress or None)
UPDATES = [
    ("funding", date(2024, 2, 14), "The council and health partners agreed to fund the service for two more years.", None, 60),
    ("funding", date(2024, 3, 28), "Funding confirmed until March 2026.", ActionStatus.Stage.DONE, 100),
    ("hub-mill-lane", date(2024, 5, 20), "The Mill Lane hub opened, three evenings a week.", ActionStatus.Stage.DONE, 100),
    ("hub-station", date(2024, 8, 12), "The station hub opened with late hours on Fridays.", ActionStatus.Stage.DONE, 100),
    ("hubs", date(2024, 8, 30), "Two of the three hubs are open. The canal path site is agreed.", None, 67),
    ("asb", date(2024, 4, 10), "The partners agreed one way to record and answer reports.", ActionStatus.Stage.IN_PROGRESS, 30),
    ("asb", date(2024, 9, 18), "Reports are now answered jointly; the approach is reviewed each quarter.", None, 60),
    ("targeted", date(2024, 6, 5), "Joint patrols and outreach started in the two streets with most reports.", None, 30),
    ("targeted", date(2024, 10, 2), "The work was extended to the station approach.", None, 50),
    ("panel", date(2024, 6, 26), "The panel met for the first time and now meets monthly.", ActionStatus.Stage.DONE, 100),
    ("lighting-survey", date(2024, 10, 24), "Fourteen dark spots found on the night walks.", ActionStatus.Stage.DONE, 100),
]
# (name, unit, better, counts people, source, priority, action keys, baseline (start, end, value) or None,
#  measurements [(start, end, value)], description)


def _months(first: tuple[int, int], values: list[int]) -> list[tuple[date, date, int]]:
    out = []
    for offset, value in enumerate(values):
        year, index = divmod(first[0] * 12 + first[1] - 1 + offset, 12)
        out.append((date(year, index + 1, 1), date(year, index + 1, calendar.monthrange(year, index + 1)[1]), value))
    return out


# April 2023 to October 2024. April–October 2023 adds up to 420, April–October 2024 to 311: down 26%.
ASB_REPORTS = [55, 58, 62, 66, 64, 60, 55, 54, 50, 49, 51, 53, 52, 50, 47, 44, 41, 39, 38]
# October 2023 to October 2024: people in structured support at the end of each month; 49 in October 2024.
IN_SUPPORT = [14, 15, 15, 16, 17, 18, 21, 26, 31, 36, 41, 45, 49]
# Cases the panel has discussed since its first meeting in June 2024: 27 by the end of October.
PANEL_CASES = [4, 9, 13, 20, 27]
INDICATORS = [
    (
        "Reports of anti-social behaviour to the police",
        Indicator.Unit.COUNT,
        Indicator.Better.LOWER,
        False,
        "Police reports of anti-social behaviour in the ward",
        "Safer streets",
        ["asb", "targeted"],
        (date(2023, 4, 1), date(2023, 10, 31), 420),
        _months((2023, 4), ASB_REPORTS),
        "Reports made to the police each month in the streets the strategy covers.",
    ),
    (
        "Sex workers in structured support",
        Indicator.Unit.COUNT,
        Indicator.Better.HIGHER,
        True,
        "Sex work service caseload",
        "Support and health",
        ["funding", "hubs"],
        (date(2024, 3, 1), date(2024, 3, 31), 18),
        _months((2023, 10), IN_SUPPORT),
        "People with a support plan at the end of the month, before and since the hubs opened.",
    ),
    (
        "High-risk cases discussed by the multi-agency panel",
        Indicator.Unit.COUNT,
        Indicator.Better.HIGHER,
        True,
        "High-risk panel records",
        "Safer streets",
        ["panel"],
        None,
        [(date(2024, 6, 1), end, value) for _, end, value in _months((2024, 6), PANEL_CASES)],
        "Cases discussed since the panel first met in June 2024 (each figure is the total so far).",
    ),
    (
        "Residents who feel safe walking after dark",
        Indicator.Unit.PERCENT,
        Indicator.Better.HIGHER,
        False,
        "Residents' survey",
        "Infrastructure and lighting",
        ["lighting"],
        (date(2023, 4, 1), date(2023, 4, 30), 41),
        [(date(2023, 4, 1), date(2023, 4, 30), 41), (date(2024, 4, 1), date(2024, 4, 30), 44)],
        "Share of residents answering the annual survey who feel safe walking in the area after dark.",
    ),
]


def seed_strategy(project, people) -> None:
    """Skipped if the project's strategy has priorities already."""
    if Priority.objects.filter(strategy__project=project).exists():
        return
    strategy = ensure_strategy(project)
    Strategy.objects.filter(pk=strategy.pk).update(title=STRATEGY_TITLE)
    priorities = {
        title: Priority.objects.create(strategy=strategy, order=n, title=title, description=description)
        for n, (title, description) in enumerate(PRIORITIES, start=1)
    }
    owners = {name: Organisation.objects.get_or_create(project=project, name=name)[0] for name in OWNERS}
    statuses = {status.stage: status for status in ActionStatus.objects.filter(project=project).order_by("-order")}
    themes = {theme.name: theme for theme in Theme.objects.filter(project=project, status=Theme.Status.ACTIVE)}
    coordinator, peer = people["coordinator"], people.get("peer1", people["coordinator"])
    actions: dict[str, Action] = {}
    for n, (key, priority, title, owner, stage, progress, early, starts, due, linked, parent, description) in enumerate(ACTIONS):
        action = Action.objects.create(
            project=project,
            priority=priorities[priority],
            parent=actions.get(parent),
            order=n,
            title=title,
            description=description,
            organisation=owners[owner],
            lead=coordinator if stage != ActionStatus.Stage.PROPOSED else None,
            starts_on=starts,
            due_on=due,
            status=statuses[stage],
            progress=progress,
            early=early,
            proposed_by=peer if stage == ActionStatus.Stage.PROPOSED else coordinator,
        )
        action.themes.set([themes[name] for name in linked if name in themes])
        actions[key] = action
    for key, on, text, stage, progress in UPDATES:
        ActionUpdate.objects.create(
            action=actions[key],
            on=on,
            text=text,
            new_status=statuses[stage] if stage else None,
            new_progress=progress,
            author=coordinator,
        )
        noon = timezone.make_aware(datetime.combine(on, time(12)), project.tzinfo)
        Action.objects.filter(pk=actions[key].pk).update(last_update_at=noon)
    for n, (name, unit, better, counts_people, source, priority, linked, baseline, values, description) in enumerate(INDICATORS):
        start_day, end_day, value = baseline or (None, None, None)
        indicator = Indicator.objects.create(
            project=project,
            name=name,
            description=description,
            unit=unit,
            source=source,
            better=better,
            counts_people=counts_people,
            priority=priorities[priority],
            baseline_start=start_day,
            baseline_end=end_day,
            baseline_value=Decimal(value) if value is not None else None,
            order=n,
        )
        indicator.actions.set([actions[key] for key in linked])
        Measurement.objects.bulk_create(
            Measurement(indicator=indicator, period_start=first, period_end=last, value=Decimal(v), entered_by=coordinator)
            for first, last, v in values
        )
