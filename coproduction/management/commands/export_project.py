import signal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from coproduction.analysis import builders
from coproduction.audit import record
from coproduction.models import ExportJob, Project

FORMATS = {
    "csv": ExportJob.Format.CSV,
    "xlsx": ExportJob.Format.XLSX,
    "qdc": ExportJob.Format.QDC,
    "qdpx": ExportJob.Format.QDPX,
    "qdpx-nvivo": ExportJob.Format.QDPX_NVIVO,
    "taguette-csv": ExportJob.Format.TAGUETTE_CSV,
    "pdf": ExportJob.Format.PDF,
}


class Stopped(CommandError):
    pass


def _stop(signum, frame):
    raise Stopped("Stopped before the export was finished; no file was written.")


class Command(BaseCommand):
    help = "Export a project's analysis (excerpts, codebook, REFI-QDA, PDF report) to a file. Audited."

    def add_arguments(self, parser):
        parser.add_argument("--project", required=True, help="The project's slug.")
        parser.add_argument("--format", required=True, choices=sorted(FORMATS))
        parser.add_argument("--publication", action="store_true", help="Hide small numbers; only quotes that may be published.")
        parser.add_argument("--output", required=True, help="The file to write (must not exist yet).")

    def handle(self, *args, project, format, publication, output, **options):
        target = Path(output)
        if target.exists():
            raise CommandError(f"{target} already exists; choose a new file name.")
        if not target.parent.is_dir():
            raise CommandError(f"The folder {target.parent} does not exist.")
        found = Project.objects.filter(slug=project).first()
        if found is None:
            raise CommandError(f"No project with the slug {project!r}.")
        fmt = FORMATS[format]
        # SIGTERM stops the export cleanly: no half-written file is left behind.
        previous = signal.signal(signal.SIGTERM, _stop)
        try:
            with target.open("xb") as out:
                builders.build(found, fmt, publication, out)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        finally:
            signal.signal(signal.SIGTERM, previous)
        record(None, f"export.{fmt}{'.publication' if publication else ''}.command", found)
        self.stdout.write(f"Wrote {target}.")
