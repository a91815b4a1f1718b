"""The confidentiality matrix of the support area.

- analysts see nothing of it;
- coordinators never read reflections, check-in notes or scores, or supervision notes;
- a supervisor sees only the sessions they provide;
- the admin never shows encrypted content;
- psychotherapy has no content field anywhere; encrypted fields are ciphertext in the database.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

import wellbeing.models as wellbeing_models
from tests.access import routes
from tests.factories import UserFactory
from tests.wellbeing.access_rules import RULES
from tests.wellbeing.factories import provider, session
from wellbeing.models import CheckIn, Reflection, SupervisionNote, SupportSession

pytestmark = pytest.mark.django_db

REFLECTION = "reflection-secret-7731"
CHECK_IN_NOTE = "check-in-secret-4410"
SUPERVISION_NOTE = "supervision-secret-9052"
WELLBEING_ROUTES = [r for r in routes() if r.name.startswith("wellbeing:")]


@pytest.fixture
def secrets(world):
    supervisor = provider(world.supervisor)
    past = timezone.now() - timedelta(days=1)
    supervision = session(
        world.project, [world.peer], booked_by=world.coordinator, provider=supervisor, starts_at=past, status="attended"
    )
    SupervisionNote.objects.create(session=supervision, author=world.supervisor, text=SUPERVISION_NOTE)
    therapy = session(
        world.project,
        [world.peer],
        booked_by=world.coordinator,
        kind="psychotherapy",
        provider=provider(kind="psychotherapist", name="Therapist"),
    )
    Reflection.objects.create(project=world.project, author=world.peer, text=REFLECTION)
    check_in = CheckIn.objects.create(
        project=world.project,
        person=world.peer,
        completed_at=timezone.now(),
        score=7,
        wants_to_talk=True,
        private_note=CHECK_IN_NOTE,
        alert_raised_at=timezone.now(),
    )
    return {"supervision": supervision, "therapy": therapy, "check_in": check_in}


def get_pages(world, secrets):
    """Every GET page of the support area for this world, plus the dashboard and audit log."""
    pages = [
        reverse("coproduction:dashboard", kwargs={"slug": world.project.slug}),
        reverse("coproduction:audit", kwargs={"slug": world.project.slug}),
    ]
    for route in WELLBEING_ROUTES:
        kwargs = {"slug": world.project.slug}
        if "pk" in route.keys:
            if "session" not in route.name:
                continue
            kwargs["pk"] = secrets["supervision"].pk
        if route.name in {"wellbeing:session_cancel", "wellbeing:session_attendance", "wellbeing:training_module_new"}:
            continue
        pages.append(reverse(route.name, kwargs=kwargs))
    pages.append(reverse("wellbeing:session_detail", kwargs={"slug": world.project.slug, "pk": secrets["therapy"].pk}))
    return pages


@pytest.mark.parametrize("route", WELLBEING_ROUTES, ids=lambda r: r.name)
def test_analysts_are_refused_every_support_page(route, world, client):
    case = RULES[route.name](world) if route.name in RULES else None
    kwargs = {"slug": world.project.slug, **(case.kwargs if case else {})}
    client.force_login(world.analyst)
    response = getattr(client, case.method if case else "get")(reverse(route.name, kwargs=kwargs), case.data if case else {})
    assert response.status_code == 403


def test_analysts_dashboard_and_navigation_show_nothing_of_support(world, secrets, client_for):
    body = client_for(world.analyst).get(reverse("coproduction:dashboard", kwargs={"slug": world.project.slug})).content.decode()
    for text in ["Support", "Asked for support", "supervision", "Check-in", "reflection", str(world.peer)]:
        assert text.lower() not in body.lower(), text


def test_coordinators_never_read_notes_scores_or_reflections(world, secrets, client_for):
    client = client_for(world.coordinator)
    for page in get_pages(world, secrets):
        response = client.get(page)
        assert response.status_code in (200, 403, 404), page  # .ics: attended sessions have none
        body = response.content.decode(errors="replace")
        for secret in [REFLECTION, CHECK_IN_NOTE, SUPERVISION_NOTE]:
            assert secret not in body, f"{secret} on {page}"
    # The coordinator learns that the person asked for support, not the score.
    dashboard = client.get(reverse("coproduction:dashboard", kwargs={"slug": world.project.slug})).content.decode()
    assert "Asked for support" in dashboard and not re.search(r"\bscore\b", dashboard, re.I)


def test_coordinators_see_that_psychotherapy_is_booked_and_nothing_else(world, secrets, client_for):
    url = reverse("wellbeing:session_detail", kwargs={"slug": world.project.slug, "pk": secrets["therapy"].pk})
    body = client_for(world.coordinator).get(url).content.decode()
    assert "Psychotherapy" in body and "Booked" in body
    assert "notes" not in body.lower()


def test_a_supervisor_sees_only_their_sessions(world, secrets, client_for):
    client = client_for(world.supervisor)
    listing = client.get(reverse("wellbeing:session_list", kwargs={"slug": world.project.slug})).content.decode()
    assert "1 session" in listing and "Psychotherapy" not in listing
    therapy = reverse("wellbeing:session_detail", kwargs={"slug": world.project.slug, "pk": secrets["therapy"].pk})
    assert client.get(therapy).status_code == 404
    own = reverse("wellbeing:session_detail", kwargs={"slug": world.project.slug, "pk": secrets["supervision"].pk})
    assert SUPERVISION_NOTE in client.get(own).content.decode()
    for page in get_pages(world, secrets):
        body = client.get(page).content.decode(errors="replace")
        assert REFLECTION not in body and CHECK_IN_NOTE not in body


def test_another_supervisor_in_the_project_sees_none_of_them(world, secrets, client_for):
    from tests.factories import member

    other = member(world.project, "supervisor")
    provider(other, name="Other supervisor")
    client = client_for(other)
    listing = client.get(reverse("wellbeing:session_list", kwargs={"slug": world.project.slug})).content.decode()
    assert "0 sessions" in listing
    own = reverse("wellbeing:session_detail", kwargs={"slug": world.project.slug, "pk": secrets["supervision"].pk})
    assert client.get(own).status_code == 404


def test_another_peer_researcher_sees_none_of_it(world, secrets, client_for):
    client = client_for(world.second_peer)
    for page in get_pages(world, secrets):
        response = client.get(page)
        body = response.content.decode(errors="replace")
        for secret in [REFLECTION, CHECK_IN_NOTE, SUPERVISION_NOTE]:
            assert secret not in body
    own = reverse("wellbeing:session_detail", kwargs={"slug": world.project.slug, "pk": secrets["supervision"].pk})
    assert client.get(own).status_code == 404


def test_the_admin_never_shows_encrypted_content(world, secrets, client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    pages = [reverse("admin:index")]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        body = response.content.decode(errors="replace")
        for secret in [REFLECTION, CHECK_IN_NOTE, SUPERVISION_NOTE]:
            assert secret not in body
        assert "private_note" not in body and 'name="score"' not in body
    # Nothing about a person's support is in the admin: not even who has sessions or asked for help.
    for model in ["reflection", "supervisionnote", "checkin", "supportsession", "sessionrequest"]:
        with pytest.raises(NoReverseMatch):
            reverse(f"admin:wellbeing_{model}_changelist")


def test_encrypted_fields_are_ciphertext_in_the_database(world, secrets):
    with connection.cursor() as cursor:
        for table, column in [
            ("wellbeing_reflection", "text"),
            ("wellbeing_checkin", "private_note"),
            ("wellbeing_supervisionnote", "text"),
        ]:
            cursor.execute(f"SELECT {column} FROM {table}")  # noqa: S608 - fixed names
            for (stored,) in cursor.fetchall():
                assert stored and "secret" not in stored


# What each model may hold as free text. Anything new must be added here on purpose.
FREE_TEXT = {
    "Provider": {"name", "kind", "contact"},
    "TrainingModule": {"name", "description"},
    "SupportSession": {"kind", "location", "status"},
    "SupervisionNote": {"text"},  # encrypted; reflective supervision only, never psychotherapy
    "SessionRequest": {"kind", "preferred_times"},
    "CheckIn": {"private_note"},  # encrypted, its author's
    "Reflection": {"text"},  # encrypted, its author's
}


def test_there_is_no_field_for_psychotherapy_content():
    found = {}
    for model in [m for m in vars(wellbeing_models).values() if isinstance(m, type) and issubclass(m, models.Model)]:
        if model._meta.app_label != "wellbeing":
            continue
        text = {f.name for f in model._meta.get_fields() if isinstance(f, models.CharField | models.TextField)}
        if text:
            found[model.__name__] = text
    assert found == FREE_TEXT
    assert {f.name for f in SupportSession._meta.get_fields()} >= {
        "kind",
        "provider",
        "attendees",
        "starts_at",
        "ends_at",
        "status",
    }


def test_a_psychotherapy_session_cannot_carry_notes(world, secrets, client_for):
    url = reverse("wellbeing:session_notes", kwargs={"slug": world.project.slug, "pk": secrets["therapy"].pk})
    assert client_for(world.supervisor).post(url, {"text": "anything"}).status_code == 404
    assert not SupervisionNote.objects.filter(session=secrets["therapy"]).exists()


def test_core_and_analysis_code_cannot_reach_wellbeing():
    import coproduction

    for path in Path(coproduction.__file__).parent.rglob("*.py"):
        assert not re.search(r"^\s*(from|import)\s+wellbeing", path.read_text(), re.M), path


def test_every_support_admin_page_opens_for_operations(world, secrets, client):
    from wellbeing.models import Provider, SupportPolicy, TrainingCompletion, TrainingModule

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    SupportPolicy.for_project(world.project)
    TrainingCompletion.objects.create(
        user=world.peer, module=TrainingModule.objects.first(), completed_on="2026-01-01", recorded_by=world.coordinator
    )
    for model in [Provider, SupportPolicy, TrainingCompletion, TrainingModule]:
        name = model._meta.model_name
        assert client.get(reverse(f"admin:wellbeing_{name}_changelist")).status_code == 200
        obj = model.objects.first()
        assert client.get(reverse(f"admin:wellbeing_{name}_change", args=[obj.pk])).status_code == 200
