"""One entry point that writes any export format to a binary file: used by the web views, the
background task and `manage.py export_project`."""

import io

from coproduction.analysis import exports, refiqda
from coproduction.models import ExportJob, Project
from coproduction.spreadsheets import write_csv

EXTENSIONS = {
    ExportJob.Format.CSV: ".csv",
    ExportJob.Format.CODEBOOK_CSV: ".csv",
    ExportJob.Format.XLSX: ".xlsx",
    ExportJob.Format.CODEBOOK_XLSX: ".xlsx",
    ExportJob.Format.QDC: ".qdc",
    ExportJob.Format.QDPX: ".qdpx",
    ExportJob.Format.QDPX_NVIVO: ".qdpx",
    ExportJob.Format.TAGUETTE_CSV: ".csv",
    ExportJob.Format.PDF: ".pdf",
}
CONTENT_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".qdc": "application/xml",
    ".qdpx": "application/zip",
    ".pdf": "application/pdf",
}


def extension(fmt: str) -> str:
    return EXTENSIONS[fmt]


def content_type(fmt: str) -> str:
    return CONTENT_TYPES[EXTENSIONS[fmt]]


def size_of(project: Project, fmt: str, publication: bool) -> int:
    """Rows an export would hold, to decide whether it runs in the background."""
    Format = ExportJob.Format
    if fmt in {Format.CSV, Format.XLSX, Format.QDPX, Format.QDPX_NVIVO, Format.PDF}:
        return exports.count_excerpt_rows(project, publication)
    return project.themes.count()


def build(project: Project, fmt: str, publication: bool, out, progress=None) -> None:
    if fmt == ExportJob.Format.CSV:
        for block in exports.excerpt_csv(project, publication, progress):
            out.write(block)
    elif fmt == ExportJob.Format.CODEBOOK_CSV:
        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        write_csv(exports.codebook_rows(project, publication), text)
        text.detach()
    elif fmt == ExportJob.Format.XLSX:
        exports.write_xlsx(project, publication, out, progress)
    elif fmt == ExportJob.Format.CODEBOOK_XLSX:
        exports.write_codebook_xlsx(project, publication, out)
    elif fmt == ExportJob.Format.QDC:
        out.write(refiqda.codebook_xml(project))
    elif fmt == ExportJob.Format.QDPX:
        refiqda.write_qdpx(project, publication, out, progress=progress)
    elif fmt == ExportJob.Format.QDPX_NVIVO:
        refiqda.write_qdpx(project, publication, out, utf16=True, progress=progress)
    elif fmt == ExportJob.Format.TAGUETTE_CSV:
        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        write_csv(exports.taguette_codebook_rows(project), text)
        text.detach()
    elif fmt == ExportJob.Format.PDF:
        # Imported here: WeasyPrint and matplotlib are heavy, and only reports need them.
        from coproduction.analysis import report

        report.write_pdf(project, publication, out)
    else:
        raise ValueError(f"Unknown export format {fmt!r}")
