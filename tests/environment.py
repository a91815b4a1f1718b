"""Environment for the test suite, set before Django reads its settings.

Tests run with DEBUG off (as in production) but over plain HTTP. DATABASE_URL and REDIS_URL
pass through: CI points them at the real PostgreSQL and Redis.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduction.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789")
# A fixed Fernet key for the tests only.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "dGVzdC1vbmx5LWZpZWxkLWtleS1ub3QtZm9yLXVzZSE=")
os.environ.setdefault("SECURE", "false")
os.environ.setdefault("STATIC_MANIFEST", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("QUICK_EXIT_URL", "http://127.0.0.1:9/elsewhere")
