"""The demo project's support data: fictional, every status, one open alert; every page renders."""

import pytest
from django.urls import reverse

from coproduction.demo import seed
from tests.access import routes
from tests.factories import enrol_totp
from wellbeing.models import CheckIn, Provider, SessionRequest, SupportPolicy, SupportSession, TrainingCompletion

pytestmark = pytest.mark.django_db


def test_seed_adds_providers_sessions_check_ins_and_training_once():
    project, people = seed()
    seed()  # a second run adds nothing
    sessions = SupportSession.objects.filter(project=project)
    assert set(sessions.values_list("status", flat=True)) == set(SupportSession.Status.values)
    assert set(sessions.values_list("kind", flat=True)) == set(SupportSession.Kind.values)
    assert sessions.count() == 8
    assert set(Provider.objects.values_list("kind", flat=True)) == set(Provider.Kind.values)
    assert Provider.objects.get(kind="supervisor").user == people["supervisor"]
    assert CheckIn.objects.filter(project=project).open_alerts().count() == 1
    assert CheckIn.objects.filter(project=project).to_do().count() == 1
    # Asked only after an interview of the person's own that was completed: never of peer3, who is
    # still in training and has no interview.
    for check_in in CheckIn.objects.filter(project=project).select_related("interview"):
        assert check_in.interview.status == "completed" and check_in.interview.interviewer_id == check_in.person_id
        assert check_in.requested_at >= check_in.interview.completed_at
    assert not CheckIn.objects.filter(person=people["peer3"]).exists()
    assert SessionRequest.objects.filter(project=project).open().count() == 1
    assert SupportPolicy.objects.get(project=project).required_modules.count() == 2
    assert TrainingCompletion.objects.exists()


def test_every_support_page_renders_for_every_demo_role(client):
    project, people = seed()
    session_pk = SupportSession.objects.filter(project=project, provider__user=people["supervisor"], status="booked").first().pk
    for key in ["coordinator", "supervisor", "analyst"]:
        if not people[key].has_totp:
            enrol_totp(people[key])
    for key in ["coordinator", "peer1", "supervisor", "analyst"]:
        client.force_login(people[key])
        for route in routes():
            if not route.name.startswith("wellbeing:") or route.name in {"wellbeing:check_in", "wellbeing:reflection_delete"}:
                continue
            kwargs = {"slug": project.slug}
            if "pk" in route.keys:
                if "request" in route.name or "alert" in route.name:
                    continue
                kwargs["pk"] = session_pk
            response = client.get(reverse(route.name, kwargs=kwargs))
            assert response.status_code in (200, 403, 404, 405), f"{key} {route.name}: {response.status_code}"
        assert client.get(reverse("coproduction:dashboard", kwargs={"slug": project.slug})).status_code == 200
