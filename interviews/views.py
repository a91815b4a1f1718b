"""Interview pages. Coordinators see the project's interviews; peer researchers their own.
Analysts and supervisors see no interview page. Released notes are Documents, read and coded
on the analysis pages (`analysis:documents`, `analysis:document`), which this app only links to
for the roles those pages admit (CODING_ROLES)."""

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from icalendar import Calendar, Event

from coproduction.access import get_scoped, project_view
from coproduction.guides import guide_page
from coproduction.models import Document, NotesDraft, Role, Venue
from coproduction.models.codebook import CODING_ROLES
from coproduction.notes import actions as gate
from coproduction.notes.views import (
    NotesPages,
    review_response,
    writer_views,
)
from coproduction.prepared import PreparedQuery
from coproduction.signposting.actions import ensure_protocol
from coproduction.vouchers.thanks import thank_you_summary
from interviews import actions
from interviews.forms import (
    BookingForm,
    FilterForm,
    FlagForm,
    ProtocolUseForm,
    ScheduleFields,
    StatusForm,
    VenueForm,
)
from interviews.models import Interview, ProtocolUse, SafeguardingFlag, TopicGuide

STAFF = {Role.COORDINATOR, Role.PEER_RESEARCHER}
COORDINATOR = {Role.COORDINATOR}
PEER = {Role.PEER_RESEARCHER}


def _interview(request, project, pk) -> Interview:
    queryset = Interview.objects.visible_to(request.user, project).select_related(
        "participant", "venue", "interviewer", "project"
    )
    return get_scoped(queryset, pk=pk)


def _filtered(request, project):
    form = FilterForm(request.GET or None, project=project)
    interviews = Interview.objects.visible_to(request.user, project).select_related(
        "participant", "venue", "interviewer", "notes"
    )
    return form, form.filter(interviews), _filters_query(request)


def _filters_query(request) -> str:
    """The filters chosen, for links to other pages and weeks of the same list."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("week", None)
    return query.urlencode()


def _listed(role: str, project_id: int, user_id: int, **chosen) -> QuerySet:
    interviews = Interview.objects.visible_to_role(role, user_id, project_id)
    return interviews.select_related("participant", "venue", "interviewer", "notes").filter(**chosen).order_by("-starts_at")


# The interview list on every visit: compiled once per role and set of filters chosen.
_interview_list = PreparedQuery(_listed)


@project_view(STAFF)
@require_GET
def interview_list(request, project):
    form = FilterForm(request.GET or None, project=project)
    rows = _interview_list.rows(request.membership.role, project_id=project.pk, user_id=request.user.pk, **form.chosen())
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    context = {"project": project, "form": form, "page": page, "query": _filters_query(request)}
    return render(request, "interviews/list.html", context)


@project_view(STAFF)
@require_GET
def week(request, project):
    form, interviews, query = _filtered(request, project)
    try:
        day = datetime.strptime(request.GET.get("week", ""), "%Y-%m-%d").date()  # noqa: DTZ007 - a calendar date
    except ValueError:
        day = timezone.localdate()
    if not 1900 <= day.year <= 2200:  # keeps "previous/next week" arithmetic inside the calendar
        day = timezone.localdate()
    monday = day - timedelta(days=day.weekday())
    tz = project.tzinfo
    start = datetime.combine(monday, time.min, tzinfo=tz)
    end = datetime.combine(monday + timedelta(days=7), time.min, tzinfo=tz)
    rows = interviews.filter(starts_at__gte=start, starts_at__lt=end).order_by("starts_at")
    days = [{"date": monday + timedelta(days=n), "interviews": []} for n in range(7)]
    for interview in rows:
        days[timezone.localtime(interview.starts_at, tz).date().weekday()]["interviews"].append(interview)
    return render(
        request,
        "interviews/week.html",
        {
            "project": project,
            "form": form,
            "days": days,
            "monday": monday,
            "previous": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
            "query": query,
        },
    )


@project_view(STAFF)
@require_http_methods(["GET", "POST"])
def book(request, project):
    initial = {"participant": request.GET.get("participant", "")} if request.GET.get("participant", "").isdigit() else {}
    form = BookingForm(request.POST or None, initial=initial, project=project, user=request.user, role=request.membership.role)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            interview = actions.book_interview(project=project, by=request.user, **data)
        except actions.BookingRefused as refused:
            for problem in refused.problems:
                form.add_error(None, problem)
        else:
            messages.success(request, f"Interview with {interview.participant.code} booked.")
            return redirect("interviews:detail", slug=project.slug, pk=interview.pk)
    return render(request, "interviews/book.html", {"project": project, "form": form})


@project_view(STAFF)
@require_GET
def detail(request, project, pk):
    interview = _interview(request, project, pk)
    flags = interview.flags.select_related("raised_by") if request.membership.role == Role.COORDINATOR else interview.flags.none()
    draft = NotesDraft.objects.filter(interview=interview).first()
    document_pk = None
    if interview.document_id and request.membership.role in CODING_ROLES:
        visible = Document.objects.visible_to(request.user, project).filter(pk=interview.document_id)
        document_pk = visible.values_list("pk", flat=True).first()
    return render(
        request,
        "interviews/detail.html",
        {
            "project": project,
            "interview": interview,
            "flags": flags,
            "draft": draft,
            "open_flags": interview.flags.filter(resolved_at__isnull=True).count(),
            "is_interviewer": interview.interviewer_id == request.user.pk,
            "started": interview.starts_at <= timezone.now(),
            "document_pk": document_pk,
            "thanks": thank_you_summary(request, "interview", interview),
            "protocol_steps": ensure_protocol(project),
            "protocol_uses": _protocol_uses(request, project).filter(interview=interview),
            "may_record_protocol": not actions.protocol_problems(interview, request.user),
        },
    )


@project_view(STAFF)
@require_http_methods(["GET", "POST"])
def reschedule(request, project, pk):
    interview = _interview(request, project, pk)
    if not interview.is_scheduled:
        messages.error(request, "Only a scheduled interview can be moved.")
        return redirect("interviews:detail", slug=project.slug, pk=interview.pk)
    initial = {
        "interviewer": interview.interviewer_id,
        "starts_at": interview.starts_at,
        "duration_minutes": interview.duration_minutes,
        "venue": interview.venue_id,
    }
    form = ScheduleFields(request.POST or None, initial=initial, project=project, user=request.user, role=request.membership.role)
    if request.method == "POST" and form.is_valid():
        try:
            actions.reschedule_interview(interview, by=request.user, **form.cleaned_data)
        except actions.BookingRefused as refused:
            for problem in refused.problems:
                form.add_error(None, problem)
        else:
            messages.success(request, "Interview moved. The people concerned are told.")
            return redirect("interviews:detail", slug=project.slug, pk=interview.pk)
    return render(request, "interviews/reschedule.html", {"project": project, "form": form, "interview": interview})


@project_view(STAFF)
@require_POST
def change_status(request, project, pk):
    interview = _interview(request, project, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose cancel, did not attend, or completed.")
    else:
        try:
            actions.change_status(interview, form.cleaned_data["status"], by=request.user)
        except actions.BookingRefused as refused:
            messages.error(request, " ".join(refused.problems))
        else:
            messages.success(
                request, f"Interview marked {interview.__class__.Status(form.cleaned_data['status']).label.lower()}."
            )
    return redirect("interviews:detail", slug=project.slug, pk=interview.pk)


@project_view(STAFF)
@require_GET
def ics(request, project, pk):
    """A calendar entry with a neutral title and no detail: calendars are often shared or synced."""
    interview = _interview(request, project, pk)
    calendar = Calendar()
    calendar.add("prodid", "-//Common Ground//EN")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"appointment-{interview.pk}@common-ground")
    event.add("summary", "Appointment")
    event.add("dtstart", interview.starts_at)
    event.add("dtend", interview.ends_at)
    event.add("dtstamp", timezone.now())
    if interview.status == Interview.Status.CANCELLED:
        event.add("status", "CANCELLED")
    calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="appointment.ics"'
    return response


@project_view(STAFF)
@require_http_methods(["GET", "POST"])
def flag(request, project, pk):
    interview = _interview(request, project, pk)
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.raise_flag(interview, detail=form.cleaned_data["detail"], by=request.user)
        messages.success(request, "The coordinators have been alerted.")
        return redirect("interviews:detail", slug=project.slug, pk=interview.pk)
    return render(request, "interviews/flag.html", {"project": project, "form": form, "interview": interview})


@project_view(COORDINATOR)
@require_POST
def flag_resolve(request, project, pk):
    concern = get_scoped(SafeguardingFlag.objects.filter(interview__project=project, resolved_at__isnull=True), pk=pk)
    actions.resolve_flag(concern, by=request.user)
    messages.success(request, "Marked as dealt with.")
    return redirect("interviews:detail", slug=project.slug, pk=concern.interview_id)


# ---------------------------------------------------------------- the distress protocol

FOLLOW_UPS_PER_PAGE = 25


def _protocol_uses(request, project):
    return (
        ProtocolUse.objects.visible_to(request.user, project)
        .select_related("stage_reached", "interview__participant", "interview__interviewer", "interview__project")
        .prefetch_related("services")
    )


@project_view(PEER)
@require_http_methods(["GET", "POST"])
def protocol_use(request, project, pk):
    """The interviewer records that the protocol was used: choices only, all or nothing."""
    interview = get_scoped(Interview.objects.visible_to(request.user, project).filter(interviewer=request.user), pk=pk)
    ensure_protocol(project)
    form = ProtocolUseForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_protocol_use(interview, by=request.user, **form.record_fields())
        except actions.ProtocolRefused as refused:
            for field, problems in refused.problems.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, "Recorded. A debrief is offered to you under Support: take it if it would help.")
            return redirect("interviews:detail", slug=project.slug, pk=interview.pk)
    return render(
        request,
        "interviews/protocol_use.html",
        {
            "project": project,
            "form": form,
            "interview": interview,
            "problems": actions.protocol_problems(interview, request.user),
        },
    )


@project_view(PEER)
@require_POST
def follow_up_done(request, project, pk):
    use = get_scoped(_protocol_uses(request, project).filter(interview__interviewer=request.user).follow_ups_to_make(), pk=pk)
    actions.mark_follow_up_done(use, by=request.user)
    messages.success(request, "The follow-up call is marked as done.")
    if request.POST.get("next") == "follow_ups":
        return redirect("interviews:follow_ups", slug=project.slug)
    return redirect("interviews:detail", slug=project.slug, pk=use.interview_id)


@project_view(STAFF)
@require_GET
def follow_ups(request, project):
    """Follow-up calls still to make, oldest first: the coordinator's, every interviewer's;
    a peer researcher's, their own. Overdue ones stay until they are marked done."""
    open_calls = _protocol_uses(request, project).follow_ups_to_make().order_by("follow_up_on", "pk")
    page = Paginator(open_calls, FOLLOW_UPS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "interviews/follow_ups.html", {"project": project, "page": page, "today": timezone.localdate()})


# ---------------------------------------------------------------- notes


class _Redirect(Exception):
    """The notes cannot be opened (not completed yet, or released): back to the interview."""

    def __init__(self, interview):
        self.interview = interview


def _own_draft(request, project, pk) -> NotesDraft:
    """The signed-in interviewer's draft; another researcher's interview or draft is a 404."""
    interview = get_scoped(Interview.objects.visible_to(request.user, project).filter(interviewer=request.user), pk=pk)
    try:
        draft = actions.open_draft(interview, by=request.user)
    except gate.NotesRefused as refused:
        messages.error(request, refused.message)
        raise _Redirect(interview) from None
    if draft.author_id != request.user.pk:
        raise Http404
    return draft


def _pages(project, interview: Interview, caption: str) -> NotesPages:
    def url(name: str) -> str:
        return reverse(f"interviews:{name}", kwargs={"slug": project.slug, "pk": interview.pk})

    return NotesPages(
        caption=caption,
        notes_url=url("notes"),
        redact_url=url("redact"),
        dismiss_url=url("dismiss"),
        done_url=url("detail"),
        review_list_url=reverse("notes:review_list", kwargs={"slug": project.slug}),
    )


def _writer_pages(project, draft: NotesDraft) -> NotesPages:
    interview = draft.interview
    return _pages(
        project, interview, f"{interview.participant.code}, {date_format(timezone.localtime(interview.starts_at), 'j F Y')}"
    )


def _open_notes(request, project, pk):
    """The interviewer's own draft, or back to the interview when the notes cannot be opened."""
    try:
        draft = _own_draft(request, project, pk)
    except _Redirect as target:
        return redirect("interviews:detail", slug=project.slug, pk=target.interview.pk)
    return draft, _writer_pages(project, draft)


notes, redact, dismiss, submit = writer_views(PEER, _open_notes)


# ---------------------------------------------------------------- review and release


@project_view(COORDINATOR)
@require_GET
def review_list(request, project):
    """The list moved to `notes:review_list`, which holds event notes too; old links land there."""
    return redirect(f"{reverse('notes:review_list', kwargs={'slug': project.slug})}?kind={actions.OWNER_KIND}")


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def review(request, project, pk):
    interview = _interview(request, project, pk)
    draft = get_scoped(
        NotesDraft.objects.visible_to(request.user, project).filter(status=NotesDraft.Status.SUBMITTED), interview=interview
    )
    code = interview.participant.code
    pages = _pages(project, interview, f"{code}, {interview.participant.cohort}, by {draft.author}")
    return review_response(
        request,
        project,
        draft,
        pages,
        released=f"Notes released into the corpus as {code}. They are under Released documents.",
        sent_back="Notes sent back to the interviewer.",
    )


# ---------------------------------------------------------------- venues and topic guides


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def venues(request, project):
    form = VenueForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        actions.add_venue(project=project, by=request.user, **form.cleaned_data)
        messages.success(request, f"{form.cleaned_data['name']} added.")
        return redirect("interviews:venues", slug=project.slug)
    return render(
        request, "interviews/venues.html", {"project": project, "form": form, "venues": Venue.objects.filter(project=project)}
    )


@project_view(COORDINATOR)
@require_POST
def venue_toggle(request, project, pk):
    venue = get_scoped(Venue.objects.filter(project=project), pk=pk)
    actions.set_venue_active(venue, not venue.active, by=request.user)
    messages.success(request, f"{venue.name} is {'in use' if venue.active else 'no longer offered for new bookings'}.")
    return redirect("interviews:venues", slug=project.slug)


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def topic_guide(request, project):
    return guide_page(
        request,
        project,
        guide_model=TopicGuide,
        publish=actions.publish_topic_guide,
        template="interviews/topic_guide.html",
        url_name="interviews:topic_guide",
        used_by="bookings",
    )
