"""Training records, and the gate that keeps untrained peer researchers from interviews."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from coproduction.eligibility import interviewer_problems
from coproduction.models import AuditEvent
from wellbeing.models import SupportPolicy, TrainingCompletion, TrainingModule

pytestmark = pytest.mark.django_db


def url(world, name="training"):
    return reverse(f"wellbeing:{name}", kwargs={"slug": world.project.slug})


@pytest.fixture
def required(world):
    policy = SupportPolicy.for_project(world.project)
    modules = [TrainingModule.objects.get(name="Safeguarding"), TrainingModule.objects.get(name="Distress protocol")]
    policy.required_modules.set(modules)
    return modules


def test_untrained_peer_researcher_cannot_be_given_interviews(world, required):
    assert interviewer_problems(world.peer, world.project) == ["Needs training: Distress protocol, Safeguarding."]
    TrainingCompletion.objects.create(
        user=world.peer, module=required[0], completed_on=date(2026, 1, 5), recorded_by=world.coordinator
    )
    assert interviewer_problems(world.peer, world.project) == ["Needs training: Distress protocol."]
    TrainingCompletion.objects.create(
        user=world.peer, module=required[1], completed_on=date(2026, 1, 6), recorded_by=world.coordinator
    )
    assert interviewer_problems(world.peer, world.project) == []


def test_a_project_without_required_modules_has_no_gate(world):
    assert interviewer_problems(world.peer, world.project) == []
    assert interviewer_problems(world.peer, world.other_project) == []


def test_the_interviews_app_does_not_import_wellbeing():
    import re
    from pathlib import Path

    import interviews

    for path in Path(interviews.__file__).parent.rglob("*.py"):
        assert not re.search(r"^\s*(from|import)\s+wellbeing", path.read_text(), re.M), f"{path} imports wellbeing"


@time_machine.travel(date(2026, 2, 10), tick=False)
def test_coordinator_records_training_and_it_is_audited(world, client_for, required):
    client = client_for(world.coordinator)
    page = client.get(url(world)).content.decode()
    assert "Needed" in page
    response = client.post(url(world), {"person": world.peer.pk, "module": required[0].pk, "completed_on": "2026-02-09"})
    assert response.status_code == 302
    completion = TrainingCompletion.objects.get()
    assert (completion.user, completion.completed_on, completion.recorded_by) == (world.peer, date(2026, 2, 9), world.coordinator)
    assert AuditEvent.objects.filter(action="training.recorded", project=world.project).exists()


@time_machine.travel(date(2026, 2, 10), tick=False)
def test_training_in_the_future_or_for_an_outsider_is_refused(world, client_for, required):
    client = client_for(world.coordinator)
    response = client.post(url(world), {"person": world.peer.pk, "module": required[0].pk, "completed_on": "2026-02-11"})
    assert "The date cannot be in the future." in response.content.decode()
    outsider = world.outsiders["peer_researcher"]
    response = client.post(url(world), {"person": outsider.pk, "module": required[0].pk, "completed_on": "2026-02-01"})
    assert "Select a valid choice" in response.content.decode()
    assert not TrainingCompletion.objects.exists()


def test_peer_sees_own_training_only(world, client_for, required):
    TrainingCompletion.objects.create(
        user=world.second_peer, module=required[0], completed_on=date(2026, 1, 5), recorded_by=world.coordinator
    )
    page = client_for(world.peer).get(url(world)).content.decode()
    assert "Still needed before you can be given interviews: Distress protocol, Safeguarding." in page
    assert "5 Jan 2026" not in page
    assert client_for(world.peer).post(url(world, "training_module_new"), {"name": "X"}).status_code == 403


def test_coordinator_adds_a_module_and_a_duplicate_is_refused(world, client_for):
    client = client_for(world.coordinator)
    client.post(url(world, "training_module_new"), {"name": "Self-care"})
    assert TrainingModule.objects.filter(name="Self-care").exists()
    response = client.post(url(world, "training_module_new"), {"name": "Self-care"}, follow=True)
    assert "already exists" in response.content.decode()
    assert TrainingModule.objects.filter(name="Self-care").count() == 1
