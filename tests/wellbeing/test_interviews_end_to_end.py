"""The training gate and the supervision cadence, driven through the interviews pages.

The interviews app asks `coproduction.eligibility` before assigning an interviewer and sets
`completed_at` when an interview is marked completed; wellbeing registers the training check and
counts completed interviews. This checks the two apps meet, with no shortcut in between.
"""

import re
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from interviews.models import Interview
from tests.interviews.factories import guide_for, venue_for
from tests.participation.factories import consenting_participant
from wellbeing.models import CheckIn, SupportPolicy, TrainingModule

pytestmark = pytest.mark.django_db


def due_table(html: str) -> str:
    """The coordinator's "Due supervision" table on the support page ('' when nobody is due)."""
    found = re.search(r"Peer researchers due or overdue supervision</caption>(.*?)</table>", html, re.S)
    return found.group(1) if found else ""


def test_untrained_interviewer_is_refused_and_completed_interviews_make_supervision_due(
    world, client_for, django_capture_on_commit_callbacks
):
    project, peer = world.project, world.peer
    slug = {"slug": project.slug}
    policy = SupportPolicy.for_project(project)
    policy.supervision_every_days, policy.supervision_after_interviews = 60, 2  # only the count can make it due
    policy.save()
    safeguarding = TrainingModule.objects.get(name="Safeguarding")
    policy.required_modules.set([safeguarding])
    guide_for(project)
    venue = venue_for(project)
    tz = project.tzinfo
    tomorrow = timezone.localdate(timezone=tz) + timedelta(days=1)
    participants = [consenting_participant(project, world.coordinator) for _ in range(3)]

    def booking(participant, hour):
        return {
            "participant": participant.pk,
            "interviewer": peer.pk,
            "starts_at": f"{tomorrow:%Y-%m-%d}T{hour:02d}:00",
            "duration_minutes": 60,
            "venue": venue.pk,
        }

    # (a) The coordinator cannot give an interview to a peer researcher without the training.
    coordinator = client_for(world.coordinator)
    response = coordinator.post(reverse("interviews:book", kwargs=slug), booking(participants[0], 10))
    assert response.status_code == 200
    assert "Needs training: Safeguarding." in response.content.decode()
    assert not Interview.objects.exists()

    # Once the training is recorded, the same booking goes through, and two more.
    coordinator.post(
        reverse("wellbeing:training", kwargs=slug),
        {"person": peer.pk, "module": safeguarding.pk, "completed_on": timezone.localdate(timezone=tz).isoformat()},
    )
    for participant, hour in zip(participants, (10, 12, 14), strict=True):
        assert coordinator.post(reverse("interviews:book", kwargs=slug), booking(participant, hour)).status_code == 302
    interviews = list(Interview.objects.order_by("starts_at"))
    assert [i.interviewer for i in interviews] == [peer] * 3
    assert due_table(coordinator.get(reverse("wellbeing:home", kwargs=slug)).content.decode()) == ""

    # (b) The interviewer marks them completed on the interviews pages, that evening.
    evening = datetime.combine(tomorrow, time(18, 0), tzinfo=tz)
    with time_machine.travel(evening, tick=False):
        interviewer = client_for(peer)
        for interview in interviews[:2]:
            with django_capture_on_commit_callbacks(execute=True):
                response = interviewer.post(
                    reverse("interviews:status", kwargs={**slug, "pk": interview.pk}), {"status": "completed"}
                )
            assert response.status_code == 302
        assert list(Interview.objects.filter(completed_at=evening).order_by("starts_at")) == interviews[:2]
        # Each completion asked the interviewer for a check-in (the signal, after commit).
        assert CheckIn.objects.filter(person=peer, completed_at__isnull=True).count() == 2

        page = due_table(client_for(world.coordinator).get(reverse("wellbeing:home", kwargs=slug)).content.decode())
        row = re.search(rf"<tr[^>]*>\s*<td[^>]*>{re.escape(str(peer))}</td>(.*?)</tr>", page, re.S)
        assert row is not None, "the peer researcher is not listed as due"
        assert ">Due<" in row.group(1) and 'data-label="Interviews since">2</td>' in row.group(1)
        assert str(world.second_peer) not in page

        # One more without supervision: overdue.
        with django_capture_on_commit_callbacks(execute=True):
            client_for(peer).post(reverse("interviews:status", kwargs={**slug, "pk": interviews[2].pk}), {"status": "completed"})
        page = due_table(client_for(world.coordinator).get(reverse("wellbeing:home", kwargs=slug)).content.decode())
        row = re.search(rf"<tr[^>]*>\s*<td[^>]*>{re.escape(str(peer))}</td>(.*?)</tr>", page, re.S)
        assert row is not None and ">Overdue<" in row.group(1) and 'data-label="Interviews since">3</td>' in row.group(1)
