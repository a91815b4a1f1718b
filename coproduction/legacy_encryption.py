"""The scheme of django-fernet-encrypted-fields 0.4.0, kept only to read what it wrote.

That library did not use its "keys" as keys. For every secret in `SECRET_KEY` followed by
`SECRET_KEY_FALLBACKS`, and every entry of the old `FIELD_ENCRYPTION_KEYS` (which it read as
salts, through `SALT_KEY`), it derived a Fernet key with PBKDF2-HMAC-SHA256 (100,000
iterations, 32 bytes, the secret as the password), and the first derived key encrypted.
Empty values were stored as NULL.

Migration `coproduction.0040` re-encrypts such values under the new keys; set
`LEGACY_FIELD_ENCRYPTION_KEYS` to the old `FIELD_ENCRYPTION_KEYS` (and keep `SECRET_KEY` as it
was) for that one migration. `encrypt` exists for tests and for reversing the migration.
"""

import base64
import functools

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from django.conf import settings

ITERATIONS = 100_000


@functools.lru_cache(maxsize=64)
def derive_key(secret: str, salt: str) -> bytes:
    """One derived key; each costs 100,000 PBKDF2 rounds, so each pair is derived once."""
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt.encode(), iterations=ITERATIONS)
    return base64.urlsafe_b64encode(kdf.derive(secret.encode()))


def legacy_fernet(secrets: list[str], salts: list[str]) -> MultiFernet | None:
    """The old scheme's keys for these secrets and salts, in its order; None without salts."""
    keys = [derive_key(secret, salt) for secret in secrets for salt in salts]
    return MultiFernet([Fernet(key) for key in keys]) if keys else None


def configured_legacy_fernet() -> MultiFernet | None:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return legacy_fernet(secrets, list(getattr(settings, "LEGACY_FIELD_ENCRYPTION_KEYS", [])))


def encrypt(text: str, fernet: MultiFernet) -> str:
    return fernet.encrypt(text.encode()).decode()


def decrypt(token: str, fernet: MultiFernet) -> str:
    """The text inside an old-scheme token; raises InvalidToken when no derived key opens it."""
    return fernet.decrypt(token.encode()).decode()
