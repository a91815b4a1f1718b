"""System checks for what settings.py cannot refuse at import time without locking operators out."""

from django.conf import settings
from django.core import checks

from coproduction.encryption import GENERATE_KEY_COMMAND, key_problems


@checks.register(checks.Tags.security)
def field_encryption_keys(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A malformed key (an old-scheme salt left in place, say) or, in production, no key at all.

    Encryption refuses to run either way; this says so before the first page does.
    """
    keys = list(settings.FIELD_ENCRYPTION_KEYS)
    found = [
        checks.Warning(problem, hint=f"Generate a key with: {GENERATE_KEY_COMMAND}", id="coproduction.W001")
        for problem in key_problems(keys)
    ]
    if not keys and not settings.DEBUG:
        found.append(
            checks.Warning(
                "FIELD_ENCRYPTION_KEYS is empty: nothing encrypted can be written or read.",
                hint=f"Generate a key with: {GENERATE_KEY_COMMAND}",
                id="coproduction.W002",
            )
        )
    return found
