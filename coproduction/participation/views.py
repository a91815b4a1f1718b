"""Participants, consent, information sheets, the deny-list and the allow-list: coordinators only."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from coproduction.access import get_scoped, project_view
from coproduction.audit import record
from coproduction.models import AttributeDefinition, InformationSheet, Participant, Role
from coproduction.participation import actions
from coproduction.participation.forms import (
    AllowListTermForm,
    AttributeDefinitionForm,
    ConsentForm,
    ContactDetailsForm,
    DenyListTermForm,
    FollowUpContactForm,
    InformationSheetForm,
    ParticipantForm,
    StopUpdatesForm,
    TermListForm,
)
from coproduction.publication import follow_up

COORDINATOR = {Role.COORDINATOR}


@project_view(COORDINATOR)
@require_http_methods(["GET"])
def participant_list(request, project):
    participants = Participant.objects.filter(project=project).prefetch_related("consents")
    cohort = request.GET.get("cohort", "")
    if cohort in project.cohorts:
        participants = participants.filter(cohort=cohort)
    page = Paginator(participants, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "participation/participant_list.html",
        {"project": project, "page": page, "cohort": cohort, "query": f"cohort={cohort}" if cohort else ""},
    )


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def participant_create(request, project):
    form = ParticipantForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        participant = actions.create_participant(
            project=project, cohort=form.cleaned_data["cohort"], attributes=form.attributes(), by=request.user
        )
        messages.success(request, f"Participant {participant.code} added. Record their consent next.")
        return redirect("participation:detail", slug=project.slug, pk=participant.pk)
    return render(request, "participation/participant_form.html", {"project": project, "form": form})


def _detail_page(request, project, participant, *, contact_form=None, follow_up_form=None, status=200):
    """The participant's page; with the form that was posted, when it is shown again."""
    kept_for_updates = follow_up.current_contact(participant)
    if contact_form is None:
        contact_form = ContactDetailsForm(
            initial={
                "wants_reminders": participant.wants_reminders,
                "contact_email": participant.contact_email or "",
                "contact_phone": participant.contact_phone or "",
            }
        )
    if follow_up_form is None:
        initial = {"email": kept_for_updates.email or "", "phone": kept_for_updates.phone or ""} if kept_for_updates else {}
        follow_up_form = FollowUpContactForm(initial=initial)
    context = {
        "project": project,
        "participant": participant,
        "consents": participant.consents.select_related("information_sheet", "recorded_by"),
        "contact_form": contact_form,
        "follow_up_form": follow_up_form,
        "follow_up_allowed": follow_up.follow_up_allowed(participant),
        "kept_for_updates": kept_for_updates,
    }
    if status != 200:  # the error summary shows the posted form's errors
        context["form"] = follow_up_form if follow_up_form.is_bound else contact_form
    return render(request, "participation/participant_detail.html", context, status=status)


@project_view(COORDINATOR)
@require_http_methods(["GET"])
def participant_detail(request, project, pk):
    participant = get_scoped(Participant.objects.filter(project=project), pk=pk)
    record(request.user, "participant.viewed", participant)
    return _detail_page(request, project, participant)


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def consent_record(request, project, pk):
    participant = get_scoped(Participant.objects.active().filter(project=project), pk=pk)
    form = ConsentForm(request.POST or None, project=project)
    if not form.fields["information_sheet"].queryset.exists():
        messages.error(request, "Publish an information sheet before recording consent.")
        return redirect("participation:sheets", slug=project.slug)
    if request.method == "POST" and form.is_valid():
        items = {key: form.cleaned_data[key] for key in ["take_part", "notes_kept", "quotes_published", "follow_up"]}
        _, erased = actions.record_consent(
            participant=participant, sheet=form.cleaned_data["information_sheet"], items=items, by=request.user
        )
        messages.success(request, f"Consent recorded for {participant.code}.")
        if erased.pop(follow_up.ERASED_LABEL, 0):
            messages.info(request, "Their consent no longer allows follow-up, so their contact details for updates were erased.")
        removed = ", ".join(f"{count} {label}" for label, count in erased.items() if count)
        if removed:
            messages.info(request, f"Their notes may no longer be kept, so these were erased: {removed}.")
        return redirect("participation:detail", slug=project.slug, pk=participant.pk)
    return render(request, "participation/consent_form.html", {"project": project, "participant": participant, "form": form})


@project_view(COORDINATOR)
@require_POST
def contact_details(request, project, pk):
    participant = get_scoped(Participant.objects.active().filter(project=project), pk=pk)
    form = ContactDetailsForm(request.POST)
    if form.is_valid():
        actions.set_contact_details(
            participant=participant,
            email=form.cleaned_data["contact_email"],
            phone=form.cleaned_data["contact_phone"],
            wants_reminders=form.cleaned_data["wants_reminders"],
            by=request.user,
        )
        messages.success(request, "Contact details saved. They are erased after the interview.")
        return redirect("participation:detail", slug=project.slug, pk=participant.pk)
    return _detail_page(request, project, participant, contact_form=form, status=400)


@project_view(COORDINATOR)
@require_POST
def follow_up_contact(request, project, pk):
    """Keep details for updates: only while the current consent allows follow-up."""
    participant = get_scoped(Participant.objects.active().filter(project=project), pk=pk)
    form = FollowUpContactForm(request.POST)
    if form.is_valid():
        try:
            follow_up.record_follow_up_contact(
                participant=participant, email=form.cleaned_data["email"], phone=form.cleaned_data["phone"], by=request.user
            )
        except follow_up.FollowUpRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "Contact details for updates saved. They are erased when the project's follow-up ends.")
            return redirect("participation:detail", slug=project.slug, pk=participant.pk)
    return _detail_page(request, project, participant, follow_up_form=form, status=400)


@project_view(COORDINATOR)
@require_POST
def follow_up_erase(request, project, pk):
    participant = get_scoped(Participant.objects.active().filter(project=project), pk=pk)
    if follow_up.erase_participant_contact(participant, by=request.user):
        messages.success(request, "Contact details for updates erased. No more updates will be sent.")
    else:
        messages.info(request, "There were no contact details for updates to erase.")
    return redirect("participation:detail", slug=project.slug, pk=participant.pk)


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def stop_updates(request, project):
    """Someone asked to stop the updates: erase the details kept for them, whatever their source."""
    form = StopUpdatesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        erased = follow_up.stop_updates(project=project, address=form.cleaned_data["address"], by=request.user)
        if erased:
            messages.success(request, "Contact details for updates erased. No more updates will be sent to them.")
        else:
            messages.info(request, "No contact details for updates in this project match. Nothing was erased.")
        return redirect("participation:stop_updates", slug=project.slug)
    return render(request, "participation/stop_updates.html", {"project": project, "form": form})


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def withdraw(request, project, pk):
    participant = get_scoped(Participant.objects.active().filter(project=project), pk=pk)
    if request.method == "POST":
        counts = actions.withdraw_participant(participant, by=request.user)
        return render(request, "participation/withdrawn.html", {"project": project, "participant": participant, "counts": counts})
    return render(request, "participation/withdraw_confirm.html", {"project": project, "participant": participant})


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def information_sheets(request, project):
    form = InformationSheetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sheet = actions.publish_information_sheet(project=project, text=form.cleaned_data["text"], by=request.user)
        messages.success(request, f"Information sheet version {sheet.version} published.")
        return redirect("participation:sheets", slug=project.slug)
    sheets = Paginator(InformationSheet.objects.filter(project=project), 20).get_page(request.GET.get("page"))
    return render(request, "participation/sheets.html", {"project": project, "form": form, "page": sheets})


@dataclass(frozen=True)
class TermList:
    """The deny-list and the allow-list: the same page, each with its own words."""

    form: type[TermListForm]
    url_name: str
    title: str
    intro: str
    add_label: str
    added: str
    removed: str
    empty: str


TERM_LISTS = {
    "deny": TermList(
        DenyListTermForm,
        "deny_list",
        "Deny-list",
        "Names, nicknames and places that must never reach the corpus. Notes are checked against this list.",
        "Add to the deny-list",
        "Added to the deny-list. Notes are checked against it from now on.",
        "Removed from the deny-list.",
        "The deny-list is empty.",
    ),
    "allow": TermList(
        AllowListTermForm,
        "allow_list",
        "Allow-list",
        "Public places of the area (markets, stations, parks, streets without a house number), organisations and "
        "services, and public helpline numbers. None of them identifies a person, so the check on notes does not ask "
        "about them. The allow-list never hides a name on the deny-list, an address or a postcode.",
        "Add to the allow-list",
        "Added to the allow-list. Notes are no longer asked about it.",
        "Removed from the allow-list.",
        "The allow-list is empty.",
    ),
}


def _term_list(request, project, term_list: TermList):
    form = term_list.form(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        actions.add_list_term(
            form.model, project=project, term=form.cleaned_data["term"], kind=form.cleaned_data["kind"], by=request.user
        )
        messages.success(request, term_list.added)
        return redirect(f"participation:{term_list.url_name}", slug=project.slug)
    page = Paginator(form.model.objects.filter(project=project), 100).get_page(request.GET.get("page"))
    context = {"project": project, "form": form, "page": page, "list": term_list}
    return render(request, "participation/term_list.html", context)


def _term_list_remove(request, project, pk, term_list: TermList):
    entry = get_scoped(term_list.form.model.objects.filter(project=project), pk=pk)
    actions.remove_list_term(entry, by=request.user)
    messages.success(request, term_list.removed)
    return redirect(f"participation:{term_list.url_name}", slug=project.slug)


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def deny_list(request, project):
    return _term_list(request, project, TERM_LISTS["deny"])


@project_view(COORDINATOR)
@require_POST
def deny_list_remove(request, project, pk):
    return _term_list_remove(request, project, pk, TERM_LISTS["deny"])


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def allow_list(request, project):
    return _term_list(request, project, TERM_LISTS["allow"])


@project_view(COORDINATOR)
@require_POST
def allow_list_remove(request, project, pk):
    return _term_list_remove(request, project, pk, TERM_LISTS["allow"])


@project_view(COORDINATOR)
@require_http_methods(["GET", "POST"])
def attributes(request, project):
    form = AttributeDefinitionForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        actions.add_attribute(project=project, by=request.user, **form.cleaned_data)
        messages.success(request, f"{form.cleaned_data['name']} added. It is asked for when adding a participant.")
        return redirect("participation:attributes", slug=project.slug)
    definitions = AttributeDefinition.objects.filter(project=project)
    return render(request, "participation/attributes.html", {"project": project, "form": form, "definitions": definitions})


@project_view(COORDINATOR)
@require_POST
def attribute_remove(request, project, pk):
    definition = get_scoped(AttributeDefinition.objects.filter(project=project), pk=pk)
    actions.remove_attribute(definition, by=request.user)
    messages.success(request, f"{definition.name} is no longer asked for.")
    return redirect("participation:attributes", slug=project.slug)
