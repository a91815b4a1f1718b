"""Support pages. Who sees what:

- coordinators: bookings, attendance, requests, "asked for support" alerts, who is due a
  catch-up, training records, counts-only reports. Never scores, notes or reflections.
- peer researchers: their own check-ins, sessions, requests, reflections and training.
- supervisors: the sessions where they are the provider, and the notes they write for them.
- analysts: nothing here.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coproduction.access import get_scoped, project_view
from coproduction.audit import record
from coproduction.models import Role
from wellbeing import actions, reports
from wellbeing.forms import (
    AttendanceForm,
    CheckInForm,
    DebriefForm,
    GroupAttendanceForm,
    PeriodForm,
    PolicyForm,
    ProviderForm,
    ReflectionForm,
    SessionFilterForm,
    SessionForm,
    SessionRequestForm,
    SupervisionNoteForm,
    TrainingCompletionForm,
    TrainingModuleForm,
)
from wellbeing.models import (
    CheckIn,
    Provider,
    Reflection,
    SessionRequest,
    SupervisionNote,
    SupportPolicy,
    SupportSession,
    TrainingCompletion,
    TrainingModule,
    cadence_for,
)

COORDINATOR = {Role.COORDINATOR}
PEER = {Role.PEER_RESEARCHER}
SUPPORT_ROLES = {Role.COORDINATOR, Role.PEER_RESEARCHER, Role.SUPERVISOR}


def _sessions(request, project):
    return SupportSession.objects.visible_to(request.user, project)


def _to_confirm(queryset, limit=20):
    """Booked sessions that have started: attendance is waiting to be recorded."""
    return list(
        queryset.booked()
        .filter(starts_at__lt=timezone.now())
        .select_related("provider")
        .prefetch_related("attendees")
        .order_by("starts_at")[:limit]
    )


def _upcoming(queryset, limit=10):
    return list(
        queryset.booked()
        .filter(ends_at__gte=timezone.now())
        .select_related("provider")
        .prefetch_related("attendees")
        .order_by("starts_at")[:limit]
    )


# Overview --------------------------------------------------------------------------------------


@project_view(SUPPORT_ROLES)
@require_GET
def home(request, project):
    role = request.membership.role
    context = {"project": project, "role": role}
    if role == Role.COORDINATOR:
        context.update(
            alerts_panel={
                "alerts": CheckIn.objects.filter(project=project)
                .open_alerts()
                .select_related("person")
                .order_by("alert_raised_at")[:50]
            },
            due_panel={"cadence": [c for c in cadence_for(project) if c.status != "ok"]},
            requests_panel={
                "requests": SessionRequest.objects.filter(project=project).open().select_related("requested_by")[:50]
            },
            upcoming=_upcoming(_sessions(request, project)),
            to_confirm=_to_confirm(_sessions(request, project)),
        )
    elif role == Role.PEER_RESEARCHER:
        context.update(
            check_ins=CheckIn.objects.filter(project=project, person=request.user).to_do(),
            upcoming=_upcoming(_sessions(request, project)),
            requests=SessionRequest.objects.filter(project=project, requested_by=request.user).open(),
            missing_training=actions.missing_training(request.user, project),
        )
    else:
        context.update(
            upcoming=_upcoming(_sessions(request, project), limit=20), to_confirm=_to_confirm(_sessions(request, project))
        )
    return render(request, "wellbeing/home.html", context)


# Sessions --------------------------------------------------------------------------------------


@project_view(SUPPORT_ROLES)
@require_GET
def session_list(request, project):
    sessions = _sessions(request, project).select_related("provider").prefetch_related("attendees").order_by("-starts_at")
    form = SessionFilterForm(request.GET or None, project=project, show_person=request.membership.role != Role.PEER_RESEARCHER)
    page = Paginator(form.filter(sessions), 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "wellbeing/session_list.html", {"project": project, "page": page, "form": form, "query": query.urlencode()}
    )


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def session_new(request, project):
    session_request = None
    if request.GET.get("request"):
        session_request = get_scoped(SessionRequest.objects.filter(project=project).open(), pk=request.GET["request"])
    initial = {}
    if session_request is not None:
        initial = {"kind": session_request.kind, "attendees": [session_request.requested_by_id]}
    form = SessionForm(request.POST or None, project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = actions.book_session(
                project=project,
                kind=data["kind"],
                provider=data["provider"],
                attendees=data["attendees"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                location=data["location"],
                booked_by=request.user,
                request=session_request,
            )
        except actions.SessionClash as clash:
            for problem in clash.problems:
                form.add_error(None, problem)
        else:
            messages.success(request, "The session is booked. The people attending will get a reminder the day before.")
            return redirect("wellbeing:session_detail", slug=project.slug, pk=session.pk)
    return render(request, "wellbeing/session_form.html", {"project": project, "form": form, "session_request": session_request})


@project_view(SUPPORT_ROLES)
@require_GET
def session_detail(request, project, pk):
    session = get_scoped(_sessions(request, project).select_related("provider", "provider__user"), pk=pk)
    note = None
    is_provider = session.provider is not None and session.provider.user_id == request.user.pk
    # Supervision notes: the supervisor who wrote them and the supervisee(s), never coordinators.
    came = request.user in session.attendees.all() and request.user not in session.absentees.all()
    if session.is_supervision and (is_provider or came):
        note = SupervisionNote.objects.filter(session=session).first()
    return render(
        request,
        "wellbeing/session_detail.html",
        {
            "project": project,
            "session": session,
            "note": note,
            "is_provider": is_provider,
            "can_record_attendance": request.membership.role == Role.COORDINATOR or is_provider,
            "group_attendance": GroupAttendanceForm(
                initial={"present": [p for p in session.attendees.all() if p not in session.absentees.all()]}, session=session
            )
            if session.kind == SupportSession.Kind.SUPERVISION_GROUP
            else None,
        },
    )


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def session_edit(request, project, pk):
    session = get_scoped(_sessions(request, project).booked(), pk=pk)
    form = SessionForm(request.POST or None, project=project, session=session, initial=SessionForm.initial_for(session))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.reschedule_session(
                session,
                by=request.user,
                attendees=data["attendees"],
                kind=data["kind"],
                provider=data["provider"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                location=data["location"],
            )
        except actions.SessionClash as clash:
            for problem in clash.problems:
                form.add_error(None, problem)
        else:
            messages.success(request, "The session was changed.")
            return redirect("wellbeing:session_detail", slug=project.slug, pk=session.pk)
    return render(request, "wellbeing/session_form.html", {"project": project, "form": form, "session": session})


@project_view(COORDINATOR)
@require_POST
def session_cancel(request, project, pk):
    session = get_scoped(_sessions(request, project).booked(), pk=pk)
    actions.cancel_session(session, by=request.user)
    messages.success(request, "The session was cancelled and the people attending were told.")
    return redirect("wellbeing:session_detail", slug=project.slug, pk=session.pk)


@project_view({Role.COORDINATOR, Role.SUPERVISOR})
@require_POST
def session_attendance(request, project, pk):
    session = get_scoped(_sessions(request, project).exclude(status=SupportSession.Status.CANCELLED), pk=pk)
    group = session.kind == SupportSession.Kind.SUPERVISION_GROUP
    form = GroupAttendanceForm(request.POST, session=session) if group else AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether the session was attended.")
    elif session.starts_at > timezone.now():
        messages.error(request, "Attendance can be recorded once the session has started.")
    else:
        present = form.cleaned_data["present"] if group else None
        actions.record_attendance(session, attended=form.cleaned_data.get("attended", False), present=present, by=request.user)
        messages.success(request, "Attendance recorded.")
    return redirect("wellbeing:session_detail", slug=project.slug, pk=session.pk)


@project_view({Role.SUPERVISOR})
@require_http_methods(["GET", "POST"])
def session_notes(request, project, pk):
    """The supervisor writes notes for a reflective-supervision session they provided, once it
    has started (and unless it was cancelled)."""
    mine = _sessions(request, project).supervision().filter(provider__user=request.user, starts_at__lte=timezone.now())
    session = get_scoped(mine.exclude(status=SupportSession.Status.CANCELLED), pk=pk)
    note = SupervisionNote.objects.filter(session=session).first()
    form = SupervisionNoteForm(request.POST or None, initial={"text": note.text if note else ""})
    if request.method == "POST" and form.is_valid():
        actions.save_supervision_note(session, text=form.cleaned_data["text"], by=request.user)
        messages.success(request, "Notes saved. Only you and the people who attended can read them.")
        return redirect("wellbeing:session_detail", slug=project.slug, pk=session.pk)
    return render(request, "wellbeing/session_notes.html", {"project": project, "session": session, "form": form})


@project_view(SUPPORT_ROLES)
@require_GET
def session_calendar(request, project, pk):
    """An .ics for the session with a neutral title; what it is stays in the app."""
    from icalendar import Calendar, Event

    session = get_scoped(_sessions(request, project).booked(), pk=pk)
    calendar = Calendar()
    calendar.add("prodid", "-//Common Ground//EN")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"support-session-{session.pk}@common-ground")
    event.add("summary", "Appointment")
    event.add("description", "Sign in for details.")
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("dtstamp", timezone.now())
    calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="appointment.ics"'
    return response


# Requests --------------------------------------------------------------------------------------


@project_view(PEER)
@require_http_methods(["GET", "POST"])
def request_new(request, project):
    form = SessionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.request_session(project=project, person=request.user, **form.cleaned_data)
        messages.success(request, "Your request was sent. A coordinator will book a time with you.")
        return redirect("wellbeing:home", slug=project.slug)
    return render(request, "wellbeing/request_form.html", {"project": project, "form": form})


@project_view(COORDINATOR)
@require_POST
def request_decline(request, project, pk):
    session_request = get_scoped(SessionRequest.objects.filter(project=project).open(), pk=pk)
    actions.decline_request(session_request, by=request.user)
    messages.success(request, "The request was closed.")
    return redirect("wellbeing:home", slug=project.slug)


# Check-ins -------------------------------------------------------------------------------------


@project_view(PEER)
@require_http_methods(["GET", "POST"])
def check_in(request, project, pk):
    check_in = get_scoped(CheckIn.objects.filter(project=project, person=request.user).to_do().select_related("interview"), pk=pk)
    if check_in.completed_at is not None:  # answered before the protocol's debrief was offered
        form = DebriefForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            actions.answer_debrief(check_in, **form.cleaned_data)
            messages.success(
                request, "Thank you. A coordinator will arrange it." if form.cleaned_data["wants_debrief"] else "Thank you."
            )
            return redirect("wellbeing:home", slug=project.slug)
        return render(request, "wellbeing/check_in.html", {"project": project, "form": form, "check_in": check_in})
    form = CheckInForm(request.POST or None, debrief_offered=check_in.debrief_open)
    if request.method == "POST" and form.is_valid():
        alerted = actions.complete_check_in(check_in, **form.cleaned_data)
        if alerted:
            messages.success(request, "Thank you. A coordinator will be in touch to find a time to talk.")
        else:
            messages.success(request, "Thank you for checking in.")
        return redirect("wellbeing:home", slug=project.slug)
    return render(request, "wellbeing/check_in.html", {"project": project, "form": form, "check_in": check_in})


@project_view(PEER)
@require_GET
def check_in_list(request, project):
    """The author's own past check-ins, with their scores and notes: nobody else sees these."""
    done = CheckIn.objects.filter(project=project, person=request.user, completed_at__isnull=False).order_by("-completed_at")
    page = Paginator(done, 20).get_page(request.GET.get("page"))
    return render(request, "wellbeing/check_in_list.html", {"project": project, "page": page})


@project_view(COORDINATOR)
@require_POST
def alert_acknowledge(request, project, pk):
    check_in = get_scoped(CheckIn.objects.filter(project=project).open_alerts().select_related("person"), pk=pk)
    actions.acknowledge_alert(check_in, by=request.user)
    messages.success(request, f"Marked as seen. Book a time with {check_in.person} if they want to talk.")
    back_to = "coproduction:dashboard" if request.POST.get("next") == "dashboard" else "wellbeing:home"
    return redirect(back_to, slug=project.slug)


# Policy, providers, training -------------------------------------------------------------------


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def policy(request, project):
    form = PolicyForm(request.POST or None, instance=SupportPolicy.current(project))
    if request.method == "POST" and form.is_valid():
        form.save()
        record(request.user, "support_policy.changed", form.instance, project=project)
        messages.success(request, "The support policy was saved.")
        return redirect("wellbeing:policy", slug=project.slug)
    return render(request, "wellbeing/policy.html", {"project": project, "form": form})


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def providers(request, project):
    form = ProviderForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        form.save()
        record(request.user, "provider.added", form.instance, project=project)
        messages.success(request, f"{form.instance.name} was added.")
        return redirect("wellbeing:providers", slug=project.slug)
    page = Paginator(Provider.objects.filter(active=True), 50).get_page(request.GET.get("page"))
    return render(request, "wellbeing/providers.html", {"project": project, "form": form, "page": page})


@project_view({Role.COORDINATOR, Role.PEER_RESEARCHER})
@require_http_methods(["GET", "POST"])
def training(request, project):
    if request.membership.role == Role.PEER_RESEARCHER:
        completions = TrainingCompletion.objects.filter(user=request.user).select_related("module")
        return render(
            request,
            "wellbeing/training_mine.html",
            {"project": project, "completions": completions, "missing": actions.missing_training(request.user, project)},
        )
    form = TrainingCompletionForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        actions.record_training(
            person=form.cleaned_data["person"],
            module=form.cleaned_data["module"],
            completed_on=form.cleaned_data["completed_on"],
            by=request.user,
            project=project,
        )
        messages.success(request, "Training recorded.")
        return redirect("wellbeing:training", slug=project.slug)
    modules = list(TrainingModule.objects.all())
    policy = SupportPolicy.current(project)
    required = set(policy.required_modules.values_list("pk", flat=True)) if policy.pk else set()
    people = list(form.fields["person"].queryset)
    done = {
        (c.user_id, c.module_id): c
        for c in TrainingCompletion.objects.filter(user__in=people)
        .select_related("module")
        .only("user_id", "module_id", "completed_on")
    }
    grid = [(person, [(module, done.get((person.pk, module.pk))) for module in modules]) for person in people]
    return render(
        request,
        "wellbeing/training.html",
        {
            "project": project,
            "form": form,
            "module_form": TrainingModuleForm(),
            "modules": modules,
            "required": required,
            "grid": grid,
        },
    )


@project_view(COORDINATOR)
@require_POST
def training_module_new(request, project):
    form = TrainingModuleForm(request.POST)
    if form.is_valid():
        form.save()
        messages.success(request, f"The module {form.instance.name} was added.")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("wellbeing:training", slug=project.slug)


# Private reflections ---------------------------------------------------------------------------


def _my_reflections(request, project):
    # The only way to a reflection: its author, in this project. No role sees anyone else's.
    return Reflection.objects.filter(project=project, author=request.user)


@project_view(PEER)
@require_http_methods(["GET", "POST"])
def reflections(request, project):
    form = ReflectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.add_reflection(project=project, author=request.user, text=form.cleaned_data["text"])
        messages.success(request, "Saved. Only you can read it.")
        return redirect("wellbeing:reflections", slug=project.slug)
    page = Paginator(_my_reflections(request, project), 20).get_page(request.GET.get("page"))
    return render(request, "wellbeing/reflections.html", {"project": project, "form": form, "page": page})


@project_view(PEER)
@require_POST
def reflection_delete(request, project, pk):
    reflection = get_scoped(_my_reflections(request, project), pk=pk)
    actions.delete_reflection(reflection)
    messages.success(request, "The entry was deleted for good.")
    return redirect("wellbeing:reflections", slug=project.slug)


@project_view(PEER)
@require_GET
def reflections_pdf(request, project):
    # Not audited, unlike other exports: coordinators read the audit log, and an entry would
    # tell them that this person keeps a journal. Only the author can reach this page.
    pdf = reports.render_pdf(
        "wellbeing/reflections_pdf.html",
        {"project": project, "reflections": _my_reflections(request, project), "author": request.user},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="my-reflections.pdf"'
    return response


# Reports ---------------------------------------------------------------------------------------


def _report_context(request, project):
    form = PeriodForm(request.GET or None, project=project)
    if not form.is_bound:
        form = PeriodForm({}, project=project)
    rows = reports.summary_rows(project, *form.bounds()) if form.is_valid() else []
    return {"project": project, "form": form, "rows": rows}


@project_view(COORDINATOR)
@require_GET
def report(request, project):
    context = _report_context(request, project)
    context["query"] = request.GET.urlencode()
    return render(request, "wellbeing/report.html", context)


@project_view(COORDINATOR)
@require_GET
def report_pdf(request, project):
    context = _report_context(request, project)
    if not context["form"].is_valid():
        return redirect("wellbeing:report", slug=project.slug)
    pdf = reports.render_pdf("wellbeing/report_pdf.html", context)
    record(request.user, "support_report.exported", project)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="support-summary.pdf"'
    return response
