"""Venues moved from interviews to coproduction by a change of state only: the table
`interviews_venue` and every row stay, and interviews keep pointing at their venues."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("coproduction", "0040_field_keys_independent_of_secret_key"), ("interviews", "0002_flags_notes_drafts_resolutions")]


def _leaves(executor):
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_venues_and_the_interviews_using_them_survive_the_move():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    Project = old.get_model("coproduction", "Project")
    project = Project.objects.create(name="Before", slug="before")
    venue = old.get_model("interviews", "Venue").objects.create(project=project, name="North hub", is_remote=False)
    old.get_model("interviews", "Venue").objects.create(project=project, name="Phone", is_remote=True, active=False)
    user = old.get_model("coproduction", "User").objects.create(email="before@example.org", display_name="Before")
    participant = old.get_model("coproduction", "Participant").objects.create(project=project, code="R-001", cohort="Resident")
    guide = old.get_model("interviews", "TopicGuide").objects.create(project=project, version=1)
    interview = old.get_model("interviews", "Interview").objects.create(
        project=project,
        participant=participant,
        interviewer=user,
        booked_by=user,
        starts_at="2026-03-02T10:00:00Z",
        venue=venue,
        topic_guide=guide,
    )

    executor = MigrationExecutor(connection)
    executor.migrate(_leaves(executor))

    from coproduction.models import Venue

    assert connection.introspection.table_names().count("interviews_venue") == 1
    assert Venue._meta.db_table == "interviews_venue"
    assert sorted(Venue.objects.filter(project_id=project.pk).values_list("name", "is_remote", "active")) == [
        ("North hub", False, True),
        ("Phone", True, False),
    ]
    from interviews.models import Interview

    moved = Interview.objects.select_related("venue").get(pk=interview.pk)
    assert (moved.venue.pk, moved.venue.name, type(moved.venue)) == (venue.pk, "North hub", Venue)
    from django.contrib.contenttypes.models import ContentType

    assert ContentType.objects.filter(app_label="interviews", model="venue").count() == 0
