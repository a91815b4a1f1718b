"""The coordinator's dashboard panel and digest line for notes waiting for review, of every
owner (interviews and events): counts only, in neutral words."""

from django.db.models import Count

from coproduction.models import NotesDraft
from coproduction.notes.owners import owners
from coproduction.notifications.digest import DigestLine
from coproduction.prepared import PreparedQuery

# Dashboard panels ask the same question on every visit: compiled once (coproduction.prepared).
_waiting_by_kind = PreparedQuery(
    lambda project_id: NotesDraft.objects.awaiting_review(project_id).values_list("owner_kind").annotate(n=Count("pk")).order_by()
)


def coordinator_panel(request, project) -> dict | None:
    by_kind = dict(_waiting_by_kind(project_id=project.pk))
    waiting = sum(by_kind.values())
    if not waiting:
        return None
    labels = {owner.kind: owner.label for owner in owners()}
    return {"waiting": waiting, "by_kind": [(labels.get(kind, kind), n) for kind, n in sorted(by_kind.items())]}


def digest_section(project) -> list[DigestLine]:
    # Neutral wording: the digest may be read on a shared screen.
    return [DigestLine("Items waiting for your review", NotesDraft.objects.awaiting_review(project).count())]
