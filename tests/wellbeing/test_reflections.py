"""Private reflections: the author's alone, encrypted at rest, exportable, deletable for good."""

import pytest
from django.db import connection
from django.urls import reverse

from coproduction.models import AuditEvent
from wellbeing.models import Reflection

pytestmark = pytest.mark.django_db


def url(world, name="reflections", **kwargs):
    return reverse(f"wellbeing:{name}", kwargs={"slug": world.project.slug, **kwargs})


def test_author_writes_reads_and_it_is_encrypted_at_rest(world, client_for):
    client = client_for(world.peer)
    assert client.post(url(world), {"text": "The bus stop story stayed with me."}).status_code == 302
    assert "The bus stop story stayed with me." in client.get(url(world)).content.decode()
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM wellbeing_reflection")
        (stored,) = cursor.fetchone()
    assert "bus stop" not in stored


def test_empty_reflection_is_refused(world, client_for):
    response = client_for(world.peer).post(url(world), {"text": "   "})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert not Reflection.objects.exists()


def test_nobody_else_reads_or_deletes_a_reflection(world, client_for):
    reflection = Reflection.objects.create(project=world.project, author=world.peer, text="Only mine")
    assert "Only mine" not in client_for(world.second_peer).get(url(world)).content.decode()
    assert client_for(world.second_peer).post(url(world, "reflection_delete", pk=reflection.pk)).status_code == 404
    for role in ["coordinator", "analyst", "supervisor"]:
        assert client_for(world.members[role]).get(url(world)).status_code == 403
        assert client_for(world.members[role]).get(url(world, "reflections_pdf")).status_code == 403
    assert Reflection.objects.filter(pk=reflection.pk).exists()


def test_delete_is_for_good(world, client_for):
    reflection = Reflection.objects.create(project=world.project, author=world.peer, text="Gone")
    assert client_for(world.peer).post(url(world, "reflection_delete", pk=reflection.pk)).status_code == 302
    assert not Reflection.objects.filter(pk=reflection.pk).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM wellbeing_reflection")
        assert cursor.fetchone()[0] == 0
    assert not AuditEvent.objects.filter(object_type="wellbeing.reflection").exists()


def test_author_exports_own_reflections_as_pdf(world, client_for):
    Reflection.objects.create(project=world.project, author=world.peer, text="Mine")
    Reflection.objects.create(project=world.project, author=world.second_peer, text="Not mine")
    response = client_for(world.peer).get(url(world, "reflections_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "no-store" in response["Cache-Control"]


def test_reflections_of_another_project_stay_there(world, client_for):
    from tests.factories import Membership

    Membership.objects.create(user=world.peer, project=world.other_project, role="peer_researcher")
    Reflection.objects.create(project=world.other_project, author=world.peer, text="Elsewhere")
    assert "Elsewhere" not in client_for(world.peer).get(url(world)).content.decode()
