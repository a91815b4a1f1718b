"""Import actions from CSV or Excel (dry run, confirm, all or nothing) and export the action
plan as CSV, Excel and PDF. Coordinators only."""

import csv
import io
from datetime import date, datetime, timedelta

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coproduction.models import Action, ActionStatus, ActionUpdate, AuditEvent, Organisation, Role, Theme
from coproduction.strategy import exchange, tables
from tests.analysis.factories import ThemeFactory
from tests.factories import member
from tests.strategy.evidence_factories import make_action, strategy_with_priorities

pytestmark = pytest.mark.django_db
HEADER = [
    "Priority",
    "Title",
    "Description",
    "Parent",
    "Owner",
    "Lead email",
    "Starts on",
    "Due on",
    "Status",
    "Progress",
    "Early",
    "Themes",
    "Reason",
]


@pytest.fixture
def plan(world):
    """Two priorities, the default statuses, two owners, and themes (two called "Lighting")."""
    strategy_with_priorities(world.project, "Safer streets", "Support and health")
    for name in ("Community safety", "Police"):
        Organisation.objects.create(project=world.project, name=name)
    safety = ThemeFactory(project=world.project, name="Street safety")
    ThemeFactory(project=world.project, name="Lighting", parent=safety)
    services = ThemeFactory(project=world.project, name="Support services")
    ThemeFactory(project=world.project, name="Lighting", parent=services)
    ThemeFactory(project=world.project, name="Old theme", status=Theme.Status.RETIRED)
    return world


def good_rows(world) -> list[list]:
    return [
        HEADER,
        [
            "Safer streets",
            "Outreach hubs",
            "Three hubs in the borough.",
            "",
            "Community safety",
            world.coordinator.email.upper(),
            "2024-04-01",
            "2024-10-31",
            "In progress",
            "40",
            "yes",
            "Street safety; Street safety › Lighting",
            "",
        ],
        [
            "Safer streets",
            "Hub on the high street",
            "",
            "Outreach hubs",
            "community safety",
            "",
            "01/04/2024",
            "30/06/2024",
            "Done",
            "",
            "Yes",
            "",
            "",
        ],
        ["Safer streets", "Hub by the station", "", "row 2", "", "", "", "", "agreed", "", "no", "", ""],
        [
            "Support and health",
            "High-risk panel",
            "A multi-agency panel.",
            "",
            "Police",
            "",
            "",
            "",
            "Agreed",
            "",
            "",
            "Support services",
            "",
        ],
        [
            "Support and health",
            "Lamp survey",
            "",
            "",
            "",
            "",
            "",
            "",
            "Not taken forward",
            "",
            "",
            "",
            "Another budget paid for it.",
        ],
    ]


def csv_upload(rows, name="actions.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), content_type="text/csv")


def xlsx_upload(rows, name="actions.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def _url(world, name="import", project=None):
    return reverse(f"strategy:{name}", kwargs={"slug": (project or world.project).slug})


def upload(client, world, file):
    return client.post(_url(world), {"file": file})


def confirm(client, world, token):
    return client.post(_url(world, "import_confirm"), {"token": token})


# ---- the happy path --------------------------------------------------------------------------


def test_dry_run_then_confirm_creates_every_action_in_one_go(plan, client_for):
    world = plan
    client = client_for(world.coordinator)
    dry_run = upload(client, world, csv_upload(good_rows(world)))

    assert dry_run.status_code == 200 and dry_run.context["token"]
    assert not Action.objects.exists()  # a dry run saves nothing
    body = dry_run.content.decode()
    assert "Check the actions to import" in body and "Import 5 actions" in body and "High-risk panel" in body
    assert world.coordinator.email not in body.lower().replace(world.coordinator.email.upper(), "")

    done = confirm(client, world, dry_run.context["token"])

    assert done.status_code == 302
    actions = {a.title: a for a in Action.objects.select_related("status", "parent", "organisation", "priority")}
    assert len(actions) == 5
    hubs = actions["Outreach hubs"]
    assert hubs.status.stage == ActionStatus.Stage.IN_PROGRESS and hubs.progress == 40 and hubs.early
    assert hubs.lead == world.coordinator and hubs.organisation.name == "Community safety"
    assert (hubs.starts_on, hubs.due_on) == (date(2024, 4, 1), date(2024, 10, 31))
    assert sorted(hubs.themes.values_list("name", flat=True)) == ["Lighting", "Street safety"]
    high_street = actions["Hub on the high street"]
    assert high_street.parent == hubs and high_street.progress == 100  # the status's default
    assert high_street.starts_on == date(2024, 4, 1) and high_street.due_on == date(2024, 6, 30)
    assert actions["Hub by the station"].parent == hubs and not actions["Hub by the station"].early
    assert actions["Lamp survey"].reason == "Another budget paid for it."
    assert actions["High-risk panel"].priority.title == "Support and health"
    audit = AuditEvent.objects.filter(project=world.project)
    assert audit.filter(action="strategy.action.imported").count() == 5
    assert audit.filter(action="strategy.actions.import", actor=world.coordinator).count() == 1


def test_an_excel_workbook_imports_the_same_way(plan, client_for):
    world = plan
    rows = good_rows(world)
    rows[1][6] = datetime(2024, 4, 1)  # a date cell, as Excel keeps it
    rows[1][9] = 40  # a number cell
    client = client_for(world.coordinator)
    dry_run = upload(client, world, xlsx_upload(rows))
    assert dry_run.context["token"], dry_run.context["plan"].errors
    confirm(client, world, dry_run.context["token"])
    hubs = Action.objects.get(title="Outreach hubs")
    assert hubs.starts_on == date(2024, 4, 1) and hubs.progress == 40
    assert Action.objects.count() == 5


def test_control_characters_are_dropped_from_imported_cells(plan, client_for):
    world = plan
    client = client_for(world.coordinator)
    rows = [HEADER, ["Safer streets", "Out\x01reach\x7f hubs", "", "", "", "", "", "", "Agreed", "", "", "", ""]]
    confirm(client, world, upload(client, world, csv_upload(rows)).context["token"])
    assert Action.objects.get().title == "Outreach hubs"


def test_a_parent_already_in_the_plan_can_be_named(plan, client_for):
    world = plan
    existing = make_action(world.project, title="Outreach hubs")
    rows = [HEADER, ["Safer streets", "A fourth hub", "", "Outreach hubs", "", "", "", "", "Proposed", "", "", "", ""]]
    client = client_for(world.coordinator)
    confirm(client, world, upload(client, world, csv_upload(rows)).context["token"])
    assert Action.objects.get(title="A fourth hub").parent == existing


def test_personal_information_in_published_text_is_a_warning_not_a_refusal(plan, client_for):
    world = plan
    rows = [
        HEADER,
        ["Safer streets", "Call back", "Ring 07700 900123 for details.", "", "", "", "", "", "Proposed", "", "", "", ""],
    ]
    dry_run = upload(client_for(world.coordinator), world, csv_upload(rows))
    assert dry_run.context["token"]
    assert [(w.row, w.column) for w in dry_run.context["plan"].warnings] == [(2, "description")]
    assert "resolve it before the action is published" in dry_run.content.decode()


# ---- bad input: refused with the row and column, nothing saved ---------------------------------


def _row(**changes):
    row = dict.fromkeys(exchange.COLUMNS, "")
    row.update(priority="Safer streets", title="Outreach hubs", status="Agreed")
    row.update(changes)
    return [row[c] for c in exchange.COLUMNS]


COLUMN_HEADER = [c.replace("_", " ") for c in exchange.COLUMNS]
CASES = {
    "missing column": ([[h for h in COLUMN_HEADER if h != "status"], _row()[:8] + _row()[9:]], 1, "status", "missing column"),
    "unknown column": ([[*COLUMN_HEADER, "titel"], [*_row(), "x"]], 1, "titel", "unknown column"),
    "unknown status": ([COLUMN_HEADER, _row(status="Started")], 2, "status", "no status called “Started”"),
    "unknown priority": ([COLUMN_HEADER, _row(priority="Parks")], 2, "priority", "no priority called “Parks”"),
    "no title": ([COLUMN_HEADER, _row(title="")], 2, "title", "enter a title"),
    "duplicate row": ([COLUMN_HEADER, _row(), _row(title=" outreach  HUBS ")], 3, "title", "duplicate row: row 2"),
    "progress not a number": ([COLUMN_HEADER, _row(progress="lots")], 2, "progress", "not a whole number"),
    "progress negative": ([COLUMN_HEADER, _row(progress="-5")], 2, "progress", "not a whole number"),
    "progress above 100": ([COLUMN_HEADER, _row(progress="150")], 2, "progress", "150 is outside 0 to 100"),
    "progress with decimals": ([COLUMN_HEADER, _row(progress="12.5")], 2, "progress", "not a whole number"),
    "due before start": (
        [COLUMN_HEADER, _row(starts_on="2024-05-01", due_on="2024-04-30")],
        2,
        "due on",
        "30 April 2024 is before the start",
    ),
    "bad date": ([COLUMN_HEADER, _row(starts_on="31/02/2024")], 2, "starts on", "is not a date"),
    "date out of range": ([COLUMN_HEADER, _row(due_on="9999-12-31")], 2, "due on", "Enter a date between"),
    "unknown parent": ([COLUMN_HEADER, _row(parent="Nothing like it")], 2, "parent", "no action called “Nothing like it”"),
    "parent row that does not exist": ([COLUMN_HEADER, _row(parent="row 9")], 2, "parent", "row 9 is not an action"),
    "parent cycle": (
        [COLUMN_HEADER, _row(title="One", parent="Two"), _row(title="Two", parent="row 2")],
        2,
        "parent",
        "the parents go round in a circle: rows 2 → 3 → 2",
    ),
    "own parent": ([COLUMN_HEADER, _row(parent="row 2")], 2, "parent", "circle"),
    "parent under another priority": (
        [COLUMN_HEADER, _row(title="One"), _row(title="Two", priority="Support and health", parent="row 2")],
        3,
        "parent",
        "under another priority",
    ),
    "early is not yes or no": ([COLUMN_HEADER, _row(early="maybe")], 2, "early", "not yes or no"),
    "unknown owner": ([COLUMN_HEADER, _row(owner="Parks team")], 2, "owner", "no owner called “Parks team”"),
    "unknown lead": ([COLUMN_HEADER, _row(lead_email="someone@example.net")], 2, "lead email", "no member of this project"),
    "unknown theme": ([COLUMN_HEADER, _row(themes="Street safety; Parking")], 2, "themes", "no theme in use called “Parking”"),
    "retired theme": ([COLUMN_HEADER, _row(themes="Old theme")], 2, "themes", "no theme in use called “Old theme”"),
    "ambiguous theme": ([COLUMN_HEADER, _row(themes="Lighting")], 2, "themes", "more than one theme is called “Lighting”"),
    "no reason for not taking it forward": ([COLUMN_HEADER, _row(status="Not taken forward")], 2, "reason", "give the reason"),
    "title too long": ([COLUMN_HEADER, _row(title="x" * 201)], 2, "title", "longer than 200 characters"),
    "only a header": ([COLUMN_HEADER], None, "", "no actions in the file"),
}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_each_bad_input_is_listed_with_its_row_and_column_and_nothing_is_saved(plan, client_for, case):
    rows, row, column, message = CASES[case]
    # A good row too: all or nothing means it is not imported either.
    if len(rows) > 1 and case not in {"missing column", "unknown column"}:
        rows = [*rows, _row(title="A good action")]
    response = upload(client_for(plan.coordinator), plan, csv_upload(rows))

    assert response.status_code == 200 and response.context["token"] is None
    errors = response.context["plan"].errors
    assert any(e.row == row and e.column == column and message in e.message for e in errors), errors
    body = response.content.decode()
    assert "govuk-error-summary" in body and "Nothing was imported" in body
    assert message.replace("“", "&ldquo;")[:15] in body or message[:15] in body.replace("&#x27;", "'")
    assert not Action.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="strategy.action").exists()


def test_an_action_already_in_the_plan_is_refused(plan, client_for):
    make_action(plan.project, title="Outreach hubs")
    response = upload(client_for(plan.coordinator), plan, csv_upload([COLUMN_HEADER, _row()]))
    assert [(e.row, e.column) for e in response.context["plan"].errors] == [(2, "title")]
    assert "already in the action plan" in response.context["plan"].errors[0].message
    assert Action.objects.count() == 1


def test_a_supervisor_cannot_lead_an_action(plan, client_for):
    response = upload(client_for(plan.coordinator), plan, csv_upload([COLUMN_HEADER, _row(lead_email=plan.supervisor.email)]))
    assert [(e.row, e.column) for e in response.context["plan"].errors] == [(2, "lead email")]


def test_without_priorities_nothing_can_be_imported(world, client_for):
    response = upload(client_for(world.coordinator), world, csv_upload([COLUMN_HEADER, _row()]))
    assert "the strategy has no priorities yet" in response.content.decode()
    assert not Action.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("actions.txt", b"priority,title,status\n", "Choose a .csv or .xlsx file."),
        ("actions.csv", "priority,title,status\nSafer streets,Caf\xe9,Agreed\n".encode("latin-1"), "is not UTF-8"),
        ("actions.csv", b"priority,title\x00,status\n", "not a CSV file"),
        ("actions.xlsx", b"PK\x03\x04 not really a workbook", "not an Excel workbook"),
        ("actions.xlsx", b"priority,title,status\n", "not an Excel workbook"),
        ("actions.csv", b"", "The submitted file is empty."),
        ("actions.csv", b"\n\n,,\n", "The file is empty."),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_reason(plan, client_for, name, content, message):
    response = upload(client_for(plan.coordinator), plan, SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'").replace("&ldquo;", "“").replace("&rdquo;", "”")
    assert not Action.objects.exists()


def test_too_many_rows_or_too_large_a_workbook_is_refused(plan, client_for, monkeypatch):
    client = client_for(plan.coordinator)
    monkeypatch.setattr(tables, "MAX_ROWS", 2)
    rows = [COLUMN_HEADER, *(_row(title=f"Action {n}") for n in range(3))]
    assert "more than 2 rows" in upload(client, plan, csv_upload(rows)).content.decode()
    monkeypatch.setattr(tables, "MAX_UNZIPPED_BYTES", 1000)
    assert "too large once unpacked" in upload(client, plan, xlsx_upload(rows[:2])).content.decode()
    assert not Action.objects.exists()


def test_an_upload_over_the_limit_is_stopped(plan, client_for, monkeypatch):
    from coproduction.strategy import exchange_views

    monkeypatch.setattr(exchange_views, "MAX_BYTES", 100)
    rows = [COLUMN_HEADER, *(_row(title=f"Action {n}") for n in range(5))]
    response = upload(client_for(plan.coordinator), plan, csv_upload(rows))
    assert "larger than 0 KB" in response.content.decode() and response.context["token"] is None


# ---- the kept upload between dry run and confirm -----------------------------------------------


def _dry_run(client, world):
    return upload(client, world, csv_upload([COLUMN_HEADER, _row()])).context["token"]


def test_a_confirmation_works_once(plan, client_for):
    client = client_for(plan.coordinator)
    token = _dry_run(client, plan)
    assert confirm(client, plan, token).status_code == 302
    again = confirm(client, plan, token)
    assert again.status_code == 400 and "expired or was already confirmed" in again.content.decode()
    assert Action.objects.count() == 1


def test_a_token_is_for_its_uploader_and_not_to_be_altered_or_kept(plan, client_for, client):
    token = _dry_run(client_for(plan.coordinator), plan)
    other = member(plan.project, Role.COORDINATOR)
    assert confirm(client_for(other), plan, token).status_code == 400
    assert confirm(client_for(plan.coordinator), plan, token[:-2] + "xx").status_code == 400
    assert confirm(client_for(plan.coordinator), plan, "").status_code == 400
    with time_machine.travel(timezone.now() + timedelta(minutes=31), tick=False):
        assert confirm(client_for(plan.coordinator), plan, token).status_code == 400
    assert not Action.objects.exists()
    assert "Outreach hubs" not in client.cookies.output()  # nothing of the file in a cookie


def test_the_plan_is_checked_again_on_confirm(plan, client_for):
    client = client_for(plan.coordinator)
    token = _dry_run(client, plan)
    make_action(plan.project, title="Outreach hubs")  # someone else added it meanwhile
    response = confirm(client, plan, token)
    assert response.status_code == 200 and "The action plan changed since the check" in response.content.decode()
    assert Action.objects.count() == 1


# ---- who may import and export ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["import", "export", "import_confirm"])
def test_only_coordinators_of_the_project(plan, client_for, client, name):
    world = plan
    url = _url(world, name)
    for role in ("peer_researcher", "analyst", "supervisor"):
        assert client_for(world.members[role]).post(url, {"format": "csv"}).status_code == 403
    assert client_for(world.outsiders["coordinator"]).post(url, {"format": "csv"}).status_code == 404
    client.logout()
    response = client.post(url, {"format": "csv"})
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert not AuditEvent.objects.filter(action__startswith="strategy.").exists()


# ---- export ----------------------------------------------------------------------------------


@pytest.fixture
def exported(plan):
    world = plan
    hubs = make_action(world.project, title="Outreach hubs", early=True, lead=world.peer, due_on=date(2024, 10, 31), progress=40)
    make_action(world.project, title="Hub on the high street", parent=hubs)
    make_action(world.project, title='=HYPERLINK("http://evil.example/","Open")', parent=hubs)
    make_action(world.project, title="Merged away", merged_into=hubs)
    support = world.project.strategy.priorities.get(title="Support and health")
    make_action(world.project, title="High-risk panel", priority=support, stage=ActionStatus.Stage.PROPOSED)
    ActionUpdate.objects.create(action=hubs, on=date(2024, 5, 1), text="First hub open.", author=world.coordinator)
    ActionUpdate.objects.create(action=hubs, on=date(2024, 9, 1), text="All three hubs open.", author=world.coordinator)
    return world


def _export(client, world, fmt):
    return client.post(_url(world, "export"), {"format": fmt})


def test_csv_export_outlines_the_plan_and_neutralises_formulas(exported, client_for):
    world = exported
    response = _export(client_for(world.coordinator), world, "csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == exchange.HEADINGS
    by_title = {row[2]: row for row in rows[1:]}
    hubs = by_title["Outreach hubs"]
    assert hubs[:6] == ["1.1", "Safer streets", "Outreach hubs", "1", "Agreed", "40"]
    assert hubs[7] == world.peer.display_name and hubs[9] == "2024-10-31" and hubs[10] == "Yes"
    assert hubs[11:] == ["2024-09-01", "All three hubs open."]
    assert by_title["Hub on the high street"][:4] == ["1.1.1", "Safer streets", "Hub on the high street", "2"]
    assert '\'=HYPERLINK("http://evil.example/","Open")' in by_title
    assert by_title["High-risk panel"][0] == "2.1" and by_title["High-risk panel"][4] == "Proposed"
    assert "Merged away" not in by_title
    assert world.peer.email not in text
    assert AuditEvent.objects.filter(action="strategy.export.csv", actor=world.coordinator).count() == 1


def test_excel_export_indents_sub_actions(exported, client_for):
    world = exported
    response = _export(client_for(world.coordinator), world, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]] == exchange.HEADINGS
    cells = {row[2].value: row for row in rows[1:]}
    assert cells["Hub on the high street"][2].alignment.indent == 2 and cells["Outreach hubs"][2].alignment.indent == 0
    assert cells["Outreach hubs"][9].value.date() == date(2024, 10, 31)
    assert '\'=HYPERLINK("http://evil.example/","Open")' in cells
    assert AuditEvent.objects.filter(action="strategy.export.xlsx").count() == 1


def test_pdf_export_names_no_member(exported, client_for):
    world = exported
    response = _export(client_for(world.coordinator), world, "pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    html = exchange.plan_html(world.project)
    assert "Outreach hubs" in html and "Hub on the high street" in html and "All three hubs open." in html
    assert world.peer.display_name not in html and world.peer.email not in html
    assert "Merged away" not in html
    assert AuditEvent.objects.filter(action="strategy.export.pdf").count() == 1


def test_an_unknown_format_is_refused(exported, client_for):
    response = _export(client_for(exported.coordinator), exported, "docx")
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    assert not AuditEvent.objects.filter(action__startswith="strategy.export").exists()


def test_export_query_count_is_flat_as_actions_grow(plan, client_for):
    world = plan
    client = client_for(world.coordinator)
    counts = []
    for n in (3, 30):
        for i in range(n):
            parent = make_action(world.project, title=f"Action {n}-{i}", lead=world.peer)
            child = make_action(world.project, title=f"Sub-action {n}-{i}", parent=parent)
            ActionUpdate.objects.create(action=child, text="Going well.", author=world.coordinator)
        _export(client, world, "csv")
        with CaptureQueriesContext(connection) as queries:
            assert _export(client, world, "csv").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
