"""Events as an occasion to thank participants with a voucher (`coproduction.vouchers`).

At an event a voucher may go to anyone who came: the giver may type a registered participant's
code, or leave it out for a resident who is not one. Coordinators and the event's facilitators
and note-taker may give (the people who see the event's page)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from coproduction.models import Event
from coproduction.vouchers.occasions import Occasion, register_occasion


class EventOccasion(Occasion):
    kind = "event"
    label = "event"
    asks_for_participant = True

    def visible(self, user, project):
        return Event.objects.visible_to(user, project).select_related("project")

    def refusal(self, event: Event) -> str | None:
        if event.status == Event.Status.CANCELLED:
            return "This event was cancelled: nobody can be thanked at it."
        if event.starts_at > timezone.now():
            return "People can be thanked once the event has started."
        return None

    def title(self, event: Event) -> str:
        return f"{event.title}, {date_format(timezone.localtime(event.starts_at, event.project.tzinfo), 'j F Y')}"

    def url(self, event: Event) -> str:
        return reverse("engagement:detail", kwargs={"slug": event.project.slug, "pk": event.pk})


register_occasion(EventOccasion())
