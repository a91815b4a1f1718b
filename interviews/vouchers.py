"""Interviews as an occasion to thank the participant with a voucher (`coproduction.vouchers`,
which never imports this app: the occasion is registered from `InterviewsConfig.ready`).

Coordinators and the interviewer may give it (the people who see the interview's page), once
the interview has started; one thank-you per interview, to its participant."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from coproduction.vouchers.occasions import Occasion
from interviews.models import Interview


class InterviewOccasion(Occasion):
    kind = "interview"
    label = "interview"

    def visible(self, user, project):
        return Interview.objects.visible_to(user, project).select_related("participant", "project")

    def refusal(self, interview: Interview) -> str | None:
        if interview.status in {Interview.Status.CANCELLED, Interview.Status.NO_SHOW}:
            return "This interview did not take place: there is nobody to thank."
        if interview.starts_at > timezone.now():
            return "The participant can be thanked once the interview has started."
        return None

    def participant(self, interview: Interview):
        return interview.participant

    def title(self, interview: Interview) -> str:
        when = date_format(timezone.localtime(interview.starts_at, interview.project.tzinfo), "j F Y")
        return f"Interview with {interview.participant.code}, {when}"

    def url(self, interview: Interview) -> str:
        return reverse("interviews:detail", kwargs={"slug": interview.project.slug, "pk": interview.pk})
