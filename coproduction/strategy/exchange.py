"""Import actions from a spreadsheet, and export the action plan (CSV, Excel, PDF).

Import: the columns (a header row; names are case-insensitive, spaces or underscores):

| column      | required | what                                                               |
|-------------|----------|--------------------------------------------------------------------|
| priority    | yes      | the title of one of the strategy's priorities                      |
| title       | yes      | the action's title (at most 200 characters)                        |
| description |          | published: no names                                                |
| parent      |          | the title of another action under the same priority, in the file  |
|             |          | or already in the plan, or "row N" for row N of the file           |
| owner       |          | the name of a team or organisation from the project's list         |
| lead email  |          | the email address of a member of the project (not a supervisor)    |
| starts on   |          | a date: 2025-04-30 or 30/04/2025                                   |
| due on      |          | a date, not before "starts on"                                     |
| status      | yes      | the name of one of the project's action statuses                   |
| progress    |          | a whole number from 0 to 100; blank takes the status's default     |
| early       |          | yes or no: acted on while the strategy was being developed         |
| themes      |          | theme names separated by ";" (a path "Parent › Child" if two share  |
|             |          | a name)                                                            |
| reason      |          | why it was not taken forward (needed for that status); published   |

Steps: `read_table` (tables.py) → `plan_import` checks every row against the project and lists
what would be created and every problem (row, column, message) → the coordinator confirms →
`import_actions` checks again and creates everything in one transaction, or nothing. Import
only adds actions: it invents no priorities, statuses, owners or themes, and an action whose
title already exists under the same priority is refused (so importing a file twice does not
duplicate the plan).

Export: the action plan by priority, sub-actions under their parent (an outline number such as
2.1.3, and indentation in Excel and PDF), with status, progress, owner, dates, the early flag
and the latest update. The exports are internal (coordinators only, each one audited): the CSV
and Excel files carry the lead's display name (never an email); the PDF, the one most likely
to be passed on, carries no member's name. Every cell goes through `spreadsheet_cell`.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string
from django.utils import timezone

from coproduction.audit import record
from coproduction.formfields import LATEST, OUT_OF_RANGE, date_in_range
from coproduction.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Membership,
    Organisation,
    Priority,
    Project,
    Role,
    Strategy,
    Theme,
    User,
)
from coproduction.models.codebook import theme_paths
from coproduction.models.strategy import DEFAULT_STATUSES
from coproduction.spreadsheets import spreadsheet_cell, spreadsheet_row
from coproduction.strategy.actions import ensure_strategy
from coproduction.strategy.tables import Table

REQUIRED = ("priority", "title", "status")
COLUMNS = (
    "priority",
    "title",
    "description",
    "parent",
    "owner",
    "lead_email",
    "starts_on",
    "due_on",
    "status",
    "progress",
    "early",
    "themes",
    "reason",
)
TITLE_MAX = Action._meta.get_field("title").max_length
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}
ROW_REFERENCE = re.compile(r"^row\s*(\d+)$", re.IGNORECASE)
# The roles that may lead an action: supervisors see none of the strategy.
LEAD_ROLES = (Role.COORDINATOR, Role.PEER_RESEARCHER, Role.ANALYST)


@dataclass(frozen=True)
class RowError:
    row: int | None  # None: the file as a whole
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}" if self.row is not None else "The file"
        return f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass
class PlannedAction:
    row: int
    priority: Priority
    title: str
    description: str = ""
    parent_row: "PlannedAction | None" = None
    parent_action: Action | None = None
    parent_text: str = ""
    organisation: Organisation | None = None
    lead: User | None = None
    starts_on: date | None = None
    due_on: date | None = None
    status: ActionStatus | None = None
    progress: int | None = None
    early: bool = False
    themes: list[Theme] = field(default_factory=list)
    reason: str = ""

    @property
    def parent_title(self) -> str:
        if self.parent_row is not None:
            return self.parent_row.title
        return self.parent_action.title if self.parent_action is not None else ""

    @property
    def depth(self) -> int:
        depth, node, seen = 0, self.parent_row, set()
        while node is not None and id(node) not in seen:
            seen.add(id(node))
            depth, node = depth + 1, node.parent_row
        return depth


@dataclass
class ImportPlan:
    actions: list[PlannedAction] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.actions)


class ImportRefused(Exception):
    def __init__(self, plan: ImportPlan):
        super().__init__(f"{len(plan.errors)} problems")
        self.plan = plan


def column_name(heading: str) -> str:
    return re.sub(r"[\s_\-]+", "_", heading.strip().casefold()).strip("_")


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def parse_date(text: str) -> date:
    """YYYY-MM-DD or DD/MM/YYYY, between 2000 and 2099; ValueError with the message otherwise."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = datetime.strptime(text, pattern).date()  # noqa: DTZ007 — a date, no time or zone
        except ValueError:
            continue
        if not date_in_range(day):
            raise ValueError(OUT_OF_RANGE)
        return day
    raise ValueError(f"“{text[:40]}” is not a date. Write it as {LATEST:%Y-%m-%d} or {LATEST:%d/%m/%Y}.")


def parse_progress(text: str) -> int:
    number = text.removesuffix("%").strip()
    if not re.fullmatch(r"[0-9]+", number):
        raise ValueError(f"“{text[:40]}” is not a whole number from 0 to 100.")
    value = int(number)
    if value > 100:
        raise ValueError(f"{value} is outside 0 to 100.")
    return value


def _statuses(project: Project) -> list[ActionStatus]:
    """The project's statuses; before its strategy exists, the defaults it will be given."""
    saved = list(ActionStatus.objects.filter(project=project))
    if saved:
        return saved
    return [
        ActionStatus(project=project, name=n, stage=s, default_progress=p, order=i)
        for i, (n, s, p) in enumerate(DEFAULT_STATUSES)
    ]


def _listing(names) -> str:
    names = list(names)
    shown = ", ".join(f"“{n}”" for n in names[:8])
    return shown + (", …" if len(names) > 8 else "") if names else "none yet"


def plan_import(project: Project, table: Table) -> ImportPlan:
    """What importing the table would create, and every problem with it. Reads the project's
    priorities, statuses, owners, members, themes and actions once each, whatever the file's size."""
    plan = ImportPlan()
    header_row = 1
    columns = [column_name(h) for h in table.header]
    for index, name in enumerate(columns):
        if name not in COLUMNS:
            plan.errors.append(RowError(header_row, table.header[index][:40], "unknown column (see the list of columns)"))
        elif columns.index(name) != index:
            plan.errors.append(RowError(header_row, table.header[index][:40], "this column appears twice"))
    for name in REQUIRED:
        if name not in columns:
            plan.errors.append(RowError(header_row, name.replace("_", " "), "missing column"))
    if plan.errors:
        return plan
    if not table.rows:
        plan.errors.append(RowError(None, "", "there are no actions in the file, only the header row"))
        return plan

    strategy = Strategy.objects.filter(project=project).first()
    priorities = list(Priority.objects.filter(strategy=strategy)) if strategy else []
    if not priorities:
        plan.errors.append(RowError(None, "priority", "the strategy has no priorities yet: add them before importing actions"))
        return plan
    by_priority = {_key(p.title): p for p in priorities}
    statuses = _statuses(project)
    by_status = {_key(s.name): s for s in statuses}
    owners = {_key(o.name): o for o in Organisation.objects.filter(project=project)}
    leads = {
        m.user.email.casefold(): m.user
        for m in Membership.objects.filter(project=project, role__in=LEAD_ROLES).select_related("user")
    }
    all_themes = list(Theme.objects.filter(project=project, status=Theme.Status.ACTIVE))
    paths = theme_paths(list(Theme.objects.filter(project=project)))
    themes_by_name: dict[str, list[Theme]] = {}
    for theme in all_themes:
        # By its name, and by its path ("Parent › Child") for when two themes share a name.
        for name in {_key(theme.name), _key(paths[theme.pk])}:
            themes_by_name.setdefault(name, []).append(theme)
    existing: dict[tuple[int, str], list[Action]] = {}
    for action in Action.objects.current().filter(project=project).only("pk", "title", "priority_id", "parent_id"):
        existing.setdefault((action.priority_id, _key(action.title)), []).append(action)

    by_row: dict[int, PlannedAction] = {}
    by_title: dict[tuple[int, str], PlannedAction] = {}
    parents: dict[int, str] = {}

    def problem(row, column, message):
        plan.errors.append(RowError(row, column.replace("_", " "), message))

    for number, cells in table.rows:
        values = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(columns)}
        before = len(plan.errors)
        priority = by_priority.get(_key(values["priority"]))
        if not values["priority"]:
            problem(number, "priority", "enter the priority the action comes under")
        elif priority is None:
            problem(
                number,
                "priority",
                f"no priority called “{values['priority'][:60]}” (the strategy's: {_listing(p.title for p in priorities)})",
            )
        title = " ".join(values["title"].split())
        if not title:
            problem(number, "title", "enter a title")
        elif len(title) > TITLE_MAX:
            problem(number, "title", f"longer than {TITLE_MAX} characters")
        status = by_status.get(_key(values["status"]))
        if not values["status"]:
            problem(number, "status", "enter a status")
        elif status is None:
            problem(
                number,
                "status",
                f"no status called “{values['status'][:60]}” (this project's: {_listing(s.name for s in statuses)})",
            )
        progress = None
        if values.get("progress"):
            try:
                progress = parse_progress(values["progress"])
            except ValueError as error:
                problem(number, "progress", str(error))
        elif status is not None:
            progress = status.default_progress
        dates: dict[str, date | None] = {"starts_on": None, "due_on": None}
        for name in dates:
            if values.get(name):
                try:
                    dates[name] = parse_date(values[name])
                except ValueError as error:
                    problem(number, name, str(error))
        if dates["starts_on"] and dates["due_on"] and dates["due_on"] < dates["starts_on"]:
            problem(number, "due_on", f"{dates['due_on']:%-d %B %Y} is before the start, {dates['starts_on']:%-d %B %Y}")
        early_text = values.get("early", "").casefold()
        if early_text not in YES | NO:
            problem(number, "early", f"“{values['early'][:20]}” is not yes or no")
        organisation = None
        if values.get("owner"):
            organisation = owners.get(_key(values["owner"]))
            if organisation is None:
                problem(number, "owner", f"no owner called “{values['owner'][:60]}” in the project's list (add it first)")
        lead = None
        if values.get("lead_email"):
            lead = leads.get(values["lead_email"].strip().casefold())
            if lead is None:
                problem(number, "lead_email", "no member of this project (other than a supervisor) has that email address")
        themes: list[Theme] = []
        for name in (n.strip() for n in values.get("themes", "").split(";")):
            if not name:
                continue
            found = themes_by_name.get(_key(name.replace(">", "›")), [])
            if not found:
                problem(number, "themes", f"no theme in use called “{name[:60]}”")
            elif len(found) > 1:
                problem(
                    number, "themes", f"more than one theme is called “{name[:60]}”: write its path, e.g. “{paths[found[0].pk]}”"
                )
            elif found[0] not in themes:
                themes.append(found[0])
        reason = values.get("reason", "").strip()
        if status is not None and status.stage == ActionStatus.Stage.NOT_TAKEN_FORWARD and not reason:
            problem(number, "reason", f"give the reason it was not taken forward (it is published with status “{status.name}”)")
        if priority is not None and title:
            duplicate = by_title.get((priority.pk, _key(title)))
            if duplicate is not None:
                problem(number, "title", f"duplicate row: row {duplicate.row} has the same priority and title")
            elif existing.get((priority.pk, _key(title))):
                problem(number, "title", "already in the action plan under this priority")
        if len(plan.errors) > before:
            continue
        planned = PlannedAction(
            row=number,
            priority=priority,
            title=title,
            description=values.get("description", "").strip(),
            organisation=organisation,
            lead=lead,
            starts_on=dates["starts_on"],
            due_on=dates["due_on"],
            status=status,
            progress=progress,
            early=early_text in YES,
            themes=themes,
            reason=reason,
        )
        by_row[number] = planned
        by_title[(priority.pk, _key(title))] = planned
        if values.get("parent"):
            parents[number] = values["parent"].strip()
        plan.actions.append(planned)

    for planned in plan.actions:
        reference = parents.get(planned.row)
        if not reference:
            continue
        planned.parent_text = reference
        match = ROW_REFERENCE.match(reference)
        if match:
            target = by_row.get(int(match.group(1)))
            if target is None:
                problem(planned.row, "parent", f"row {match.group(1)} is not an action of this file that can be imported")
            elif target.priority.pk != planned.priority.pk:
                problem(
                    planned.row,
                    "parent",
                    f"row {target.row} is under another priority: a sub-action shares its parent's priority",
                )
            else:
                planned.parent_row = target
            continue
        in_file = by_title.get((planned.priority.pk, _key(reference)))
        in_plan = existing.get((planned.priority.pk, _key(reference)), [])
        if in_file is not None:
            planned.parent_row = in_file
        elif len(in_plan) == 1:
            planned.parent_action = in_plan[0]
        elif len(in_plan) > 1:
            problem(planned.row, "parent", f"more than one action under this priority is called “{reference[:60]}”")
        else:
            problem(planned.row, "parent", f"no action called “{reference[:60]}” under this priority, in the file or the plan")

    for planned in plan.actions:
        chain, node = [planned.row], planned.parent_row
        while node is not None:
            chain.append(node.row)
            if node is planned:
                problem(planned.row, "parent", "the parents go round in a circle: rows " + " → ".join(map(str, chain)))
                break
            if len(chain) > len(plan.actions) + 1:
                break  # a circle that does not pass through this row: reported on its own rows
            node = node.parent_row

    if plan.errors:
        plan.actions = []
        return plan
    plan.warnings = _personal_information(plan.actions)
    return plan


def _personal_information(actions: list[PlannedAction]) -> list[RowError]:
    """Published text that may name someone: a warning now; it must be resolved before publishing."""
    from coproduction.pii import LABELS, ScanFailed, scan

    warnings = []
    for planned in actions:
        for column, text in (("description", planned.description), ("reason", planned.reason), ("title", planned.title)):
            try:
                kinds = sorted({LABELS.get(f.type, f.type).lower() for f in scan(text)})
            except ScanFailed:
                kinds = ["not fully checked"]
            if kinds:
                warnings.append(
                    RowError(
                        planned.row,
                        column,
                        f"may hold personal information ({', '.join(kinds)}); resolve it before the action is published",
                    )
                )
    return warnings


def import_actions(project: Project, table: Table, *, by: User) -> list[Action]:
    """Check the table again and create its actions, all or nothing, each audited.

    Steps, in one transaction: make the strategy and default statuses if missing; lock the
    strategy (two imports at once cannot both pass the duplicate check); plan again against
    the data as it is now (raise ImportRefused with the problems, saving nothing); create the
    actions parents first; link their themes; audit each action and the import."""
    with transaction.atomic():
        strategy = ensure_strategy(project)
        Strategy.objects.select_for_update().filter(pk=strategy.pk).first()
        plan = plan_import(project, table)
        if not plan.ok:
            raise ImportRefused(plan)
        siblings: dict[tuple[int, int | None], int] = {}
        for action in Action.objects.filter(project=project).only("priority_id", "parent_id"):
            key = (action.priority_id, action.parent_id)
            siblings[key] = siblings.get(key, 0) + 1
        made: dict[int, Action] = {}
        created: list[Action] = []
        for planned in sorted(plan.actions, key=lambda p: (p.depth, p.row)):
            parent = made[id(planned.parent_row)] if planned.parent_row is not None else planned.parent_action
            key = (planned.priority.pk, parent.pk if parent else None)
            order = siblings.get(key, 0)
            siblings[key] = order + 1
            action = Action.objects.create(
                project=project,
                priority=planned.priority,
                parent=parent,
                order=min(order, 32767),
                title=planned.title,
                description=planned.description,
                organisation=planned.organisation,
                lead=planned.lead,
                starts_on=planned.starts_on,
                due_on=planned.due_on,
                status=planned.status,
                progress=planned.progress,
                reason=planned.reason,
                early=planned.early,
            )
            made[id(planned)] = action
            created.append(action)
        links = [
            Action.themes.through(action_id=made[id(planned)].pk, theme_id=theme.pk)
            for planned in plan.actions
            for theme in planned.themes
        ]
        Action.themes.through.objects.bulk_create(links)
        for action in created:
            record(by, "strategy.action.imported", action)
        record(by, "strategy.actions.import", strategy)
    return created


# ---- export ---------------------------------------------------------------------------------


@dataclass
class PlanItem:
    action: Action
    ref: str
    depth: int
    progress: int | None
    latest_on: date | None
    latest_text: str


@dataclass
class PlanSection:
    priority: Priority
    ref: str
    items: list[PlanItem]


def action_plan(project: Project) -> tuple[Strategy | None, list[PlanSection]]:
    """Priorities in order, each with its actions depth-first (sub-actions under their parent,
    numbered 2.1, 2.1.1, ...). Merged actions are left out. Two queries however many actions."""
    strategy = Strategy.objects.filter(project=project).first()
    if strategy is None:
        return None, []
    priorities = list(strategy.priorities.all())
    latest = ActionUpdate.objects.filter(action=OuterRef("pk")).order_by("-on", "-created_at")
    actions = list(
        Action.objects.current()
        .filter(project=project, priority__strategy=strategy)
        .select_related("status", "organisation", "lead")
        .annotate(latest_on=Subquery(latest.values("on")[:1]), latest_text=Subquery(latest.values("text")[:1]))
        .order_by("order", "pk")
    )
    ids = {a.pk for a in actions}
    children: dict[int | None, list[Action]] = {}
    for action in actions:
        parent = action.parent_id if action.parent_id in ids else None
        children.setdefault(parent, []).append(action)
    sections = []
    placed: set[int] = set()
    for number, priority in enumerate(priorities, start=1):
        items: list[PlanItem] = []

        def walk(parent_id, prefix, depth, priority=priority, items=items):
            count = 0
            for action in children.get(parent_id, []):
                if parent_id is None and action.priority_id != priority.pk:
                    continue
                if action.pk in placed:
                    continue
                placed.add(action.pk)
                count += 1
                ref = f"{prefix}.{count}"
                progress = action.progress if action.progress is not None else action.status.default_progress
                items.append(PlanItem(action, ref, depth, progress, action.latest_on, action.latest_text or ""))
                walk(action.pk, ref, depth + 1)

        walk(None, str(number), 0)
        sections.append(PlanSection(priority, str(number), items))
    return strategy, sections


HEADINGS = [
    "Ref",
    "Priority",
    "Action",
    "Level",
    "Status",
    "Progress (%)",
    "Owner",
    "Lead",
    "Starts",
    "Due",
    "Acted on early",
    "Latest update on",
    "Latest update",
]


def _row(section: PlanSection, item: PlanItem) -> list:
    action = item.action
    return [
        item.ref,
        section.priority.title,
        action.title,
        item.depth + 1,
        action.status.name,
        item.progress if item.progress is not None else "",
        action.organisation.name if action.organisation else "",
        # Internal export: the lead's display name, never an email.
        action.lead.display_name if action.lead else "",
        action.starts_on or "",
        action.due_on or "",
        "Yes" if action.early else "No",
        item.latest_on or "",
        item.latest_text,
    ]


def plan_rows(project: Project):
    _, sections = action_plan(project)
    yield HEADINGS
    for section in sections:
        for item in section.items:
            yield [v.isoformat() if isinstance(v, date) else v for v in _row(section, item)]


def write_csv(project: Project, out) -> None:
    """UTF-8 with a byte-order mark (so Excel reads it), every cell neutralised."""
    out.write("\ufeff")
    writer = csv.writer(out)
    for row in plan_rows(project):
        writer.writerow(spreadsheet_row(row))


def csv_bytes(project: Project) -> bytes:
    buffer = io.StringIO()
    write_csv(project, buffer)
    return buffer.getvalue().encode("utf-8")


def write_xlsx(project: Project, out) -> None:
    """A write-only workbook: one sheet, sub-actions indented, dates as dates."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Action plan")
    _, sections = action_plan(project)
    bold = Font(bold=True)
    sheet.append([WriteOnlyCell(sheet, value=spreadsheet_cell(h)) for h in HEADINGS])
    for section in sections:
        for item in section.items:
            cells = []
            for index, value in enumerate(_row(section, item)):
                cell = WriteOnlyCell(sheet, value=spreadsheet_cell(value))
                if isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
                if index == 2:
                    cell.alignment = Alignment(indent=item.depth * 2)
                    if item.depth == 0:
                        cell.font = bold
                cells.append(cell)
            sheet.append(cells)
    workbook.save(out)


def xlsx_bytes(project: Project) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(project, buffer)
    return buffer.getvalue()


def plan_html(project: Project) -> str:
    strategy, sections = action_plan(project)
    return render_to_string(
        "strategy/action_plan_pdf.html",
        {"project": project, "strategy": strategy, "sections": sections, "generated_at": timezone.now()},
    )


def pdf_bytes(project: Project) -> bytes:
    """WeasyPrint, with the theme report's fetcher: nothing is fetched, from anywhere."""
    from weasyprint import HTML

    from coproduction.pdf import LocalOnlyFetcher

    return HTML(string=plan_html(project), url_fetcher=LocalOnlyFetcher(), base_url=None).write_pdf()
