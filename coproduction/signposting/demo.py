"""The demo project's signposting directory: invented services with invented numbers (Ofcom's
drama ranges, 020 7946 0xxx and 0808 157 0xxx), one of them not checked for seven months so
the dashboard has something to flag."""

from datetime import timedelta

from django.utils import timezone

from coproduction.models import SupportService
from coproduction.signposting.actions import ensure_protocol

SERVICES = [
    {
        "name": "Riverside Night Hub",
        "helps_with": "A safe place to rest, hot drinks, condoms and a nurse on Thursdays",
        "phone": "+442079460101",
        "opening_hours": "Tuesday to Saturday, 8pm to 2am",
        "address": "Unit 4, Tannery Lane, Riverside RV1 2AB",
        "languages": "English, Romanian, Portuguese",
        "walk_in": True,
    },
    {
        "name": "Wexcombe Women's Advice Line",
        "helps_with": "Someone to talk to, advice on housing, benefits and debt",
        "phone": "+448081570202",
        "opening_hours": "Every day, 10am to 10pm",
        "languages": "English, Polish",
    },
    {
        "name": "Riverside Sexual Health Clinic",
        "helps_with": "Testing, treatment and contraception, without giving your name",
        "phone": "+442079460303",
        "opening_hours": "Monday to Friday, 9am to 6pm",
        "address": "Riverside Health Centre, 12 Mill Street, Riverside RV2 3CD",
        "languages": "English; interpreters on request",
        "walk_in": True,
    },
    {
        "name": "Old Quay Legal Drop-in",
        "helps_with": "Free legal advice, including police and immigration matters",
        "phone": "+442079460404",
        "opening_hours": "Wednesdays, 1pm to 4pm",
        "address": "Old Quay Community Centre, Riverside RV3 4EF",
        "languages": "English",
        "walk_in": True,
    },
]


def seed_signposting(project, people) -> None:
    ensure_protocol(project)
    if SupportService.objects.filter(project=project).exists():
        return
    today = timezone.localdate()
    for number, fields in enumerate(SERVICES):
        # The legal drop-in was last checked seven months ago: flagged to the coordinator.
        reviewed_on = today - timedelta(days=213) if number == len(SERVICES) - 1 else today - timedelta(days=20)
        SupportService.objects.create(project=project, reviewed_on=reviewed_on, **fields)
