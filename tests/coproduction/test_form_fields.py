"""Shared form fields. Every date a person types is bounded to 2000-2099 with a clear message: Python's dates stop
at the years 1 and 9999, and booking or moving an interview at 9999-12-31 23:59 or
0001-01-01 00:00 was a 500 (OverflowError adding the duration or moving it to UTC)."""

import importlib
import inspect
import pkgutil
from datetime import UTC, datetime

import pytest
import time_machine
from django import forms
from django.urls import reverse

from coproduction import formfields
from interviews import actions
from interviews.models import Interview
from tests.interviews.factories import guide_for, make_interview, venue_for
from tests.participation.factories import consenting_participant
from wellbeing.models import SupportSession, TrainingCompletion

pytestmark = pytest.mark.django_db
EXTREMES = ["9999-12-31T23:59", "0001-01-01T00:00", "1999-12-31T23:59", "2100-01-01T00:00"]
# Every `forms` module of the project's packages, found rather than listed, so a new app's
# forms are checked without anyone remembering to add them.
FORM_MODULES = sorted(
    info.name
    for package in ("coproduction", "interviews", "wellbeing")
    for info in pkgutil.walk_packages(importlib.import_module(package).__path__, prefix=f"{package}.")
    if info.name.rsplit(".", 1)[-1].endswith("forms")
)


def _form_classes():
    for name in FORM_MODULES:
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == name:
                yield cls


def test_every_date_field_of_every_form_is_bounded():
    unbounded = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in _form_classes()
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.DateField | forms.DateTimeField) and formfields.validate_date_in_range not in field.validators
    ]
    assert not unbounded, f"use coproduction.formfields.DateField / DateTimeField: {unbounded}"


def test_every_date_and_time_field_of_every_form_shows_its_value_in_the_format_its_input_takes():
    """A time printed as "7 p.m." or a date as "5 Dec 2026" leaves the browser's input blank, and a
    form changed in another field only then fails with "This field is required"."""
    shared = {
        forms.DateField: formfields.DateField,
        forms.DateTimeField: formfields.DateTimeField,
        forms.TimeField: formfields.TimeField,
    }
    inputs = (formfields.DateInput, formfields.DateTimeInput, formfields.TimeInput)
    wrong = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in _form_classes()
        for name, field in cls.base_fields.items()
        for plain, ours in shared.items()
        if isinstance(field, plain) and not (isinstance(field, ours) and isinstance(field.widget, inputs))
    ]
    assert not wrong, f"use coproduction.formfields' date and time fields and inputs: {wrong}"


def test_a_time_of_day_round_trips_without_seconds():
    import datetime as dt

    class Example(forms.Form):
        start = formfields.TimeField()

    form = Example(initial={"start": dt.time(19, 0, 12, 345)})
    assert form["start"].value() == "19:00" and 'type="time"' in str(form["start"]) and 'value="19:00"' in str(form["start"])
    assert Example(data={"start": "19:00"}).is_valid()


def test_every_multiple_choice_of_rows_refuses_ids_the_database_cannot_hold():
    plain = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in _form_classes()
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.ModelMultipleChoiceField) and not isinstance(field, formfields.ModelMultipleChoiceField)
    ]
    assert not plain, f"use coproduction.formfields.ModelMultipleChoiceField: {plain}"


def test_every_choice_of_rows_is_the_shared_field():
    """Each reads its choices in one query (formfields.ChoicesInOneQuery)."""
    plain = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in _form_classes()
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.ModelChoiceField) and not isinstance(field.iterator(field), formfields.ChoicesInOneQuery)
    ]
    assert not plain, f"use coproduction.formfields.ModelChoiceField or ModelMultipleChoiceField: {plain}"


def test_a_choice_of_rows_is_read_in_one_plain_query_however_often_it_is_shown(db):
    """Was a server-side cursor on PostgreSQL (DECLARE ... WITH HOLD, FETCH, CLOSE) per rendering."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from coproduction.models import Project

    for n in range(3):
        Project.objects.create(name=f"Project {n}", slug=f"project-{n}")

    class Example(forms.Form):
        one = formfields.ModelChoiceField(queryset=Project.objects.order_by("slug"), empty_label="Choose")
        many = formfields.ModelMultipleChoiceField(queryset=Project.objects.order_by("slug"), required=False)

    form = Example()
    with CaptureQueriesContext(connection) as queries:
        first, again, many = str(form["one"]), str(form["one"]), str(form["many"])
    assert first == again and "Choose" in first and all(f"Project {n}" in first and f"Project {n}" in many for n in range(3))
    assert len(queries) == 2, [q["sql"] for q in queries]
    assert not [q for q in queries if "CURSOR" in q["sql"].upper()]
    assert Example(data={"one": str(Project.objects.get(slug="project-1").pk)}).is_valid()


@pytest.mark.parametrize("posted", ["99999999999999999999", "-99999999999999999999", "9223372036854775808"])
def test_an_id_too_large_for_the_database_is_an_unknown_choice(world, client_for, posted):
    """Was OverflowError (SQLite) / DataError (PostgreSQL) while checking the choices: a 500."""
    from wellbeing.models import SupportPolicy

    url = reverse("wellbeing:policy", kwargs={"slug": world.project.slug})
    data = {"supervision_every_days": 9, "supervision_after_interviews": 3, "check_in_alert_threshold": 3}
    response = client_for(world.coordinator).post(url, {**data, "required_modules": posted})
    assert response.status_code == 200 and "Select a valid choice" in response.text
    assert not SupportPolicy.objects.filter(supervision_every_days=9).exists()
    sessions = reverse("wellbeing:session_new", kwargs={"slug": world.project.slug})
    booking = {"kind": SupportSession.Kind.DEBRIEF, "attendees": [posted], "day": "2030-01-07", "start": "10:00", "end": "11:00"}
    response = client_for(world.coordinator).post(sessions, booking)
    assert response.status_code == 200 and "Select a valid choice" in response.text
    assert not SupportSession.objects.exists()


def test_the_range_and_its_message():
    assert formfields.date_in_range(datetime(2000, 1, 1, tzinfo=UTC)) and formfields.date_in_range(datetime(2099, 12, 31, 23, 59))
    assert not formfields.date_in_range(datetime(1999, 12, 31, 23, 59)) and not formfields.date_in_range(datetime(2100, 1, 1))
    assert formfields.OUT_OF_RANGE == "Enter a date between 1 January 2000 and 31 December 2099."


@pytest.fixture
def setup(world):
    guide_for(world.project)
    return venue_for(world.project), consenting_participant(world.project, world.coordinator)


@time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False)
@pytest.mark.parametrize("starts_at", EXTREMES)
def test_booking_or_moving_an_interview_at_an_extreme_date_is_refused_clearly(world, client_for, setup, starts_at):
    venue, participant = setup
    client = client_for(world.coordinator)
    data = {"interviewer": world.peer.pk, "starts_at": starts_at, "duration_minutes": 60, "venue": venue.pk}
    book = reverse("interviews:book", kwargs={"slug": world.project.slug})
    response = client.post(book, {**data, "participant": participant.pk})
    assert response.status_code == 200 and formfields.OUT_OF_RANGE in response.text
    assert not Interview.objects.exists()

    interview = make_interview(world.project, world.peer, booked_by=world.coordinator)
    before = interview.starts_at
    move = reverse("interviews:reschedule", kwargs={"slug": world.project.slug, "pk": interview.pk})
    response = client.post(move, data)
    assert response.status_code == 200 and formfields.OUT_OF_RANGE in response.text
    interview.refresh_from_db()
    assert interview.starts_at == before


@pytest.mark.parametrize("starts_at", [datetime(9999, 12, 31, 23, 59, tzinfo=UTC), datetime(1, 1, 1, 0, 0, tzinfo=UTC)])
def test_the_booking_rules_refuse_extreme_dates_before_any_arithmetic(world, setup, starts_at):
    """The workflow checks the range itself too: not every caller is a form."""
    venue, participant = setup
    problems = actions.booking_problems(
        project=world.project,
        participant=participant,
        interviewer=world.peer,
        starts_at=starts_at,
        duration_minutes=60,
        venue=venue,
    )
    assert problems == [formfields.OUT_OF_RANGE]


@time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False)
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2100-01-01"])
def test_a_support_session_at_an_extreme_date_is_refused_clearly(world, client_for, day):
    url = reverse("wellbeing:session_new", kwargs={"slug": world.project.slug})
    data = {"kind": SupportSession.Kind.DEBRIEF, "attendees": [world.peer.pk], "day": day, "start": "23:00", "end": "23:59"}
    response = client_for(world.coordinator).post(url, data)
    assert response.status_code == 200 and formfields.OUT_OF_RANGE in response.text
    assert not SupportSession.objects.exists()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_training_dates_and_report_periods_at_extreme_dates_are_refused_clearly(world, client_for, day):
    from wellbeing.models import TrainingModule

    client = client_for(world.coordinator)
    module = TrainingModule.objects.first()
    training = reverse("wellbeing:training", kwargs={"slug": world.project.slug})
    response = client.post(training, {"person": world.peer.pk, "module": module.pk, "completed_on": day})
    assert response.status_code == 200 and formfields.OUT_OF_RANGE in response.text
    assert not TrainingCompletion.objects.exists()
    # The report's period once subtracted 90 days from 0001-01-01 and added one to 9999-12-31.
    report = reverse("wellbeing:report", kwargs={"slug": world.project.slug})
    for params in ({"date_from": day}, {"date_to": day}, {"date_from": day, "date_to": day}):
        response = client.get(report, params)
        assert response.status_code == 200 and formfields.OUT_OF_RANGE in response.text


def test_audit_filter_dates_are_bounded(world, client_for):
    audit = reverse("coproduction:audit", kwargs={"slug": world.project.slug})
    response = client_for(world.coordinator).get(audit, {"date_from": "0001-01-01", "date_to": "9999-12-31"})
    assert response.status_code == 200 and formfields.OUT_OF_RANGE in response.text


def test_date_and_time_inputs_round_trip_their_own_value():
    """A date or date-and-time shown on a form is in the one format its input accepts, so a form
    changed in another field only still carries it (the browser shows a locale date as blank)."""
    import datetime as dt

    from django import forms as django_forms
    from django.utils import timezone

    from coproduction import formfields as fields

    class Example(django_forms.Form):
        day = fields.DateField(widget=fields.DateInput)
        starts_at = fields.DateTimeField(widget=fields.DateTimeInput)

    moment = dt.datetime(2026, 12, 5, 19, 0, tzinfo=dt.UTC)
    with timezone.override("Europe/London"):
        form = Example(initial={"day": dt.date(2026, 12, 5), "starts_at": moment})
        html = str(form["day"]) + str(form["starts_at"])
        assert form["day"].value() == "2026-12-05" and 'value="2026-12-05"' in html
        assert form["starts_at"].value() == "2026-12-05T19:00" and 'value="2026-12-05T19:00"' in html
        again = Example(data={"day": form["day"].value(), "starts_at": form["starts_at"].value()})
        assert again.is_valid() and again.cleaned_data["starts_at"] == moment


def test_the_interview_filter_shows_its_choices_from_kept_questions_and_checks_what_is_posted(world, django_assert_num_queries):
    """The choices come from prepared questions (one query each, once per form), and a posted
    interviewer who is not one of the project's peer researchers is still refused."""
    from interviews.forms import FilterForm

    venue_for(world.project)
    form = FilterForm(project=world.project)
    str(form["interviewer"])  # compiles and keeps the questions
    form = FilterForm(project=world.project)
    with django_assert_num_queries(2):
        interviewers = list(form.fields["interviewer"].choices)
        venues = list(form.fields["venue"].choices)
        assert list(form.fields["interviewer"].choices) == interviewers  # read once per form
    assert {str(v) for v, _ in interviewers[1:]} == {str(world.peer.pk), str(world.second_peer.pk)}
    assert len(venues) == 2
    refused = FilterForm({"interviewer": world.coordinator.pk}, project=world.project)
    assert not refused.is_valid() and "interviewer" in refused.errors
    assert FilterForm({"interviewer": world.peer.pk}, project=world.project).chosen() == {"interviewer": world.peer.pk}
