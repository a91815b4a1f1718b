"""Where a participant can be thanked: an occasion, registered by kind.

The core knows engagement events (`coproduction.engagement.vouchers` registers them); the
`interviews` app registers interviews from its `ready()`, so the core never imports it. A
thank-you stores the occasion's kind and id; everything else about the occasion (who may see
it, whether it has happened, its participant) is asked of the occasion.
"""

from typing import Any

from django.db import models
from django.http import Http404

from coproduction.models import Participant, Project


class Occasion:
    """The protocol an occasion's owner implements."""

    kind: str = ""  # in URLs and on VoucherGift.occasion_kind: "interview", "event"
    label: str = ""  # in sentences: "interview", "event"
    # True where the occasion has no participant of its own (an event): the giver may type the
    # participant's code, or leave it out for someone who is not a registered participant.
    asks_for_participant: bool = False

    def visible(self, user, project: Project) -> models.QuerySet:
        """The occasions of the project this person may thank someone at (their own)."""
        raise NotImplementedError

    def refusal(self, subject: Any) -> str | None:
        """Why nobody can be thanked at it now (not held yet, cancelled), or None."""
        return None

    def participant(self, subject: Any) -> Participant | None:
        """The occasion's own participant, when it has one (an interview's)."""
        return None

    def title(self, subject: Any) -> str:
        """A heading naming the occasion: a participant code and a date, never a name."""
        raise NotImplementedError

    def url(self, subject: Any) -> str:
        raise NotImplementedError


_occasions: dict[str, Occasion] = {}


def register_occasion(occasion: Occasion) -> None:
    _occasions[occasion.kind] = occasion


def occasion_of(kind: str) -> Occasion:
    try:
        return _occasions[kind]
    except KeyError:
        raise Http404 from None


def occasions() -> list[Occasion]:
    return list(_occasions.values())


def subject_for(occasion: Occasion, user, project: Project, pk: int) -> Any:
    """The occasion with this id if the person may thank someone at it, else 404."""
    from coproduction.access import get_scoped

    return get_scoped(occasion.visible(user, project), pk=pk)
