"""Sign-in security: MFA for the roles that need it, rate limiting, idle timeout, headers."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from coproduction.models import Role
from tests.browser_fixtures import totp_code
from tests.factories import UserFactory, member


def dashboard(project):
    return reverse("coproduction:dashboard", args=[project.slug])


def password_step(client, user, password):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


@pytest.mark.django_db
def test_password_alone_does_not_open_a_project_for_an_enrolled_coordinator(client, project, password):
    coordinator = member(project, Role.COORDINATOR)
    response = password_step(client, coordinator, password)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(dashboard(project)).status_code == 302  # to sign-in, not the project


@pytest.mark.django_db
def test_the_totp_code_completes_sign_in(client, project, password):
    coordinator = member(project, Role.COORDINATOR)
    password_step(client, coordinator, password)
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(coordinator.totp_secret)})
    assert response.status_code == 302
    assert client.get(dashboard(project)).status_code == 200


@pytest.mark.django_db
def test_a_wrong_totp_code_is_refused(client, project, password):
    analyst = member(project, Role.ANALYST)
    password_step(client, analyst, password)
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    assert client.get(dashboard(project)).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ANALYST, Role.SUPERVISOR])
def test_roles_that_need_mfa_must_enrol_before_opening_project_pages(client, project, role):
    person = UserFactory()
    project.memberships.create(user=person, role=role)
    client.force_login(person)
    response = client.get(dashboard(project))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.django_db
def test_peer_researchers_are_offered_mfa_but_not_forced(client, project):
    peer = UserFactory()
    project.memberships.create(user=peer, role=Role.PEER_RESEARCHER)
    client.force_login(peer)
    assert client.get(dashboard(project)).status_code == 200
    settings_page = client.get(reverse("account_settings")).content.decode()
    assert reverse("mfa_activate_totp") in settings_page


@pytest.mark.django_db
def test_mfa_is_required_by_the_role_in_each_project(client, project):
    """Peer researcher here, coordinator elsewhere: only the coordinator's project needs MFA."""
    person = UserFactory()
    elsewhere = type(project).objects.create(name="Elsewhere", slug="elsewhere")
    project.memberships.create(user=person, role=Role.PEER_RESEARCHER)
    elsewhere.memberships.create(user=person, role=Role.COORDINATOR)
    client.force_login(person)
    assert client.get(dashboard(project)).status_code == 200
    assert client.get(dashboard(elsewhere))["Location"] == reverse("mfa_activate_totp")


@pytest.mark.django_db
def test_repeated_failed_sign_ins_are_rate_limited(client, project, password):
    peer = member(project, Role.PEER_RESEARCHER)
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": peer.email, "password": "wrong-password-x"})
        assert response.status_code == 200
    # The sixth attempt is refused even with the right password.
    response = client.post(reverse("account_login"), {"login": peer.email, "password": password})
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_session_ends_after_thirty_idle_minutes(client, project, settings):
    assert settings.SESSION_IDLE_MINUTES == 30
    peer = member(project, Role.PEER_RESEARCHER)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(peer)
        assert client.get(dashboard(project)).status_code == 200
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get(dashboard(project)).status_code == 200  # activity renews the session
    with time_machine.travel(start + timedelta(minutes=29 + 31), tick=False):
        response = client.get(dashboard(project))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.django_db
def test_pages_carry_the_idle_warning_settings(client, project):
    peer = member(project, Role.PEER_RESEARCHER)
    client.force_login(peer)
    page = client.get(dashboard(project)).content.decode()
    assert 'data-idle-seconds="1800"' in page
    assert reverse("keep_alive") in page


@pytest.mark.django_db
def test_keep_alive_renews_a_signed_in_session_only(client, project):
    assert client.post(reverse("keep_alive")).status_code == 302
    client.force_login(member(project, Role.PEER_RESEARCHER))
    assert client.post(reverse("keep_alive")).json() == {"ok": True}


@pytest.mark.django_db
def test_signed_in_pages_are_never_stored(client, project):
    client.force_login(member(project, Role.PEER_RESEARCHER))
    response = client.get(dashboard(project))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_content_security_policy_forbids_inline_script_and_other_origins(client, project):
    client.force_login(member(project, Role.PEER_RESEARCHER))
    response = client.get(dashboard(project))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    page = response.content.decode()
    assert "<script>" not in page
    assert " onclick=" not in page and " style=" not in page


@pytest.mark.django_db
def test_pages_load_nothing_from_other_origins(client, project, settings):
    import re

    client.force_login(member(project, Role.PEER_RESEARCHER))
    page = client.get(dashboard(project)).content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    external = [s for s in sources if s.startswith(("http:", "https:", "//")) and s != settings.QUICK_EXIT_URL]
    assert external == []


@pytest.mark.django_db
def test_every_page_has_a_quick_exit_and_skip_link(client, project):
    for response in [client.get(reverse("account_login"))]:
        page = response.content.decode()
        assert "govuk-exit-this-page" in page
        assert "govuk-skip-link" in page


@pytest.mark.django_db
def test_flash_messages_are_kept_on_the_server_not_in_a_cookie(client_for, world):
    client = client_for(world.coordinator)
    response = client.post(
        reverse("coproduction:members", args=[world.project.slug]), {"email": "new@example.org", "role": Role.ANALYST}
    )
    assert response.status_code == 302
    assert "messages" not in response.cookies
    assert "Invitation sent to new@example.org." in client.get(response["Location"]).content.decode()
