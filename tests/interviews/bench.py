"""Interview pages for `make bench` (see tests/bench.py)."""

from datetime import date, datetime, time, timedelta

from django.urls import reverse

from coproduction.models import NotesDraft
from interviews.models import Interview
from tests.bench import Page
from tests.interviews.factories import completed_interview, draft_for, make_interview

WEEK = date(2030, 6, 3)  # a Monday: every interview the week view lists is booked into it


def _url(world, name):
    return reverse(name, kwargs={"slug": world.project.slug})


def interview_list(world, n):
    for _ in range(n):
        make_interview(world.project, world.peer, booked_by=world.coordinator)
    return _url(world, "interviews:list"), world.coordinator


def week(world, n):
    monday = datetime.combine(WEEK, time(8, 0), tzinfo=world.project.tzinfo)
    for _ in range(n):
        booked = Interview.objects.filter(project=world.project).count()
        interview = make_interview(world.project, world.peer, booked_by=world.coordinator)
        # Ten minutes apart from Monday 08:00: a thousand fit inside the week.
        Interview.objects.filter(pk=interview.pk).update(starts_at=monday + timedelta(minutes=10 * booked))
    return f"{_url(world, 'interviews:week')}?week={WEEK:%Y-%m-%d}", world.coordinator


def review_list(world, n):
    for _ in range(n):
        draft_for(completed_interview(world), NotesDraft.Status.SUBMITTED, q1="Lamps out.")
    return _url(world, "notes:review_list"), world.coordinator


PAGES = [
    Page("interviews: interview list", interview_list),
    Page("interviews: week view", week),
    Page("notes: review list (interviews)", review_list),
]
