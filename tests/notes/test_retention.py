"""Released notes drafts are kept no longer than DRAFT_RETENTION_DAYS, by a scheduled task."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from coproduction.models import NotesDraft
from coproduction.notes import actions as gate
from coproduction.notes.tasks import purge_released_drafts_task
from tests.interviews.factories import completed_interview, draft_for

pytestmark = pytest.mark.django_db

RELEASE = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _released(world):
    draft = draft_for(completed_interview(world), NotesDraft.Status.SUBMITTED, q1="Lamps out.")
    return draft, gate.release_notes(draft, by=world.coordinator)


def test_task_deletes_only_drafts_past_retention(world, settings):
    settings.DRAFT_RETENTION_DAYS = 7
    with time_machine.travel(RELEASE, tick=False):
        old, old_document = _released(world)
    with time_machine.travel(RELEASE + timedelta(days=3), tick=False):
        recent, _ = _released(world)
    writing = draft_for(completed_interview(world), q1="Still writing.")
    waiting = draft_for(completed_interview(world), NotesDraft.Status.SUBMITTED, q1="Waiting.")

    with time_machine.travel(RELEASE + timedelta(days=7) - timedelta(seconds=1), tick=False):
        assert purge_released_drafts_task() == 0
    with time_machine.travel(RELEASE + timedelta(days=8), tick=False):
        assert purge_released_drafts_task() == 1
        assert purge_released_drafts_task() == 0  # idempotent: hourly runs do no harm
    assert not NotesDraft.objects.filter(pk=old.pk).exists()
    assert set(NotesDraft.objects.values_list("pk", flat=True)) == {recent.pk, writing.pk, waiting.pk}
    old_document.refresh_from_db()  # the released Document itself is not touched
    with time_machine.travel(RELEASE + timedelta(days=11), tick=False):
        assert purge_released_drafts_task() == 1
    assert set(NotesDraft.objects.values_list("pk", flat=True)) == {writing.pk, waiting.pk}


def test_with_retention_zero_release_deletes_the_draft_and_the_task_finds_nothing(world, settings):
    settings.DRAFT_RETENTION_DAYS = 0
    writing = draft_for(completed_interview(world), q1="Still writing.")
    with time_machine.travel(RELEASE, tick=False):
        draft, document = _released(world)
        assert not NotesDraft.objects.filter(pk=draft.pk).exists()  # deleted at release
        assert document.text
    with time_machine.travel(RELEASE + timedelta(days=400), tick=False):
        assert purge_released_drafts_task() == 0
    assert list(NotesDraft.objects.values_list("pk", flat=True)) == [writing.pk]


def test_lowering_retention_to_zero_purges_drafts_kept_under_the_old_setting(world, settings):
    settings.DRAFT_RETENTION_DAYS = 30
    with time_machine.travel(RELEASE, tick=False):
        kept, _ = _released(world)
    settings.DRAFT_RETENTION_DAYS = 0
    with time_machine.travel(RELEASE + timedelta(minutes=5), tick=False):
        assert purge_released_drafts_task() == 1
    assert not NotesDraft.objects.filter(pk=kept.pk).exists()


def test_command_runs_the_same_function(world, settings):
    settings.DRAFT_RETENTION_DAYS = 1
    with time_machine.travel(RELEASE, tick=False):
        _released(world)
    out = StringIO()
    with time_machine.travel(RELEASE + timedelta(days=2), tick=False):
        call_command("purge_released_drafts", stdout=out)
    assert "1 released draft(s) deleted." in out.getvalue()
    assert not NotesDraft.objects.exists()


def test_beat_schedules_the_purge_once_by_its_task_name(settings):
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == purge_released_drafts_task.name]
    assert len(entries) == 1 and entries[0]["schedule"] <= 24 * 3600
