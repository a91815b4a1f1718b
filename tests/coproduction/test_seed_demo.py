"""The fictional demo project: loads with DEBUG on, refuses with it off, and can run twice."""

import pytest
from django.core.management import CommandError, call_command

from coproduction import demo
from coproduction.models import Membership, Project, Role, User
from tests.browser_fixtures import totp_code


@pytest.mark.django_db
def test_seed_demo_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only with DEBUG on"):
        call_command("seed_demo")
    assert not Project.objects.exists()
    with pytest.raises(CommandError):
        call_command("demo_code")


@pytest.mark.django_db
def test_seed_demo_loads_a_project_with_every_role_and_can_run_twice(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    project = Project.objects.get(slug="riverside-safety")
    roles = sorted(Membership.objects.filter(project=project).values_list("role", flat=True))
    assert roles.count(Role.PEER_RESEARCHER) == 3
    assert {Role.COORDINATOR, Role.ANALYST, Role.SUPERVISOR} <= set(roles)
    assert User.objects.filter(email__endswith="@example.org").count() == len(demo.DEMO_PEOPLE)
    output = capsys.readouterr().out
    assert "coordinator@example.org" in output and "demo_code" in output


@pytest.mark.django_db
def test_demo_accounts_that_need_mfa_can_sign_in_with_the_demo_code(settings, client):
    settings.DEBUG = True
    call_command("seed_demo")
    client.post("/accounts/login/", {"login": "coordinator@example.org", "password": demo.DEMO_PASSWORD})
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(demo.DEMO_TOTP_SECRET)})
    assert response.status_code == 302
    assert client.get("/p/riverside-safety/").status_code == 200
