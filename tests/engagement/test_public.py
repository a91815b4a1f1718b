"""The public sessions page and the request form: no sign-in, no cookie, nothing third-party,
the quick exit; CSRF without a cookie; the honeypot; the rate limit; encrypted storage."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from coproduction.models import Event, IndividualSessionRequest, Notification
from tests.engagement.factories import listing_for, make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def public(world):
    listing = listing_for(world.project)
    make_event(world.project, by=world.coordinator, title="Conversation at the hall")
    make_event(world.project, by=world.coordinator, title="Private one-to-one", kind=Event.Kind.INDIVIDUAL)
    make_event(world.project, by=world.coordinator, title="Already happened", starts_in=-timedelta(days=2))
    make_event(world.project, by=world.coordinator, title="Called off", status=Event.Status.CANCELLED)
    return listing


def _url(listing, name="sessions"):
    return reverse(f"engagement_public:{name}", kwargs={"token": listing.token})


def _no_cookies(response):
    assert "Set-Cookie" not in response.headers, response.headers.get("Set-Cookie")
    assert not response.cookies


def _token(client, listing):
    page = client.get(_url(listing, "request")).content.decode()
    return re.search(r'name="form_token" value="([^"]+)"', page).group(1)


def _send(client, listing, **data):
    fields = {"form_token": _token(client, listing), "contact": "07700 900 982", "preferred_time": "Evenings", **data}
    return client.post(_url(listing, "request"), fields, HTTP_ORIGIN="http://testserver")


def test_the_listing_shows_upcoming_group_sessions_only_and_sets_no_cookie(public):
    client = Client()
    response = client.get(_url(public))
    assert response.status_code == 200
    _no_cookies(response)
    page = response.content.decode()
    assert "Conversation at the hall" in page and "Community hall" in page
    assert "Private one-to-one" not in page and "Already happened" not in page and "Called off" not in page
    assert "Exit this page" in page
    # Only the quick exit links away; nothing (script, style, image, font) loads from elsewhere.
    assert not re.search(r'src="(https?:)?//', page) and not re.search(r'<link[^>]+href="(https?:)?//', page)
    assert "no-store" in response["Cache-Control"]


def test_times_are_shown_in_the_project_time_zone(world, client):
    from datetime import datetime

    world.project.time_zone = "America/New_York"
    world.project.save()
    listing = listing_for(world.project)
    event = make_event(world.project, by=world.coordinator, title="Summer evening")
    Event.objects.filter(pk=event.pk).update(starts_at=datetime(2031, 6, 10, 18, 30, tzinfo=world.project.tzinfo))
    page = client.get(_url(listing)).content.decode()
    assert "18:30 to 20:00" in page and "Tuesday 10 June 2031" in page


def test_the_listing_is_at_an_opaque_address_and_a_closed_or_wrong_one_is_a_404(public, world):
    assert world.project.slug not in _url(public)
    client = Client()
    assert client.get(reverse("engagement_public:sessions", kwargs={"token": "guess"})).status_code == 404
    public.active = False
    public.save()
    assert client.get(_url(public)).status_code == 404


def test_a_request_is_accepted_without_any_cookie_and_stored_encrypted(public, world):
    client = Client(enforce_csrf_checks=True)
    form = client.get(_url(public, "request"))
    _no_cookies(form)
    response = _send(client, public, name="Jay", contact="07700 900 982")
    assert response.status_code == 302 and response["Location"] == _url(public, "request_sent")
    _no_cookies(response)
    _no_cookies(client.get(response["Location"]))
    request = IndividualSessionRequest.objects.get()
    assert (request.name, request.contact, request.contact_is_phone) == ("Jay", "+447700900982", True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, contact, preferred_time FROM coproduction_individualsessionrequest")
        stored = " ".join(cursor.fetchone())
    assert "Jay" not in stored and "7700" not in stored and "Evenings" not in stored
    alert = Notification.objects.get(template="session-request")
    assert alert.recipient == world.coordinator


def test_without_the_signed_token_or_from_another_site_nothing_is_stored(public, world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(_url(public, "request"), {"contact": "a@example.org", "preferred_time": "Any"})
    assert response.status_code == 200 and "open for a long time" in response.content.decode()
    assert 'value="a@example.org"' in response.content.decode(), "what was typed is kept"
    forged = {"form_token": _token(client, public), "contact": "a@example.org", "preferred_time": "Any"}
    assert client.post(_url(public, "request"), forged, HTTP_ORIGIN="https://evil.example").status_code == 403
    assert client.post(_url(public, "request"), forged, HTTP_SEC_FETCH_SITE="cross-site").status_code == 403
    other = listing_for(world.other_project)
    assert client.post(_url(other, "request"), forged, HTTP_ORIGIN="http://testserver").status_code == 200
    assert not IndividualSessionRequest.objects.exists()


def test_a_bad_phone_number_keeps_what_was_typed(public):
    response = _send(Client(), public, name="Jay", contact="0770 12", preferred_time="Saturday morning")
    page = response.content.decode()
    assert response.status_code == 200 and "Enter a phone number, like 07700 900 982" in page
    assert 'value="0770 12"' in page and "Saturday morning" in page and 'value="Jay"' in page
    assert not IndividualSessionRequest.objects.exists()


@pytest.mark.parametrize("typed", ["not a number", "0770 12", "name@", "12345"])
def test_contacts_that_are_neither_email_nor_phone_are_refused(public, typed):
    response = _send(Client(), public, contact=typed)
    assert response.status_code == 200 and "error" in response.content.decode()
    assert not IndividualSessionRequest.objects.exists()


def test_the_honeypot_pretends_to_accept_and_stores_nothing(public):
    response = _send(Client(), public, website="http://spam.example")
    assert response.status_code == 302
    assert not IndividualSessionRequest.objects.exists()


def test_a_flood_from_one_address_is_refused_after_the_limit(public, settings):
    settings.ENGAGEMENT_REQUESTS_PER_HOUR = 3
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(3):
        assert _send(client, public).status_code == 302
    refused = _send(client, public, contact="jo@example.org")
    assert refused.status_code == 429 and "Too many requests" in refused.content.decode()
    assert 'value="jo@example.org"' in refused.content.decode()
    assert IndividualSessionRequest.objects.count() == 3
    assert _send(Client(REMOTE_ADDR="198.51.100.4"), public).status_code == 302, "another address is not limited"


def test_requests_are_for_coordinators_only(public, world, client_for):
    _send(Client(), public, name="Jay")
    request = IndividualSessionRequest.objects.get()
    url = reverse("engagement:request", kwargs={"slug": world.project.slug, "pk": request.pk})
    assert "Jay" in client_for(world.coordinator).get(url).content.decode()
    for user in (world.peer, world.analyst, world.supervisor):
        assert client_for(user).get(url).status_code == 403
    client = Client()
    client.force_login(world.outsiders["coordinator"])
    assert client.get(reverse("engagement:request", kwargs={"slug": "elsewhere", "pk": request.pk})).status_code == 404


def test_the_coordinator_switches_the_page_on_off_and_to_a_new_address(world, client_for):
    client = client_for(world.coordinator)
    url = reverse("engagement:public_page", kwargs={"slug": world.project.slug})
    client.post(url, {"action": "open"})
    listing = world.project.public_listing
    old = listing.token
    client.post(url, {"action": "new_address"})
    listing.refresh_from_db()
    assert listing.token != old and Client().get(reverse("engagement_public:sessions", kwargs={"token": old})).status_code == 404
    client.post(url, {"action": "close"})
    assert Client().get(_url(listing)).status_code == 404
