"""Background exports are rows: a broker outage at the request is no 500 and no job stuck
"queued" for ever; a beat sweep queues again what the broker refused or a dead worker left,
and the progress page says what is happening."""

from datetime import timedelta

import pytest
from django.utils import timezone

from coproduction.analysis import tasks
from coproduction.models import ExportJob
from tests.analysis.test_exports import url

pytestmark = pytest.mark.django_db

Status = ExportJob.Status


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def broker(monkeypatch):
    """A broker that can be switched off; it records the job ids handed to it."""

    class Broker:
        up = True
        queued: list[int] = []

        def apply_async(self, args, expires):
            if not self.up:
                raise ConnectionRefusedError
            assert expires == tasks.settings.EXPORT_QUEUE_EXPIRES_SECONDS
            self.queued.append(args[0])

    fake = Broker()
    fake.queued = []
    monkeypatch.setattr(tasks.run_export_job_task, "apply_async", fake.apply_async)
    return fake


@pytest.fixture
def large(settings):
    settings.ANALYSIS_BACKGROUND_EXPORT_ROWS = 1


def test_an_export_requested_while_the_broker_is_down_is_no_500_and_is_queued_later(
    corpus, client_for, broker, large, caplog, django_capture_on_commit_callbacks
):
    broker.up = False
    client = client_for(corpus.analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(corpus, "export"), {"format": "csv"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == url(corpus, "export_job", pk=job.pk)
    assert (job.status, job.queued_at) == (Status.QUEUED, None)
    assert "export queue unavailable (ConnectionRefusedError)" in caplog.text
    page = client.get(url(corpus, "export_job", pk=job.pk))
    assert "the task queue cannot be reached just now" in page.text
    assert "cannot be reached" in client.get(url(corpus, "export_job_status", pk=job.pk)).json()["description"]
    # The broker is back; the next sweep (beat, every minute) queues the job.
    broker.up = True
    assert tasks.requeue_stalled_exports(timezone.now() + timedelta(minutes=1)) == 1
    assert broker.queued == [job.pk]
    job.refresh_from_db()
    assert job.queued_at is not None and job.state_description == "Waiting for a worker"
    assert tasks.run_export_job(job.pk) is True
    assert client.get(url(corpus, "export_job_status", pk=job.pk)).json()["description"] == "Ready"


def test_a_queued_job_is_left_alone_while_its_message_can_still_run(corpus, broker, settings):
    job = ExportJob.objects.create(project=corpus.project, requested_by=corpus.analyst, format=ExportJob.Format.QDC)
    assert tasks.queue_export(job.pk)
    now = timezone.now()
    assert tasks.requeue_stalled_exports(now + timedelta(seconds=settings.EXPORT_QUEUE_EXPIRES_SECONDS - 5)) == 0
    assert tasks.requeue_stalled_exports(now + timedelta(seconds=settings.EXPORT_QUEUE_EXPIRES_SECONDS + 5)) == 1
    assert broker.queued == [job.pk, job.pk]


def test_a_job_whose_worker_died_is_built_again_and_the_dead_one_changes_nothing(corpus, broker, settings, monkeypatch):
    job = ExportJob.objects.create(project=corpus.project, requested_by=corpus.analyst, format=ExportJob.Format.QDC)
    # Worker one claims the job and goes silent (killed) ...
    ExportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, attempts=1, heartbeat_at=timezone.now())
    later = timezone.now() + timedelta(seconds=settings.EXPORT_LEASE_SECONDS + 1)
    assert tasks.requeue_stalled_exports(later) == 1
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Status.QUEUED, 1)
    assert "try again" in job.state_description
    assert tasks.run_export_job(job.pk) is True  # worker two
    job.refresh_from_db()
    assert (job.status, job.attempts, job.file_name) == (Status.DONE, 2, f"{job.pk}-2-{corpus.project.slug}.qdc")
    # ... and if worker one wakes up, its conditional writes touch nothing.
    stale = ExportJob.objects.filter(pk=job.pk, status=Status.RUNNING, attempts=1)
    assert stale.update(status=Status.FAILED) == 0


def test_a_job_that_keeps_stalling_fails_visibly(corpus, broker, settings):
    job = ExportJob.objects.create(project=corpus.project, requested_by=corpus.analyst, format=ExportJob.Format.QDC)
    ExportJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, attempts=tasks.EXPORT_MAX_ATTEMPTS, heartbeat_at=timezone.now()
    )
    assert tasks.requeue_stalled_exports(timezone.now() + timedelta(seconds=settings.EXPORT_LEASE_SECONDS + 1)) == 0
    job.refresh_from_db()
    assert job.status == Status.FAILED and job.state_description == "Failed"


def test_the_sweep_is_scheduled_every_minute(settings):
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "analysis.requeue_stalled_exports"]
    assert entries and entries[0]["schedule"] == 60.0
