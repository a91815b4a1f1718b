"""Background exports and their clean-up. Tasks take ids only; bodies are plain functions."""

import logging
from datetime import datetime, timedelta
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from coproduction.analysis import builders
from coproduction.models import ExportJob

log = logging.getLogger("coproduction.analysis")

# A job whose worker died this many times is failed rather than tried for ever.
EXPORT_MAX_ATTEMPTS = 3


def export_dir() -> Path:
    path = Path(settings.PRIVATE_MEDIA_ROOT) / "exports"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def run_export_job(job_id: int) -> bool:
    """Build the file of a queued export job. Returns False if there was nothing to do.

    Steps: claim the job with a conditional update (two workers never build it at once), as
    attempt n; build the file under PRIVATE_MEDIA_ROOT, reporting progress (and so a
    heartbeat) on the row; mark it done (or failed). Every write is conditional on attempt n:
    a worker presumed dead by the sweep (`requeue_stalled_exports`) that wakes up again
    changes nothing and deletes its own file.
    """
    now = timezone.now()
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, attempts=F("attempts") + 1, heartbeat_at=now
    )
    if not claimed:
        return False
    job = ExportJob.objects.select_related("project").get(pk=job_id)
    ours = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING, attempts=job.attempts)
    file_name = f"{job.pk}-{job.attempts}-{job.project.slug}{builders.extension(job.format)}"

    def progress(done: int, total: int) -> None:
        percent = min(99, int(100 * done / total)) if total else 0
        ours.update(progress=percent, rows_done=done, rows_total=total, heartbeat_at=timezone.now())

    try:
        with open(export_dir() / file_name, "wb") as out:
            builders.build(job.project, job.format, job.publication, out, progress)
    except Exception as error:
        # The class only: an exception's message or traceback may quote the corpus.
        log.error("export job %s failed: %s", job_id, type(error).__name__)  # noqa: TRY400
        ours.update(status=ExportJob.Status.FAILED, finished_at=timezone.now())
        (export_dir() / file_name).unlink(missing_ok=True)
        return False
    finished = ours.update(status=ExportJob.Status.DONE, progress=100, file_name=file_name, finished_at=timezone.now())
    if not finished:
        # The job was withdrawn while it ran (a participant left the corpus), or the sweep gave
        # it to another worker: its rows may be in this file, and no row points to it.
        (export_dir() / file_name).unlink(missing_ok=True)
        return False
    return True


def queue_export(job_id: int) -> bool:
    """Hand a job to a worker; note that the broker took it. A broker error is logged, not
    raised: the job stays queued and the sweep queues it again (the next beat)."""
    try:
        run_export_job_task.apply_async((job_id,), expires=settings.EXPORT_QUEUE_EXPIRES_SECONDS)
    except Exception as error:
        log.warning("export queue unavailable (%s); job %s waits for the next sweep", type(error).__name__, job_id)
        return False
    ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(queued_at=timezone.now())
    return True


def requeue_stalled_exports(now: datetime | None = None) -> int:
    """Beat, every minute: queue again the jobs nobody is working on; return how many.

    Jobs the broker refused (queued_at empty, past a short grace), whose message expired
    unread (EXPORT_QUEUE_EXPIRES_SECONDS: a worker drops an expired message), and running jobs
    silent for EXPORT_LEASE_SECONDS (the worker died). A job that stalled EXPORT_MAX_ATTEMPTS
    times is failed: the requester sees it and asks again.
    """
    now = now or timezone.now()
    Status = ExportJob.Status
    refused = Q(status=Status.QUEUED, queued_at__isnull=True, created_at__lt=now - timedelta(seconds=30))
    lost = Q(status=Status.QUEUED, queued_at__lt=now - timedelta(seconds=settings.EXPORT_QUEUE_EXPIRES_SECONDS))
    died = Q(status=Status.RUNNING, heartbeat_at__lt=now - timedelta(seconds=settings.EXPORT_LEASE_SECONDS))
    ExportJob.objects.filter(died, attempts__gte=EXPORT_MAX_ATTEMPTS).update(status=Status.FAILED, finished_at=now)
    ExportJob.objects.filter(died).update(status=Status.QUEUED, queued_at=None, progress=0, rows_done=0)
    stalled = list(ExportJob.objects.filter(refused | lost).order_by("created_at").values_list("pk", flat=True))
    requeued = 0
    for job_id in stalled:
        if not queue_export(job_id):
            break  # the broker is still down: the next sweep tries again
        requeued += 1
    return requeued


def delete_old_exports() -> int:
    """Delete export files and rows older than EXPORT_RETENTION_DAYS, and any file in the export
    folder whose job no longer exists (nothing else would ever remove it). Returns how many."""
    cutoff = timezone.now() - timedelta(days=settings.EXPORT_RETENTION_DAYS)
    deleted = 0
    for job in ExportJob.objects.filter(created_at__lt=cutoff):
        if job.file_name:
            (export_dir() / Path(job.file_name).name).unlink(missing_ok=True)
        job.delete()
        deleted += 1
    return deleted + delete_orphaned_export_files()


def delete_orphaned_export_files() -> int:
    """Files are named "<job id>-<project>.<ext>"; a file whose job row is gone is deleted."""
    files = {path: path.name.split("-", 1)[0] for path in export_dir().iterdir() if path.is_file()}
    known = {
        str(pk) for pk in ExportJob.objects.filter(pk__in=[i for i in files.values() if i.isdigit()]).values_list("pk", flat=True)
    }
    orphans = [path for path, job_id in files.items() if job_id not in known]
    for path in orphans:
        path.unlink(missing_ok=True)
    return len(orphans)


def delete_project_exports(project_id: int) -> int:
    """Delete every kept export file of a project. Run when a Document leaves the corpus
    (withdrawal): a file made earlier may hold the participant's words. Returns how many."""
    deleted = 0
    for job in ExportJob.objects.filter(project_id=project_id):
        if job.file_name:
            (export_dir() / Path(job.file_name).name).unlink(missing_ok=True)
        job.delete()
        deleted += 1
    if deleted:
        log.info("deleted %s kept exports of project %s after a document was removed", deleted, project_id)
    return deleted


def document_removed(sender, instance, **kwargs) -> None:
    project_id = instance.project_id
    transaction.on_commit(lambda: delete_project_exports(project_id))


@shared_task(name="analysis.run_export_job")
def run_export_job_task(job_id: int) -> bool:
    return run_export_job(job_id)


@shared_task(name="analysis.delete_old_exports")
def delete_old_exports_task() -> int:
    return delete_old_exports()


@shared_task(name="analysis.requeue_stalled_exports", ignore_result=True)
def requeue_stalled_exports_task() -> bool:
    return bool(requeue_stalled_exports())


def queue_export_job(job: ExportJob) -> None:
    """Queue after commit, so a worker never looks for a row not yet visible."""
    job_id = job.pk
    transaction.on_commit(lambda: queue_export(job_id))
