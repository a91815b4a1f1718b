"""Notes drafts and resolution logs moved from interviews to the core gate (coproduction 0090,
interviews 0050, coproduction 0091): every row stays in its table, each interview points at its
draft, each draft knows its project and owner, and the step can be taken back."""

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("coproduction", "0081_engagement_events"), ("interviews", "0040_venue_moved_to_coproduction")]


def _leaves(executor):
    return executor.loader.graph.leaf_nodes()


def _columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {column.name for column in connection.introspection.get_table_description(cursor, table)}


def _old_world():
    """Two projects; interviews with drafts (one with a resolution log) and one without."""
    old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    Project = old.get_model("coproduction", "Project")
    user = old.get_model("coproduction", "User").objects.create(email="before@example.org", display_name="Before")
    made = {}
    for slug in ("north", "south"):
        project = Project.objects.create(name=slug.title(), slug=slug)
        venue = old.get_model("coproduction", "Venue").objects.create(project=project, name="Hub", is_remote=False)
        guide = old.get_model("interviews", "TopicGuide").objects.create(project=project, version=1)
        question = old.get_model("interviews", "TopicQuestion").objects.create(guide=guide, order=1, text="Lighting?")
        interviews = []
        for number in (1, 2):
            participant = old.get_model("coproduction", "Participant").objects.create(
                project=project, code=f"{slug[0].upper()}-00{number}", cohort="Resident"
            )
            interviews.append(
                old.get_model("interviews", "Interview").objects.create(
                    project=project,
                    participant=participant,
                    interviewer=user,
                    booked_by=user,
                    starts_at="2026-03-02T10:00:00Z",
                    venue=venue,
                    topic_guide=guide,
                    status="completed",
                )
            )
        draft = old.get_model("interviews", "NotesDraft").objects.create(
            interview=interviews[0],
            author=user,
            content=json.dumps({f"q{question.pk}": f"Lamps out in {slug}.", "free": ""}),
            version=4,
            status="submitted",
            review_comment="",
        )
        Resolution = old.get_model("interviews", "PiiResolution")
        Resolution.objects.create(draft=draft, section=f"q{question.pk}", finding_type="NAME", action="redacted", by=user)
        Resolution.objects.create(
            draft=draft, section="free", finding_type="POSSIBLE_NAME", action="dismissed", reason="A shop sign", by=user
        )
        made[slug] = (project, interviews, draft, question)
    return made


def _check_moved(made):
    """Every draft and log row where the move puts it, with its links."""
    from coproduction.models import NotesDraft, PiiResolution
    from interviews.models import Interview

    assert NotesDraft._meta.db_table == "interviews_notesdraft"
    assert "interview_id" not in _columns("interviews_notesdraft")
    for slug, (project, interviews, draft, question) in made.items():
        moved = NotesDraft.objects.get(pk=draft.pk)
        assert (moved.project_id, moved.owner_kind, moved.version, moved.status) == (project.pk, "interview", 4, "submitted")
        assert Interview.objects.get(pk=interviews[0].pk).notes == moved
        assert moved.interview.pk == interviews[0].pk
        assert Interview.objects.get(pk=interviews[1].pk).notes is None
        # The owner gives the sections again: the text reads as before, under its question.
        assert moved.section_list() == [(f"q{question.pk}", "Lighting?", f"Lamps out in {slug}."), ("free", "Anything else", "")]
        log = list(PiiResolution.objects.filter(draft=moved).values_list("action", "finding_type"))
        assert log == [("redacted", "NAME"), ("dismissed", "POSSIBLE_NAME")]
        assert PiiResolution.objects.get(draft=moved, action="dismissed").reason == "A shop sign"
    from django.contrib.contenttypes.models import ContentType

    assert not ContentType.objects.filter(app_label="interviews", model__in=["notesdraft", "piiresolution"]).exists()


@pytest.mark.django_db(transaction=True)
def test_drafts_and_resolutions_survive_the_move_and_the_move_can_be_taken_back():
    # One test walks back and forth: migrating back over every later migration is most of its time.
    MigrationExecutor(connection).migrate(BEFORE)
    made = _old_world()
    executor = MigrationExecutor(connection)
    executor.migrate(_leaves(executor))
    _check_moved(made)

    MigrationExecutor(connection).migrate(BEFORE)
    old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    for _project, interviews, draft, _question in made.values():
        back = old.get_model("interviews", "NotesDraft").objects.get(pk=draft.pk)
        assert back.interview_id == interviews[0].pk
        assert old.get_model("interviews", "PiiResolution").objects.filter(draft=back).count() == 2
    executor = MigrationExecutor(connection)
    executor.migrate(_leaves(executor))
