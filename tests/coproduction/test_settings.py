"""Settings come from the environment and refuse bad values by name; production is deploy-clean."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-secret-that-is-long-and-random-7f3a9c1e5b2d8f4a6c0e9b7d5f3a1c8e",
    "FIELD_ENCRYPTION_KEYS": "5aDKAWWYLZhuZMAhRBl0zDpXRQ5c1zQAmfSxvcEZ2KM=,eNdhK6uF0UcZhaVk2wEB5DgJT25eOFp1eeiRrhZtHes=",
    "ALLOWED_HOSTS": "commonground.example.org",
    "SITE_URL": "https://commonground.example.org",
}
# Everything the suite sets for itself is removed, so each case starts from a bare environment.
SUITE_VARIABLES = {
    "SECURE",
    "STATIC_MANIFEST",
    "QUICK_EXIT_URL",
    "DATABASE_URL",
    "REDIS_URL",
    "ALLOWED_HOSTS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def run_django(args: list[str], **env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in SUITE_VARIABLES and k not in PRODUCTION}
    base["DJANGO_SETTINGS_MODULE"] = "coproduction.settings"
    base["VAR_DIR"] = str(ROOT / "var" / "settings-test")
    return subprocess.run([sys.executable, *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=60)


def load_settings(**env) -> subprocess.CompletedProcess:
    return run_django(["-c", "import django; django.setup()"], **env)


def test_production_settings_pass_check_deploy_without_a_warning():
    result = run_django(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_production_settings_turn_on_secure_cookies_and_hsts():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.DEBUG)"
    )
    result = run_django(["-c", code], **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "31536000", "False"]


def test_secret_key_is_required_when_debug_is_off():
    env = {**PRODUCTION, "SECRET_KEY": ""}
    result = load_settings(**env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_field_encryption_keys_are_required_when_debug_is_off():
    result = load_settings(**{**PRODUCTION, "FIELD_ENCRYPTION_KEYS": ""})
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS must be set" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be a boolean"),
        ("SECURE", "sometimes", "SECURE must be a boolean"),
        ("DATABASE_URL", "mysql://db/x", "DATABASE_URL must be a URL starting with one of"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL must be a URL starting with one of"),
        ("SESSION_IDLE_MINUTES", "thirty", "SESSION_IDLE_MINUTES must be a whole number"),
        ("SESSION_IDLE_MINUTES", "1", "SESSION_IDLE_MINUTES must be at least 2"),
        ("QUICK_EXIT_URL", "javascript:alert(1)", "QUICK_EXIT_URL must be a URL starting with one of"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(variable, value, message):
    result = load_settings(**{**PRODUCTION, variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_embedded_defaults_need_no_server():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.CACHES['default']['BACKEND'])"
    )
    result = run_django(["-c", code], DEBUG="true")
    assert result.returncode == 0, result.stderr
    engine, broker, cache = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert broker == "filesystem://"
    assert cache.endswith("LocMemCache")


def test_database_and_redis_urls_switch_to_postgresql_and_redis():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL)"
    )
    result = run_django(
        ["-c", code],
        DEBUG="true",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/somewhere",
        REDIS_URL="redis://127.0.0.1:6379/3",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "redis://127.0.0.1:6379/3"]
