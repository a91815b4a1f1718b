"""Every edit form with a date, time or date-and-time opened on an existing object, in a real
browser: each such input shows its own value (non-empty and valid to the browser), and the form
submitted unchanged is accepted. A value printed in the page's locale ("5 Dec 2026, 7 p.m.") is
blank in the browser's picker, so changing only the venue once failed with "This field is
required"."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coproduction.models import AuditEvent
from tests.engagement.factories import make_event
from tests.interviews.factories import make_interview
from tests.strategy.factories import make_action, make_indicator, monthly
from tests.wellbeing.factories import session

pytestmark = pytest.mark.django_db(transaction=True)


def edit_forms(world) -> list[tuple[str, str, object, list[str]]]:
    """(what, URL, who opens it, the date/time inputs it must show filled); saving each is audited."""
    project, coordinator = world.project, world.coordinator
    slug = {"slug": project.slug}
    interview = make_interview(project, world.peer, booked_by=coordinator, starts_in=timedelta(days=5, hours=3))
    support = session(project, [world.peer], booked_by=coordinator, starts_at=timezone.now() + timedelta(days=4))
    event = make_event(project, by=coordinator, starts_in=timedelta(days=6))
    action = make_action(project, starts_on=date(2026, 4, 1), due_on=date(2027, 3, 31))
    indicator = make_indicator(project, baseline_start=date(2024, 3, 1), baseline_end=date(2024, 3, 31), baseline_value=18)
    (measurement,) = monthly(indicator, [30], by=coordinator, start=(2024, 4))
    project.refresh_from_db()
    strategy = project.strategy
    strategy.status, strategy.adopted_on = strategy.Status.ADOPTED, date(2026, 6, 1)
    strategy.save()
    project.follow_up_ends_on = date(2027, 12, 31)
    project.save(update_fields=["follow_up_ends_on"])
    return [
        ("move an interview", reverse("interviews:reschedule", kwargs={**slug, "pk": interview.pk}), coordinator, ["starts_at"]),
        (
            "change a support session",
            reverse("wellbeing:session_edit", kwargs={**slug, "pk": support.pk}),
            coordinator,
            ["day", "start", "end"],
        ),
        ("change an event", reverse("engagement:change", kwargs={**slug, "pk": event.pk}), coordinator, ["day", "start"]),
        ("strategy settings", reverse("strategy:settings", kwargs=slug), coordinator, ["adopted_on"]),
        (
            "change an action",
            reverse("strategy:action_change", kwargs={**slug, "pk": action.pk}),
            coordinator,
            ["starts_on", "due_on"],
        ),
        (
            "change an indicator",
            reverse("strategy:indicator_change", kwargs={**slug, "pk": indicator.pk}),
            coordinator,
            ["baseline_start", "baseline_end"],
        ),
        (
            "change a measurement",
            reverse("strategy:measurement_change", kwargs={**slug, "pk": indicator.pk, "measurement_pk": measurement.pk}),
            coordinator,
            ["period_start", "period_end"],
        ),
        ("project settings", reverse("coproduction:project_settings", kwargs=slug), coordinator, ["follow_up_ends_on"]),
    ]


def test_every_date_and_time_input_shows_its_value_and_the_unchanged_form_is_accepted(page, world, sign_in):
    forms = edit_forms(world)
    sign_in(page, world.coordinator)
    refused = []
    for what, path, _, names in forms:
        page.goto(path)
        for name in names:
            field = page.locator(f"form [name='{name}']")
            value = field.input_value()
            valid = field.evaluate("input => input.validity.valid")
            kind = field.get_attribute("type")
            if not value or not valid or kind not in {"date", "time", "datetime-local"}:
                refused.append(f"{what}: {name} shows {value!r} as {kind} (valid: {valid})")
        audited = AuditEvent.objects.count()
        form = page.locator("form", has=page.locator(f"[name='{names[0]}']"))
        form.locator("button:not([name]), button[type=submit]").first.click()
        page.wait_for_load_state()
        errors = page.locator(".govuk-error-summary")
        if errors.count() or AuditEvent.objects.count() != audited + 1:
            refused.append(f"{what}: unchanged form refused: {errors.all_inner_texts()}")
    assert not refused, "\n".join(refused)
