"""Exports at scale: each export of a project timed against the floor of what it must do, with
its peak memory. Called by `python -m tests.bench_scale` as `measure(project_id)`; run one by
hand with `python -m tests.bench_scale.exports PROJECT_ID [NAME ...]` (PostgreSQL: the floors
use COPY; BENCH_REPEAT=3 keeps the best of three runs, BENCH_NO_FLOOR=1 skips the floors).

Every measurement runs in a fresh subprocess, so its peak resident set (VmHWM) is the export's
own and not what an earlier one left behind. The floors:

- CSV: PostgreSQL `COPY … TO STDOUT (FORMAT csv)` of the same query the export runs (the same
  joins and filters, the quote cut out of the text in SQL), written to a file.
- Excel: the same COPY, read back as CSV and appended to an openpyxl write-only workbook.
- PDF: WeasyPrint alone on the report's HTML (made beforehand, not timed); both runs start
  with WeasyPrint imported, as a warm process has it.
- The REFI-QDA files have no floor: what is asked of them is constant memory.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# name: (export format, publication, floor)
EXPORTS = {
    "CSV (export_project)": ("csv", False, "copy"),
    "CSV for publication": ("csv", True, "copy"),
    "CSV through the page": ("page-csv", False, "copy"),
    "CSV as a background job": ("job-csv", False, "copy"),
    "Excel": ("xlsx", False, "copy-xlsx"),
    ".qdpx": ("qdpx", False, None),
    ".qdpx for NVivo": ("qdpx-nvivo", False, None),
    ".qdpx for publication": ("qdpx", True, None),
    ".qdc": ("qdc", False, None),
    "Codebook (Excel)": ("codebook-xlsx", False, None),
    "Codebook for Taguette": ("taguette-csv", False, None),
    "PDF theme report": ("pdf", False, "weasyprint"),
}


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _product(project, fmt: str, publication: bool, out_path: Path) -> None:
    from coproduction.analysis import builders, exports, tasks
    from coproduction.models import ExportJob, Membership

    if fmt == "page-csv":
        # What the download view streams (a StreamingHttpResponse over these blocks).
        with out_path.open("wb") as out:
            for block in exports.excerpt_csv(project, publication):
                out.write(block)
        return
    if fmt == "job-csv":
        analyst = Membership.objects.filter(project=project).order_by("pk").first().user
        job = ExportJob.objects.create(project=project, requested_by=analyst, format="csv", publication=publication)
        try:
            assert tasks.run_export_job(job.pk), "the background export failed"
        finally:
            job.refresh_from_db()
            if job.file_name:
                (tasks.export_dir() / job.file_name).unlink(missing_ok=True)
            job.delete()
        return
    with out_path.open("wb") as out:
        builders.build(project, fmt, publication, out)


def _copy_sql(project, publication: bool) -> str:
    """The SQL of the export's own query, parameters bound (COPY takes none)."""
    from django.db import connection

    from coproduction.analysis import exports

    sql, params = exports.excerpt_values(project, publication).query.sql_with_params()
    with connection.cursor() as cursor:
        return cursor.mogrify(sql, params)


def _copy_to(project, publication: bool, out) -> None:
    from django.db import connection

    sql = _copy_sql(project, publication)
    with connection.cursor() as cursor, cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
        for block in copy:
            out.write(block)


def _floor(project, floor: str, publication: bool, out_path: Path) -> None:
    if floor == "copy":
        with out_path.open("wb") as out:
            _copy_to(project, publication, out)
    elif floor == "copy-xlsx":
        import csv
        import io

        from openpyxl import Workbook

        with tempfile.TemporaryFile() as spool:
            _copy_to(project, publication, spool)
            spool.seek(0)
            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet("Excerpts")
            for row in csv.reader(io.TextIOWrapper(spool, encoding="utf-8", newline="")):
                sheet.append(row)
            workbook.save(out_path)
    elif floor == "weasyprint":
        from weasyprint import HTML

        from coproduction.analysis import report
        from coproduction.pdf import LocalOnlyFetcher

        html = report.report_html(project, publication)
        start = time.perf_counter()
        HTML(string=html, url_fetcher=LocalOnlyFetcher(), base_url=None).write_pdf(out_path)
        return time.perf_counter() - start
    return None


def _run_one(project_id: int, name: str, what: str) -> dict:
    """In the child: one product run or one floor run; its seconds and peak memory."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduction.settings")
    django.setup()
    from coproduction.models import Project

    project = Project.objects.get(pk=project_id)
    fmt, publication, floor = EXPORTS[name]
    if fmt == "pdf":
        # Product and floor alike start with WeasyPrint loaded, as in a web process (warmed up
        # at boot) or a worker that has made a report before: its import (1-3 s) is not the
        # report's work, and the floor's timer starts after it too.
        import weasyprint  # noqa: F401
    with tempfile.TemporaryDirectory() as folder:
        out_path = Path(folder) / "export"
        start = time.perf_counter()
        timed = (
            _product(project, fmt, publication, out_path) if what == "product" else _floor(project, floor, publication, out_path)
        )
        seconds = timed if timed is not None else time.perf_counter() - start
        size = out_path.stat().st_size if out_path.exists() else 0
    return {"seconds": seconds, "rss_mb": peak_rss_mb(), "bytes": size}


def _in_child(project_id: int, name: str, what: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench_scale.exports", "--child", str(project_id), name, what],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    if done.returncode:
        raise RuntimeError(f"{name} ({what}) failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(project_id: int, names: list[str] | None = None, repeat: int = 1) -> list[dict]:
    """One row per export: name, product seconds, floor seconds, ratio, peak RSS MB (the
    product's). With `repeat`, the best of that many runs of each."""
    rows = []
    for name in names or list(EXPORTS):
        product = min((_in_child(project_id, name, "product") for _ in range(repeat)), key=lambda r: r["seconds"])
        floor = None
        if EXPORTS[name][2] and not os.environ.get("BENCH_NO_FLOOR"):
            floor = min((_in_child(project_id, name, "floor") for _ in range(repeat)), key=lambda r: r["seconds"])
        rows.append(
            {
                "name": name,
                "seconds": round(product["seconds"], 2),
                "floor_seconds": round(floor["seconds"], 2) if floor else None,
                "ratio": round(product["seconds"] / floor["seconds"], 2) if floor and floor["seconds"] else None,
                "peak_rss_mb": round(product["rss_mb"], 1),
            }
        )
    return rows


def main(argv: list[str]) -> None:
    if argv and argv[0] == "--child":
        print(json.dumps(_run_one(int(argv[1]), argv[2], argv[3])))
        return
    repeat = int(os.environ.get("BENCH_REPEAT", "1"))
    print(f"{'export':28} {'seconds':>8} {'floor':>8} {'ratio':>6} {'peak RSS MB':>12}")
    rows = (row for name in argv[1:] or list(EXPORTS) for row in measure(int(argv[0]), [name], repeat))
    for row in rows:  # one export at a time, printed as it is measured
        floor = "" if row["floor_seconds"] is None else f"{row['floor_seconds']:.2f}"
        ratio = "" if row["ratio"] is None else f"×{row['ratio']:.2f}"
        print(f"{row['name']:28} {row['seconds']:8.2f} {floor:>8} {ratio:>6} {row['peak_rss_mb']:12.1f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
