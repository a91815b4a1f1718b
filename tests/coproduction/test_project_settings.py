"""Coordinators keep the project's name, time zone, cohorts and small-number threshold."""

import pytest
from django.urls import reverse

from coproduction.models import AuditEvent, Project
from tests.factories import ParticipantFactory


def url(project):
    return reverse("coproduction:project_settings", args=[project.slug])


VALID = {
    "name": "Riverside Safer Streets",
    "time_zone": "Europe/London",
    "cohorts_text": "Sex worker\nResident\n  Faith   leader \nresident\n",
    "small_number_threshold": "5",
}


def test_coordinator_changes_the_settings(client_for, world):
    response = client_for(world.coordinator).post(url(world.project), VALID)
    assert response.status_code == 302
    project = Project.objects.get(pk=world.project.pk)
    assert project.name == "Riverside Safer Streets"
    assert project.cohorts == ["Sex worker", "Resident", "Faith leader"]
    assert project.small_number_threshold == 5
    assert AuditEvent.objects.filter(action="project.settings_changed", project=project).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_zone", "Mars/Olympus", "is not a time zone name"),
        ("small_number_threshold", "1", "at least 2"),
        ("cohorts_text", "   \n", "Name at least one cohort."),
        ("name", "", "This field is required."),
    ],
)
def test_bad_values_are_explained_and_nothing_is_saved(client_for, world, field, value, message):
    response = client_for(world.coordinator).post(url(world.project), {**VALID, field: value})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    kept = {**VALID, field: value}
    assert f'value="{kept["small_number_threshold"]}"' in page  # what was typed is kept
    assert Project.objects.get(pk=world.project.pk).name == "Riverside"


def test_a_cohort_with_participants_cannot_be_dropped(client_for, world):
    ParticipantFactory(project=world.project, cohort="Faith leader")
    response = client_for(world.coordinator).post(url(world.project), {**VALID, "cohorts_text": "Sex worker\nResident"})
    assert "Participants belong to Faith leader" in response.content.decode()
    assert "Faith leader" in Project.objects.get(pk=world.project.pk).cohorts


@pytest.mark.parametrize("who", ["peer", "analyst", "supervisor"])
def test_other_roles_cannot_change_settings(client_for, world, who):
    response = client_for(getattr(world, who)).post(url(world.project), VALID)
    assert response.status_code == 403
    assert Project.objects.get(pk=world.project.pk).name == "Riverside"
