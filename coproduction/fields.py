"""Encrypted model fields: text, char and email, on `coproduction.encryption`'s keys.

Values are encrypted on the way to the database and decrypted once, as a row is read
(`from_db_value`); `to_python` and `clean` never decrypt, so a form cleaned in one thread
cannot change what another thread reads. Every column is `text` (a token is longer than the
plain value); `max_length` still limits the plain value.

A value no key opens becomes an `Unopened` marker in the instance. Reading the attribute
raises `CannotOpen`; saving the instance raises too, so ciphertext is never encrypted again.
Assigning a new value (erasing contact details, say) replaces the marker and saves normally.
"""

from typing import Any

from django.db import models
from django.db.models.query_utils import DeferredAttribute

from coproduction.encryption import InvalidToken, Unopened, decrypt, encrypt


class EncryptedAttribute(DeferredAttribute):
    """Raises when the value read is an `Unopened` marker. A data descriptor (it has __set__),
    so it is consulted even when the value sits in the instance's __dict__."""

    def __get__(self, instance, cls=None):
        value = super().__get__(instance, cls)
        if instance is not None and isinstance(value, Unopened):
            raise value.error(instance.pk)
        return value

    def __set__(self, instance, value) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedFieldMixin:
    descriptor_class = EncryptedAttribute

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(self, value: Any, expression, connection) -> Any:
        if value is None or value == "":
            return value
        try:
            return decrypt(value)
        except InvalidToken:
            return Unopened(self.model._meta.label, self.name)

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, Unopened):
            raise value.error()
        value = super().get_prep_value(value)
        if value is None or value == "":
            # As the library this replaced stored it: an empty optional value is NULL.
            return None if self.null else ""
        return encrypt(str(value))


class EncryptedTextField(EncryptedFieldMixin, models.TextField):
    pass


class EncryptedCharField(EncryptedFieldMixin, models.CharField):
    pass


class EncryptedEmailField(EncryptedFieldMixin, models.EmailField):
    pass
