"""Indicator pages: coordinators define indicators and enter or import measurements; analysts
and peer researchers read them and the overview; supervisors are refused, another project's
indicators are not found, and anonymous people are sent to sign in."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coproduction.models import AuditEvent
from coproduction.models.strategy import Action, ActionStatus, Indicator, Measurement, Priority, Strategy
from coproduction.spreadsheets import UnreadableSpreadsheet, read_csv, write_csv
from tests.strategy.factories import make_indicator, monthly

pytestmark = pytest.mark.django_db


def url(world, name, **kwargs):
    return reverse(f"strategy:{name}", kwargs={"slug": world.project.slug, **kwargs})


def strategy_for(project, *, priority="Safer streets", action="Joint approach to anti-social behaviour"):
    strategy, _ = Strategy.objects.get_or_create(project=project, defaults={"title": "A strategy"})
    made = Priority.objects.create(strategy=strategy, title=priority, order=1)
    status = ActionStatus.objects.create(project=project, name="Agreed", stage=ActionStatus.Stage.AGREED, order=1)
    return made, Action.objects.create(project=project, priority=made, title=action, status=status)


INDICATOR = {
    "name": "Reports of anti-social behaviour",
    "description": "Reports made to the police.",
    "unit": "count",
    "source": "Police ASB reports",
    "better": "lower",
    "baseline_start": "2023-04-01",
    "baseline_end": "2023-10-31",
    "baseline_value": "420",
}


# ---------------------------------------------------------------- defining an indicator


def test_a_coordinator_adds_an_indicator_with_this_projects_priority_and_actions(world, client_for):
    priority, action = strategy_for(world.project)
    client = client_for(world.coordinator)
    response = client.post(url(world, "indicator_new"), {**INDICATOR, "priority": priority.pk, "actions": [action.pk]})
    indicator = Indicator.objects.get()
    assert response.status_code == 302 and response["Location"] == url(world, "indicator", pk=indicator.pk)
    assert indicator.project == world.project and indicator.priority == priority
    assert list(indicator.actions.all()) == [action] and indicator.baseline_value == 420
    assert AuditEvent.objects.filter(action="indicator.created", object_id=str(indicator.pk), actor=world.coordinator).exists()
    page = client.get(url(world, "indicator", pk=indicator.pk)).text
    assert "Reports of anti-social behaviour" in page and "Joint approach to anti-social behaviour" in page
    assert "420 (April–October 2023)" in page


def test_changing_an_indicator_is_audited(world, client_for):
    indicator = make_indicator(world.project)
    response = client_for(world.coordinator).post(
        url(world, "indicator_change", pk=indicator.pk), {**INDICATOR, "name": "ASB reports", "counts_people": "on"}
    )
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.name == "ASB reports" and indicator.counts_people
    assert AuditEvent.objects.filter(action="indicator.changed", object_id=str(indicator.pk)).exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"baseline_end": "2023-03-31"}, "baseline_end", "The baseline period must end on or after its first day."),
        ({"baseline_value": ""}, "baseline_value", "Enter the baseline&#x27;s first day, last day and value"),
        ({"baseline_value": "lots"}, "baseline_value", "Enter a number, like 310 or 12.5."),
        ({"baseline_value": "1e309"}, "baseline_value", "at most 12 digits before the decimal point"),
        ({"baseline_start": "1999-12-31"}, "baseline_start", "Enter a date between 1 January 2000 and 31 December 2099."),
        ({"unit": "furlongs"}, "unit", "Select a valid choice"),
        ({"name": ""}, "name", "This field is required."),
        ({"source": "a\x00b"}, "source", "control characters"),
    ],
)
def test_bad_indicators_are_refused_with_the_field_named_and_what_was_typed_kept(world, client_for, change, field, message):
    response = client_for(world.coordinator).post(url(world, "indicator_new"), {**INDICATOR, **change})
    assert response.status_code == 200 and "govuk-error-summary" in response.text
    assert message in response.text
    assert f'href="#id_{field}"' in response.text
    assert 'value="Police ASB reports"' in response.text or field == "source"
    assert not Indicator.objects.exists()


def test_another_projects_priority_or_action_is_not_a_choice(world, client_for):
    theirs_priority, theirs_action = strategy_for(world.other_project)
    client = client_for(world.coordinator)
    for data in ({"priority": theirs_priority.pk}, {"actions": [theirs_action.pk]}, {"actions": ["99999999999999999999"]}):
        response = client.post(url(world, "indicator_new"), {**INDICATOR, **data})
        assert response.status_code == 200 and "Select a valid choice" in response.text
    assert not Indicator.objects.exists()


# ---------------------------------------------------------------- measurements by hand


MEASUREMENT = {"period_start": "2024-04-01", "period_end": "2024-04-30", "value": "52", "note": "Provisional"}


def test_a_coordinator_adds_changes_and_deletes_a_measurement(world, client_for):
    indicator = make_indicator(world.project)
    client = client_for(world.coordinator)
    response = client.post(url(world, "measurement_new", pk=indicator.pk), MEASUREMENT)
    assert response.status_code == 302
    measurement = Measurement.objects.get()
    assert (measurement.value, measurement.note, measurement.entered_by) == (Decimal(52), "Provisional", world.coordinator)
    change = url(world, "measurement_change", pk=indicator.pk, measurement_pk=measurement.pk)
    assert 'value="52' in client.get(change).text
    assert client.post(change, {**MEASUREMENT, "value": "50.5", "note": ""}).status_code == 302
    measurement.refresh_from_db()
    assert measurement.value == Decimal("50.5") and measurement.note == ""
    delete = url(world, "measurement_delete", pk=indicator.pk, measurement_pk=measurement.pk)
    assert client.get(delete).status_code == 405
    assert client.post(delete).status_code == 302 and not Measurement.objects.exists()
    actions = AuditEvent.objects.filter(object_id=str(measurement.pk)).values_list("action", flat=True)
    assert sorted(actions) == ["measurement.added", "measurement.changed", "measurement.deleted"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"period_end": "2024-03-31"}, "period_end", "The period must end on or after its first day."),
        ({"value": "fifty"}, "value", "Enter a number, like 310 or 12.5."),
        ({"value": "NaN"}, "value", "Enter a number, like 310 or 12.5."),
        ({"value": "1.234"}, "value", "at most 2 decimal places"),
        ({"value": ""}, "value", "This field is required."),
        ({"period_start": "2024-02-30"}, "period_start", "Enter a date, like 01/04/2024."),
        ({"period_start": "9999-12-31"}, "period_start", "Enter a date between 1 January 2000"),
    ],
)
def test_bad_measurements_are_refused_with_the_field_named(world, client_for, change, field, message):
    indicator = make_indicator(world.project)
    response = client_for(world.coordinator).post(url(world, "measurement_new", pk=indicator.pk), {**MEASUREMENT, **change})
    assert response.status_code == 200 and message in response.text and f'href="#id_{field}"' in response.text
    assert 'value="Provisional"' in response.text  # what was typed is kept
    assert not Measurement.objects.exists() and not AuditEvent.objects.filter(action="measurement.added").exists()


def test_a_period_already_recorded_is_refused(world, client_for):
    indicator = make_indicator(world.project)
    earlier, later = monthly(indicator, [52, 50], by=world.coordinator, start=(2024, 4))
    client = client_for(world.coordinator)
    response = client.post(url(world, "measurement_new", pk=indicator.pk), MEASUREMENT)
    assert "A measurement for April 2024 is already recorded." in response.text and 'href="#id_period_start"' in response.text
    assert Measurement.objects.count() == 2
    # Moving May onto April is refused too; saving April as it is is not.
    change = url(world, "measurement_change", pk=indicator.pk, measurement_pk=later.pk)
    assert "already recorded" in client.post(change, MEASUREMENT).text
    same = url(world, "measurement_change", pk=indicator.pk, measurement_pk=earlier.pk)
    assert client.post(same, MEASUREMENT).status_code == 302
    # The same period of another indicator is no clash.
    other = make_indicator(world.project, name="Other")
    assert client.post(url(world, "measurement_new", pk=other.pk), MEASUREMENT).status_code == 302


# ---------------------------------------------------------------- import from CSV


def csv_file(rows, name="measurements.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    write_csv(rows, out)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8"), content_type="text/csv")


GOOD = [
    ["period_start", "period_end", "value", "note"],
    ["2024-04-01", "2024-04-30", "52", ""],
    ["01/05/2024", "31/05/2024", "50", "=SUM(A1)"],
    ["", "", "", ""],
    ["2024-06-01", "2024-06-30", "1,047.5", "Counted differently from June"],
]


def test_importing_checks_first_then_imports_all_rows(world, client_for):
    indicator = make_indicator(world.project)
    client = client_for(world.coordinator)
    page = url(world, "measurement_import", pk=indicator.pk)
    assert client.get(page).status_code == 200
    checked = client.post(page, {"file": csv_file(GOOD)})
    assert checked.status_code == 200 and "3 measurements and no problems" in checked.text
    assert "data-import-preview" in checked.text and "May 2024" in checked.text
    assert not Measurement.objects.exists()  # the check saves nothing
    token = checked.context["token"]
    done = client.post(page, {"checked": token})
    assert done.status_code == 302 and done["Location"] == url(world, "indicator", pk=indicator.pk)
    values = list(Measurement.objects.order_by("period_start").values_list("value", "note"))
    # The formula-looking note comes back as it was written (the app's apostrophe removed).
    assert values == [(Decimal(52), ""), (Decimal(50), "=SUM(A1)"), (Decimal("1047.5"), "Counted differently from June")]
    assert AuditEvent.objects.filter(action="measurements.imported", object_id=str(indicator.pk)).count() == 1
    # The same checked file again: every row is now a duplicate, and nothing more is saved.
    again = client.post(page, {"checked": token})
    assert again.status_code == 200 and "Row 2: a measurement for April 2024 is already recorded." in again.text
    assert Measurement.objects.count() == 3


def test_a_file_with_problems_lists_them_by_row_and_imports_nothing(world, client_for):
    indicator = make_indicator(world.project)
    monthly(indicator, [40], by=world.coordinator, start=(2024, 3))
    rows = [
        ["Period_Start ", "period_end", "value"],
        ["2024-04-01", "2024-04-30", "52"],
        ["2024-05-31", "2024-05-01", "50"],
        ["2024-06-01", "2024-06-30", "lots"],
        ["2024-04-01", "2024-04-30", "53"],
        ["2024-03-01", "2024-03-31", "41"],
        ["June", "2024-07-31", ""],
        ["2024-08-01", "2124-08-31", "7"],
    ]
    response = client_for(world.coordinator).post(url(world, "measurement_import", pk=indicator.pk), {"file": csv_file(rows)})
    assert response.status_code == 200 and "Nothing was imported" in response.text
    problems = response.context["checked"].problems
    assert problems == [
        "Row 3: period_end is before period_start. The period must end on or after its first day.",
        "Row 4: value is not a number. Write it like 310 or 12.5.",
        "Row 5: April 2024 is already in row 2.",
        "Row 6: a measurement for March 2024 is already recorded.",
        "Row 7: period_start is not a date. Write it as 2024-04-01 or 01/04/2024.",
        "Row 7: value is empty.",
        "Row 8: period_end: Enter a date between 1 January 2000 and 31 December 2099.",
    ]
    assert response.context["token"] is None and 'name="checked"' not in response.text
    assert Measurement.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"period_start,value\n2024-04-01,5\n", "The file has no column period_end."),
        (b"start,end\n", "The file has no columns period_start, period_end, value."),
        (b"", "empty"),
        (b" , \n", "The file is empty."),
        (b"period_start,period_end,value\n", "The file has no rows of measurements"),
        (b"period_start,period_end,value,value\n", "The column value appears more than once."),
        ("period_start,period_end,value,note\n2024-04-01,2024-04-30,5,caf\u00e9\n".encode("latin-1"), "not in UTF-8"),
        (b"PK\x03\x04\x00\x00", "not a CSV file"),
        (b'period_start,period_end,value\n"2024-04-01,2024-04-30,5\n', "cannot be read as CSV"),
    ],
)
def test_an_unreadable_file_is_refused_with_the_reason(world, client_for, content, message):
    indicator = make_indicator(world.project)
    upload = SimpleUploadedFile("m.csv", content, content_type="text/csv")
    response = client_for(world.coordinator).post(url(world, "measurement_import", pk=indicator.pk), {"file": upload})
    assert response.status_code == 200 and message in response.text and "govuk-error-summary" in response.text
    assert not Measurement.objects.exists()


def test_a_file_too_large_is_refused_before_it_is_read(world, client_for, settings):
    settings.MEASUREMENT_IMPORT_MAX_BYTES = 1024
    indicator = make_indicator(world.project)
    big = SimpleUploadedFile("m.csv", b"period_start,period_end,value\n" + b"2024-04-01,2024-04-30,5\n" * 200)
    response = client_for(world.coordinator).post(url(world, "measurement_import", pk=indicator.pk), {"file": big})
    assert response.status_code == 200 and "larger than 1 KB" in response.text
    assert not Measurement.objects.exists()


def test_a_tampered_or_someone_elses_check_imports_nothing(world, client_for):
    indicator = make_indicator(world.project)
    page = url(world, "measurement_import", pk=indicator.pk)
    client = client_for(world.coordinator)
    token = client.post(page, {"file": csv_file(GOOD)}).context["token"]
    response = client.post(page, {"checked": token[:-2] + "xx"}, follow=True)
    assert "That check has expired" in response.text
    # Another indicator's page does not accept this indicator's check.
    other = make_indicator(world.project, name="Other")
    client.post(url(world, "measurement_import", pk=other.pk), {"checked": token})
    assert not Measurement.objects.exists()


def test_reading_a_csv_is_case_and_space_tolerant_and_skips_blank_rows():
    rows = read_csv(
        b"\xef\xbb\xbf Value ,PERIOD_END,period_start,extra\n5,2024-04-30,2024-04-01,x\n,,,\n",
        required=["period_start", "period_end", "value"],
    )
    assert rows == [(2, {"period_start": "2024-04-01", "period_end": "2024-04-30", "value": "5"})]
    with pytest.raises(UnreadableSpreadsheet, match="more than 2 rows"):
        read_csv(b"a\n1\n2\n3\n", required=["a"], max_rows=2)


# ---------------------------------------------------------------- reading, and for publication


def test_analysts_and_peer_researchers_read_indicators_but_do_not_change_them(world, client_for):
    indicator = make_indicator(world.project, baseline_start=date(2024, 3, 1), baseline_end=date(2024, 3, 31), baseline_value=50)
    monthly(indicator, [52, 45], by=world.coordinator, start=(2024, 4))
    for reader in (world.analyst, world.peer):
        client = client_for(reader)
        for name in ("indicators", "overview"):
            assert client.get(url(world, name)).status_code == 200
        detail = client.get(url(world, "indicator", pk=indicator.pk))
        assert detail.status_code == 200 and "down 10% on March 2024" in detail.text
        assert "Add a measurement" not in detail.text and "measurements/new" not in detail.text
        assert client.post(url(world, "measurement_new", pk=indicator.pk), MEASUREMENT).status_code == 403
        assert client.post(url(world, "indicator_new"), INDICATOR).status_code == 403
    assert Measurement.objects.count() == 2 and Indicator.objects.count() == 1


def test_supervisors_are_refused_and_anonymous_people_sent_to_sign_in(world, client_for, client):
    indicator = make_indicator(world.project)
    login = reverse("account_login")
    for name, kwargs in [("overview", {}), ("indicators", {}), ("indicator", {"pk": indicator.pk})]:
        assert login in client.get(url(world, name, **kwargs))["Location"]
    supervisor = client_for(world.supervisor)
    for name, kwargs in [("overview", {}), ("indicators", {}), ("indicator", {"pk": indicator.pk})]:
        assert supervisor.get(url(world, name, **kwargs)).status_code == 403


def test_another_projects_indicators_and_measurements_are_not_found(world, client_for):
    theirs = make_indicator(world.other_project, name="Their indicator")
    their_measurement = monthly(theirs, [5], by=world.outsiders["coordinator"])[0]
    ours = make_indicator(world.project)
    client = client_for(world.coordinator)
    for name in ("indicator", "indicator_change", "measurement_new", "measurement_import"):
        assert client.get(url(world, name, pk=theirs.pk)).status_code == 404
    # Their measurement through our indicator's address is not found either, and not deleted.
    kwargs = {"pk": ours.pk, "measurement_pk": their_measurement.pk}
    assert client.get(url(world, "measurement_change", **kwargs)).status_code == 404
    assert client.post(url(world, "measurement_delete", **kwargs)).status_code == 404
    assert client.post(url(world, "measurement_delete", pk=theirs.pk, measurement_pk=their_measurement.pk)).status_code == 404
    assert Measurement.objects.filter(pk=their_measurement.pk).exists()
    listing = client.get(url(world, "indicators")).text + client.get(url(world, "overview")).text
    assert "Their indicator" not in listing


def test_for_publication_small_counts_of_people_read_under_the_threshold(world, client_for):
    indicator = make_indicator(world.project, name="High-risk cases discussed", counts_people=True, better="higher")
    monthly(indicator, [4, 9, 13], by=world.coordinator, start=(2024, 6))
    client = client_for(world.coordinator)
    working = client.get(url(world, "indicator", pk=indicator.pk))
    assert working.text.count('data-value="') == 3 and "&lt;10" not in working.text
    published = client.get(url(world, "indicator", pk=indicator.pk), {"for": "publication"})
    assert published.text.count('data-value="') == 1 and published.text.count("&lt;10") >= 2
    assert "2 figures count fewer than 10 people and are not drawn" in published.text
    assert AuditEvent.objects.filter(action="indicator.viewed_for_publication", object_id=str(indicator.pk)).exists()
    overview = client.get(url(world, "overview"), {"for": "publication"})
    assert overview.text.count('data-value="') == 1 and "are not drawn" in overview.text


def test_the_overview_without_a_strategy_or_indicators(world, client_for):
    response = client_for(world.analyst).get(url(world, "overview"))
    assert response.status_code == 200 and "No indicators yet." in response.text


# ---------------------------------------------------------------- query counts


def _grow(world, indicators: int, months: int) -> Indicator:
    priority, action = strategy_for(world.project)
    first = None
    for n in range(indicators):
        indicator = make_indicator(
            world.project,
            name=f"Indicator {n}",
            priority=priority,
            baseline_value=10,
            baseline_start=date(2023, 4, 1),
            baseline_end=date(2023, 4, 30),
        )
        indicator.actions.set([action])
        monthly(indicator, list(range(10, 10 + months)), by=world.coordinator)
        first = first or indicator
    return first


@pytest.mark.parametrize("page", ["indicators", "overview", "indicator"])
def test_query_count_is_flat_as_indicators_and_measurements_grow(world, client_for, page):
    counts = []
    client = client_for(world.coordinator)
    for indicators, months in ((2, 3), (12, 40)):
        Indicator.objects.all().delete()
        Action.objects.all().delete()
        Priority.objects.all().delete()
        ActionStatus.objects.all().delete()
        first = _grow(world, indicators, months)
        target = url(world, page, pk=first.pk) if page == "indicator" else url(world, page)
        client.get(target)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(target).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
