"""Voucher codes: how two codes are recognised as the same one without decrypting the stock.

Each code is stored twice: encrypted (`Voucher.code`, to hand over) and as a keyed hash
(`Voucher.code_hash`, unique per project). The hash is HMAC-SHA256 under a key derived from
`SECRET_KEY` for this purpose, over the project's id and the code written plainly (spaces and
hyphens dropped, letters in capitals: "abcd-1234" and "ABCD 1234" are one code). Without the
key, the table of hashes cannot be used to check a guessed code.

After `SECRET_KEY` is rotated (Django's `SECRET_KEY_FALLBACKS` holding the old one), codes
already loaded are still recognised: a new code is compared under every key in use.
"""

import hashlib
import hmac

from django.conf import settings


def plain(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


def _hash(secret: str, project_id: int, code: str) -> str:
    key = hmac.new(secret.encode(), b"common-ground:voucher-code", hashlib.sha256).digest()
    return hmac.new(key, f"{project_id}:{plain(code)}".encode(), hashlib.sha256).hexdigest()


def code_hash(project_id: int, code: str) -> str:
    """The hash stored with a new code (under the current SECRET_KEY)."""
    return _hash(settings.SECRET_KEY, project_id, code)


def code_hashes(project_id: int, code: str) -> list[str]:
    """The code's hash under the current key and each fallback key, for finding it in stock."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [_hash(secret, project_id, code) for secret in secrets]


def ending(code: str) -> str:
    """How a report names a code: its last four characters only (a code is money to whoever
    reads it, and these pages may be overlooked)."""
    return plain(code)[-4:]
