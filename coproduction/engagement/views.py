"""Engagement pages. Coordinators run events, attendance, feedback, targets and requests; peer
researchers see the events they facilitate or take notes at (and record their feedback);
analysts see the reach page. Supervisors see none of it. The public pages are in public.py."""

from collections.abc import Callable
from dataclasses import replace

from django.contrib import messages
from django.db.models import Prefetch, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coproduction.access import get_scoped, project_view
from coproduction.audit import record
from coproduction.engagement import actions
from coproduction.engagement.chart import chart_description, reach_chart
from coproduction.engagement.forms import (
    AttendanceForm,
    EventForm,
    FeedbackForm,
    IndividualAttendanceForm,
    TargetsForm,
)
from coproduction.engagement.notes import may_write_notes, open_event_draft
from coproduction.engagement.reach import Trust, monthly_table, reach_for, reach_table, trust_by_month, trust_overall
from coproduction.guides import guide_page
from coproduction.models import (
    DiscussionGuide,
    Event,
    EventFeedback,
    IndividualSessionRequest,
    NotesDraft,
    PublicListing,
    Role,
    User,
)
from coproduction.notes import actions as gate
from coproduction.notes.views import (
    NotesPages,
    review_response,
    writer_views,
)
from coproduction.vouchers.thanks import thank_you_summary

COORDINATOR = {Role.COORDINATOR}
STAFF = {Role.COORDINATOR, Role.PEER_RESEARCHER}
REACH_ROLES = {Role.COORDINATOR, Role.ANALYST}


def _events(request, project):
    return (
        Event.objects.visible_to(request.user, project)
        .select_related("venue", "note_taker", "feedback")
        .prefetch_related(Prefetch("facilitators", queryset=User.objects.order_by("display_name")))
        .annotate(attendance_total=Sum("cohort_attendance__count"))
    )


def _event(request, project, pk) -> Event:
    return get_scoped(_events(request, project), pk=pk)


def _saved(request, project, form, save: Callable[[], Event], message: Callable[[Event], str]) -> HttpResponse | None:
    """For a valid posted form: run `save`; a redirect to the event when it worked. None when
    there is nothing to save yet or it was refused (the reasons are then on the form)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        event = save()
    except actions.EngagementRefused as refused:
        for problem in refused.problems:
            form.add_error(None, problem)
        return None
    messages.success(request, message(event))
    return redirect("engagement:detail", slug=project.slug, pk=event.pk)


@project_view(STAFF)
@require_GET
def event_list(request, project):
    events = _events(request, project)
    now = timezone.now()
    context = {
        "project": project,
        "upcoming": events.filter(status=Event.Status.PLANNED, starts_at__gte=now).order_by("starts_at"),
        "past": events.exclude(status=Event.Status.PLANNED, starts_at__gte=now).order_by("-starts_at"),
        "is_coordinator": request.membership.role == Role.COORDINATOR,
        "open_requests": IndividualSessionRequest.objects.filter(
            project=project, status=IndividualSessionRequest.Status.OPEN
        ).count()
        if request.membership.role == Role.COORDINATOR
        else 0,
        "awaiting_review": events.filter(notes__status=NotesDraft.Status.SUBMITTED).count()
        if request.membership.role == Role.COORDINATOR
        else 0,
    }
    return render(request, "engagement/event_list.html", context)


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def event_plan(request, project):
    # "Plan an individual session" from a request opens the form on that kind.
    kind = request.GET.get("kind", "")
    initial = {"kind": kind} if kind in Event.Kind.values else {}
    form = EventForm(request.POST or None, project=project, initial=initial)
    done = _saved(
        request,
        project,
        form,
        lambda: actions.plan_event(project=project, plan=form.plan(), by=request.user, held=form.cleaned_data["already_held"]),
        lambda event: f"{event.title} {'recorded' if event.status == Event.Status.HELD else 'planned'}.",
    )
    return done or render(request, "engagement/event_form.html", {"project": project, "form": form})


@project_view(STAFF)
@require_GET
def event_detail(request, project, pk):
    event = _event(request, project, pk)
    feedback = getattr(event, "feedback", None)  # a missing one-to-one raises AttributeError
    trust = Trust(event.title, feedback.listened_yes, feedback.listened_total) if feedback else None
    return render(
        request,
        "engagement/event_detail.html",
        {
            "project": project,
            "event": event,
            "cohort_attendance": event.cohort_attendance.all(),
            "attribute_attendance": event.attribute_attendance.select_related("attribute"),
            "feedback": feedback,
            "trust": trust.shown(project.small_number_threshold, for_publication=False) if trust else None,
            "questions": event.discussion_guide.questions.all() if event.discussion_guide_id else [],
            "is_coordinator": request.membership.role == Role.COORDINATOR,
            "started": event.starts_at <= timezone.now(),
            "writes_notes": event.status == Event.Status.HELD
            and event.notes_released_at is None
            and (event.notes.author_id == request.user.pk if event.notes_id else may_write_notes(event, request.user)),
            "notes_awaiting_review": event.notes_id is not None and event.notes.status == NotesDraft.Status.SUBMITTED,
            "thanks": thank_you_summary(request, "event", event),
        },
    )


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def event_change(request, project, pk):
    event = _event(request, project, pk)
    if event.status != Event.Status.PLANNED:
        messages.info(request, "Only a planned event can be changed.")
        return redirect("engagement:detail", slug=project.slug, pk=event.pk)
    form = EventForm(request.POST or None, project=project, event=event)
    done = _saved(
        request,
        project,
        form,
        lambda: actions.change_event(event, plan=form.plan(), by=request.user),
        lambda event: f"{event.title} changed. Facilitators and the note-taker have been told.",
    )
    return done or render(request, "engagement/event_form.html", {"project": project, "form": form, "event": event})


@project_view(COORDINATOR)
@require_POST
def event_status(request, project, pk):
    event = _event(request, project, pk)
    change = {"held": actions.mark_held, "cancelled": actions.cancel_event}.get(request.POST.get("status", ""))
    if change is None:
        messages.error(request, "Choose held or cancelled.")
    else:
        try:
            event = change(event, by=request.user)
        except actions.EngagementRefused as refused:
            messages.error(request, " ".join(refused.problems))
        else:
            messages.success(request, f"{event.title} is {event.get_status_display().lower()}.")
    return redirect("engagement:detail", slug=project.slug, pk=event.pk)


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def event_attendance(request, project, pk):
    event = _event(request, project, pk)
    form_class = IndividualAttendanceForm if event.is_individual else AttendanceForm
    form = form_class(request.POST or None, event=event)

    def save() -> Event:
        cohort_counts, attribute_counts = form.counts()
        return actions.record_attendance(event, cohort_counts=cohort_counts, attribute_counts=attribute_counts, by=request.user)

    done = _saved(request, project, form, save, lambda event: f"Attendance at {event.title} saved.")
    return done or render(request, "engagement/attendance.html", {"project": project, "event": event, "form": form})


@project_view(STAFF)
@require_http_methods(["GET", "POST"])
def event_feedback(request, project, pk):
    event = _event(request, project, pk)
    current = EventFeedback.objects.filter(event=event).first()
    initial = {name: getattr(current, name) for name in actions.FEEDBACK_FIELDS} if current else {}
    form = FeedbackForm(request.POST or None, initial=initial)
    done = _saved(
        request,
        project,
        form,
        lambda: actions.record_feedback(event, counts=form.counts(), by=request.user).event,
        lambda event: f"Feedback from {event.title} saved.",
    )
    return done or render(request, "engagement/feedback.html", {"project": project, "event": event, "form": form})


@project_view(REACH_ROLES)
@require_GET
def reach(request, project):
    """Who we have heard from. `?for=publication` shows it as it may be published: counts under
    the project's threshold read "<10"."""
    for_publication = request.GET.get("for") == "publication"
    if for_publication:
        record(request.user, "reach.viewed_for_publication", project)
    data = reach_for(project)
    threshold = project.small_number_threshold
    return render(
        request,
        "engagement/reach.html",
        {
            "project": project,
            "reach": data,
            "rows": reach_table(data, for_publication=for_publication),
            "months": monthly_table(data, for_publication=for_publication),
            "chart": reach_chart(data, for_publication=for_publication),
            "description": chart_description(data, for_publication=for_publication),
            "trust": [(t.label, t.shown(threshold, for_publication=for_publication)) for t in trust_by_month(project)],
            "trust_overall": trust_overall(project).shown(threshold, for_publication=for_publication),
            "for_publication": for_publication,
            "is_coordinator": request.membership.role == Role.COORDINATOR,
        },
    )


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def targets(request, project):
    form = TargetsForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        actions.set_reach_targets(project=project, targets=form.targets(), by=request.user)
        messages.success(request, "Targets saved.")
        return redirect("engagement:reach", slug=project.slug)
    return render(request, "engagement/targets.html", {"project": project, "form": form})


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def discussion_guide(request, project):
    return guide_page(
        request,
        project,
        guide_model=DiscussionGuide,
        publish=actions.publish_discussion_guide,
        template="engagement/guide.html",
        url_name="engagement:guide",
        used_by="events",
    )


# ---------------------------------------------------------------- requests and the public page


@project_view(COORDINATOR)
@require_GET
def request_list(request, project):
    requests = IndividualSessionRequest.objects.filter(project=project, erased_at__isnull=True)
    return render(
        request,
        "engagement/request_list.html",
        {
            "project": project,
            "open": requests.filter(status=IndividualSessionRequest.Status.OPEN),
            "closed": requests.filter(status=IndividualSessionRequest.Status.CLOSED).order_by("-closed_at"),
        },
    )


@project_view(COORDINATOR)
@require_GET
def request_detail(request, project, pk):
    session_request = get_scoped(IndividualSessionRequest.objects.filter(project=project, erased_at__isnull=True), pk=pk)
    record(request.user, "session_request.read", session_request)
    return render(request, "engagement/request_detail.html", {"project": project, "session_request": session_request})


@project_view(COORDINATOR)
@require_POST
def request_close(request, project, pk):
    session_request = get_scoped(IndividualSessionRequest.objects.filter(project=project, erased_at__isnull=True), pk=pk)
    actions.close_session_request(session_request, by=request.user)
    messages.success(request, "Request closed. Its details will be erased in 30 days.")
    return redirect("engagement:requests", slug=project.slug)


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def public_page(request, project):
    listing = PublicListing.objects.filter(project=project).first()
    if request.method == "POST":
        choice = request.POST.get("action")
        if choice == "close" and listing is not None:
            actions.close_public_listing(listing, by=request.user)
            messages.success(request, "The public page is switched off.")
        elif choice in {"open", "new_address"}:
            actions.open_public_listing(project=project, by=request.user, new_address=choice == "new_address")
            messages.success(request, "The public page is on." if choice == "open" else "The public page has a new address.")
        return redirect("engagement:public_page", slug=project.slug)
    return render(request, "engagement/public_page.html", {"project": project, "listing": listing})


# ---------------------------------------------------------------- notes


def _event_pages(project, event: Event) -> NotesPages:
    def url(name: str) -> str:
        return reverse(f"engagement:{name}", kwargs={"slug": project.slug, "pk": event.pk})

    held_on = date_format(timezone.localtime(event.starts_at), "j F Y")
    return NotesPages(
        caption=f"{event.title}, {held_on}",
        notes_url=url("notes"),
        redact_url=url("redact"),
        dismiss_url=url("dismiss"),
        done_url=url("detail"),
        review_list_url=reverse("notes:review_list", kwargs={"slug": project.slug}),
    )


def _open_event_notes(request, project, pk):
    """The writer's draft (the note-taker, else a facilitator): an event they do not see, or a
    draft someone else writes, is a 404; notes that cannot be opened (not held, released, not
    theirs to write) lead back to the event with the reason."""
    event = _event(request, project, pk)
    try:
        draft = open_event_draft(event, by=request.user)
    except gate.NotesRefused as refused:
        messages.error(request, refused.message)
        return redirect("engagement:detail", slug=project.slug, pk=event.pk)
    if draft.author_id != request.user.pk:
        raise Http404
    return draft, _event_pages(project, event)


event_notes, event_redact, event_dismiss, event_submit = writer_views(STAFF, _open_event_notes)


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def event_review(request, project, pk):
    event = _event(request, project, pk)
    draft = get_scoped(
        NotesDraft.objects.visible_to(request.user, project).filter(status=NotesDraft.Status.SUBMITTED), event=event
    )
    pages = _event_pages(project, event)
    return review_response(
        request,
        project,
        draft,
        replace(pages, caption=f"{pages.caption}, by {draft.author}"),
        released="Event notes released into the corpus. They are under Released documents.",
        sent_back="Event notes sent back to the note-taker.",
    )
