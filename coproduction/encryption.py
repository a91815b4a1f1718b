"""Encryption at rest: Fernet keys of their own, failing closed.

`FIELD_ENCRYPTION_KEYS` holds real Fernet keys (32 url-safe base64 bytes each). The first
encrypts; every one of them decrypts (`MultiFernet`). They have nothing to do with
`SECRET_KEY`: rotating that changes nothing here. Losing every key that opens a value loses
the value: there is no other way back to it.

The keys are turned into one `MultiFernet` once per process (per list of keys, so a test
that changes the setting gets its own), and nothing about a value is ever kept on a field,
so threads share the fields safely.

A stored value that no key opens is never handed on as text: the field leaves an `Unopened`
marker in the instance, and reading the attribute raises `CannotOpen`, logged with the model,
field and row id (never the text, never the ciphertext). Pages show "cannot be opened"
(`coproduction.middleware.CannotOpenPage`).
"""

import functools
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps as global_apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

GENERATE_KEY_COMMAND = 'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'

__all__ = ["CannotOpen", "InvalidToken", "Unopened", "decrypt", "encrypt", "encrypted_fields", "field_fernet"]


class CannotOpen(Exception):
    """A stored value opens with none of FIELD_ENCRYPTION_KEYS. Names the row, never its content."""

    def __init__(self, label: str, field: str, pk: object) -> None:
        self.label = label
        self.field = field
        self.pk = pk
        super().__init__(f"{label}.{field} of row {pk} opens with none of FIELD_ENCRYPTION_KEYS.")


class Unopened:
    """Stands in a model instance for a stored value no key opens. It holds nothing of the value.

    Reading the field through the instance raises `CannotOpen`; anything that tries to use the
    marker itself as text (a `values_list()` result, say) raises too, so it cannot leak out as
    an address, a note or a placeholder string.
    """

    __slots__ = ("label", "field")

    def __init__(self, label: str = "?", field: str = "?") -> None:
        self.label = label
        self.field = field

    def error(self, pk: object = "?") -> CannotOpen:
        logger.error("Encrypted value cannot be opened: %s.%s row %s", self.label, self.field, pk)
        return CannotOpen(self.label, self.field, pk)

    def __repr__(self) -> str:
        return f"<{self.label}.{self.field}: cannot be opened>"

    def __str__(self) -> str:
        raise self.error()

    def __format__(self, spec: str) -> str:
        raise self.error()

    def __bool__(self) -> bool:
        raise self.error()

    def __len__(self) -> int:
        raise self.error()


def key_problems(keys: list[str] | tuple[str, ...]) -> list[str]:
    """What is wrong with a list of keys, by position (a key itself is never repeated back)."""
    problems = []
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            problems.append(f"FIELD_ENCRYPTION_KEYS entry {position} is not a Fernet key (32 url-safe base64 bytes).")
    return problems


@functools.lru_cache(maxsize=8)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS is empty. Generate a key with: {GENERATE_KEY_COMMAND}")
    problems = key_problems(keys)
    if problems:
        raise ImproperlyConfigured(" ".join(problems) + f" Generate a key with: {GENERATE_KEY_COMMAND}")
    return MultiFernet([Fernet(key) for key in keys])


def field_fernet() -> MultiFernet:
    """The process's MultiFernet for the configured keys (built once per list of keys)."""
    return _multi_fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(text: str) -> str:
    return field_fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    """The text inside a token; raises InvalidToken when no configured key opens it."""
    return field_fernet().decrypt(token.encode()).decode()


def encrypted_fields(app_registry=global_apps) -> list:
    """Every encrypted field of every model in the registry (the live one, or a migration's)."""
    from coproduction.fields import EncryptedFieldMixin

    return [
        field
        for model in app_registry.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedFieldMixin)
    ]
