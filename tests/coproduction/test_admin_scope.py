"""The admin is for operations: accounts, projects, audit, schedules, installation settings.
No research data, no support records, no secrets."""

import pytest
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.urls import reverse

from coproduction.models import Role
from tests.factories import UserFactory, member

OPERATIONS = {
    "account.emailaddress",
    "auth.group",
    "coproduction.auditevent",
    "coproduction.project",
    "coproduction.user",
    "django_celery_beat.clockedschedule",
    "django_celery_beat.crontabschedule",
    "django_celery_beat.intervalschedule",
    "django_celery_beat.periodictask",
    "django_celery_beat.solarschedule",
    "mfa.authenticator",
    "wellbeing.provider",
    "wellbeing.supportpolicy",
    "wellbeing.trainingcompletion",
    "wellbeing.trainingmodule",
}


def test_only_operations_models_are_in_the_admin():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == OPERATIONS, "a model was added to the admin: is it research or support data?"


@pytest.mark.django_db
def test_an_authenticators_secret_is_never_shown_but_it_can_be_removed(client, project):
    coordinator = member(project, Role.COORDINATOR)
    authenticator = Authenticator.objects.get(user=coordinator)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:mfa_authenticator_change", args=[authenticator.pk])).content.decode()
    assert coordinator.totp_secret not in page
    assert "secret" not in page.lower()
    client.post(reverse("admin:mfa_authenticator_delete", args=[authenticator.pk]), {"post": "yes"})
    assert not Authenticator.objects.filter(pk=authenticator.pk).exists()
