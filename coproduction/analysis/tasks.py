"""Background exports and their clean-up. Tasks take ids only; bodies are plain functions."""

import logging
from datetime import timedelta
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from coproduction.analysis import builders
from coproduction.models import ExportJob

log = logging.getLogger("coproduction.analysis")


def export_dir() -> Path:
    path = Path(settings.PRIVATE_MEDIA_ROOT) / "exports"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def run_export_job(job_id: int) -> bool:
    """Build the file of a queued export job. Returns False if there was nothing to do.

    Steps: claim the job with a conditional update (two workers never build it twice); build the
    file under PRIVATE_MEDIA_ROOT, reporting progress on the row; mark it done (or failed).
    """
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(status=ExportJob.Status.RUNNING)
    if not claimed:
        return False
    job = ExportJob.objects.select_related("project").get(pk=job_id)
    file_name = f"{job.pk}-{job.project.slug}{builders.extension(job.format)}"

    def progress(done: int, total: int) -> None:
        percent = min(99, int(100 * done / total)) if total else 0
        ExportJob.objects.filter(pk=job_id).update(progress=percent)

    try:
        with open(export_dir() / file_name, "wb") as out:
            builders.build(job.project, job.format, job.publication, out, progress)
    except Exception as error:
        # The class only: an exception's message or traceback may quote the corpus.
        log.error("export job %s failed: %s", job_id, type(error).__name__)  # noqa: TRY400
        ExportJob.objects.filter(pk=job_id).update(status=ExportJob.Status.FAILED, finished_at=timezone.now())
        (export_dir() / file_name).unlink(missing_ok=True)
        return False
    finished = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING).update(
        status=ExportJob.Status.DONE, progress=100, file_name=file_name, finished_at=timezone.now()
    )
    if not finished:
        # The job was withdrawn while it ran (a participant left the corpus): its rows may be
        # in this file, and with no row left nothing would ever delete it.
        (export_dir() / file_name).unlink(missing_ok=True)
        return False
    return True


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


def queue_export_job(job: ExportJob) -> None:
    transaction.on_commit(lambda: run_export_job_task.delay(job.pk))
