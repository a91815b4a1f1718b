"""Counts-only summaries for coordinators, and PDFs rendered without touching the network."""

from datetime import datetime

from django.conf import settings
from django.db.models import Count, Q
from django.template.loader import render_to_string

from coproduction.models import Project, Role, User
from wellbeing.models import SupportSession


def summary_rows(project: Project, start: datetime, end: datetime) -> list[dict]:
    """Per peer researcher, for sessions starting and check-ins asked within [start, end):
    sessions offered (booked in any status), attended, cancelled, did not attend; check-ins
    asked and completed; alerts raised and acknowledged. Counts only, in two queries."""
    people = User.objects.filter(memberships__project=project, memberships__role=Role.PEER_RESEARCHER).order_by("display_name")
    in_period = Q(support_sessions__project=project, support_sessions__starts_at__gte=start, support_sessions__starts_at__lt=end)
    status = SupportSession.Status
    sessions = people.annotate(
        offered=Count("support_sessions", filter=in_period, distinct=True),
        attended=Count("support_sessions", filter=in_period & Q(support_sessions__status=status.ATTENDED), distinct=True),
        cancelled=Count("support_sessions", filter=in_period & Q(support_sessions__status=status.CANCELLED), distinct=True),
        missed=Count("support_sessions", filter=in_period & Q(support_sessions__status=status.DID_NOT_ATTEND), distinct=True),
        absent=Count(
            "missed_support_sessions",
            filter=Q(
                missed_support_sessions__project=project,
                missed_support_sessions__starts_at__gte=start,
                missed_support_sessions__starts_at__lt=end,
                missed_support_sessions__status=status.ATTENDED,
            ),
            distinct=True,
        ),
    )
    asked = Q(check_ins__project=project, check_ins__requested_at__gte=start, check_ins__requested_at__lt=end)
    check_ins = {
        row["pk"]: row
        for row in people.annotate(
            asked=Count("check_ins", filter=asked, distinct=True),
            completed=Count("check_ins", filter=asked & Q(check_ins__completed_at__isnull=False), distinct=True),
            alerts=Count("check_ins", filter=asked & Q(check_ins__alert_raised_at__isnull=False), distinct=True),
            acknowledged=Count("check_ins", filter=asked & Q(check_ins__alert_acknowledged_at__isnull=False), distinct=True),
        ).values("pk", "asked", "completed", "alerts", "acknowledged")
    }
    rows = []
    for person in sessions:
        counts = check_ins[person.pk]
        rows.append(
            {
                "person": str(person),
                "offered": person.offered,
                # A group session that was held counts as missed for its absentees.
                "attended": person.attended - person.absent,
                "cancelled": person.cancelled,
                "missed": person.missed + person.absent,
                "check_ins_asked": counts["asked"],
                "check_ins_completed": counts["completed"],
                "alerts": counts["alerts"],
                "acknowledged": counts["acknowledged"],
            }
        )
    return rows


def local_only_fetcher():
    """A WeasyPrint fetcher that never reaches the network (no tracking pixels, no leaks):
    only data: URLs and files inside the application directory are read."""
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:") or url.startswith(_app_root()):
                return super().fetch(url, headers)
            raise ValueError("External resources are not fetched.")

    return LocalOnlyFetcher(allowed_protocols={"data", "file"}, allow_redirects=False)


def _app_root() -> str:
    return f"file://{settings.BASE_DIR}/"


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html, base_url=_app_root(), url_fetcher=local_only_fetcher()).write_pdf()
