"""Sign-in while the shared cache (Redis) cannot be reached: no 500, and the rate limits hold
(coproduction.cache falls back to the database cache). No Redis server is needed: the cache
points at a port where nothing listens, which is what a stopped Redis looks like."""

import logging

import pytest
from django.core.cache import cache
from django.urls import reverse

from coproduction import cache as shared_cache
from coproduction.models import FallbackCacheEntry, Role
from tests.factories import member
from tests.reminders.test_reliability import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down(settings, monkeypatch):
    """The default cache on a Redis nobody answers; the database cache behind it."""
    monkeypatch.setattr(shared_cache._Outage, "retry_at", None)
    settings.CACHES = {
        "default": {
            "BACKEND": "coproduction.cache.RedisWithDatabaseFallback",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "FALLBACK": "fallback",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
        "fallback": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cache_fallback"},
    }


def sign_in(client, user, password):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


def test_sign_in_works_while_redis_is_down(redis_down, client, project, password):
    peer = member(project, Role.PEER_RESEARCHER)
    response = sign_in(client, peer, password)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(peer.pk)
    assert client.get(reverse("coproduction:dashboard", args=[project.slug])).status_code == 200


def test_failed_sign_ins_are_still_limited_while_redis_is_down(redis_down, client, project, password, caplog):
    peer = member(project, Role.PEER_RESEARCHER)
    with caplog.at_level(logging.WARNING, logger="coproduction.cache"):
        for _ in range(5):
            assert sign_in(client, peer, "wrong-password-x").status_code == 200
        response = sign_in(client, peer, password)
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert FallbackCacheEntry.objects.exists()  # the limit was counted in the database
    warnings = [r for r in caplog.records if r.name == "coproduction.cache"]
    assert len(warnings) == 1  # once per outage, not once per call
    assert peer.email not in caplog.text and "127.0.0.1" not in warnings[0].getMessage()


def test_password_reset_works_while_redis_is_down(redis_down, client, project):
    peer = member(project, Role.PEER_RESEARCHER)
    response = client.post(reverse("account_reset_password"), {"email": peer.email})
    assert response.status_code == 302
    for _ in range(5):  # reset_password is limited per address too: it still is
        client.post(reverse("account_reset_password"), {"email": peer.email})
    response = client.post(reverse("account_reset_password"), {"email": peer.email})
    assert response.status_code == 429


def test_redis_is_used_again_once_it_answers(redis_down, settings, monkeypatch):
    cache.set("k", 1)
    assert shared_cache._Outage.retry_at is not None
    # Later, the same process reaches Redis again (here: a working cache behind the wrapper).
    monkeypatch.setattr(shared_cache._Outage, "retry_at", 0.0)
    monkeypatch.setattr(shared_cache.RedisCache, "get", lambda self, key, default=None, version=None: "from redis")
    assert cache.get("k") == "from redis"
    assert shared_cache._Outage.retry_at is None
