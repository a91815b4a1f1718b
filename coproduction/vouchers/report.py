"""The report to finance: per month (in the project's time zone) and supplier, how many vouchers
were given and their total value, and how many people declined. Counts and totals only: no
participant code, no name, no code, no occasion."""

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from coproduction.models import Project, VoucherGift
from coproduction.spreadsheets import append_rows, csv_lines

DECLINED = "Declined (no voucher used)"
HEADINGS = ["Month", "Supplier", "Vouchers", "Total value (£)"]


@dataclass(frozen=True)
class ReportLine:
    month: date
    supplier: str
    count: int
    total: Decimal

    @property
    def declined(self) -> bool:
        return self.supplier == DECLINED


@dataclass(frozen=True)
class FinanceReport:
    lines: list[ReportLine]
    given: int
    total: Decimal
    declined: int


def _month(value) -> date:
    return value.date() if hasattr(value, "date") else value


def finance_report(project: Project) -> FinanceReport:
    """Two grouped queries, whatever the number of thank-yous."""
    gifts = VoucherGift.objects.filter(project=project).annotate(month=TruncMonth("recorded_at", tzinfo=project.tzinfo))
    given = (
        gifts.filter(outcome=VoucherGift.Outcome.GIVEN)
        .values("month", "voucher__batch__supplier")
        .annotate(count=Count("pk"), total=Sum("voucher__batch__value"))
        .order_by("month", "voucher__batch__supplier")
    )
    declined = gifts.filter(outcome=VoucherGift.Outcome.DECLINED).values("month").annotate(count=Count("pk")).order_by("month")
    lines = [ReportLine(_month(row["month"]), row["voucher__batch__supplier"], row["count"], row["total"]) for row in given]
    lines += [ReportLine(_month(row["month"]), DECLINED, row["count"], Decimal("0.00")) for row in declined]
    lines.sort(key=lambda line: (line.month, line.declined, line.supplier))
    given_lines = [line for line in lines if not line.declined]
    return FinanceReport(
        lines=lines,
        given=sum(line.count for line in given_lines),
        total=sum((line.total for line in given_lines), Decimal("0.00")),
        declined=sum(line.count for line in lines if line.declined),
    )


def report_rows(report: FinanceReport):
    yield HEADINGS
    for line in report.lines:
        yield [f"{line.month:%Y-%m}", line.supplier, line.count, line.total]
    yield ["Total given", "", report.given, report.total]


def csv_bytes(report: FinanceReport) -> bytes:
    rows = ([*row[:3], f"{row[3]:.2f}" if isinstance(row[3], Decimal) else row[3]] for row in report_rows(report))
    return "".join(csv_lines(rows)).encode("utf-8")


def xlsx_bytes(report: FinanceReport) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Vouchers by month")
    append_rows(sheet, ([*row[:3], float(row[3]) if isinstance(row[3], Decimal) else row[3]] for row in report_rows(report)))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {
    "csv": lambda built: (csv_bytes(built), "text/csv; charset=utf-8"),
    "xlsx": lambda built: (xlsx_bytes(built), XLSX_TYPE),
}
