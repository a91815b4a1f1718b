"""Rewriting stored encrypted values in place: key rotation, and the move off the old scheme.

Both read the stored tokens with SQL (never through the field, which stands a marker in for a
value it cannot open) and write the new tokens back with SQL, so no model's `save()` rules run
and no timestamp moves. Rows go in batches of `BATCH`, each batch one transaction with its rows
locked, so a run that stops between batches (SIGTERM, a crash) has lost nothing and running it
again carries on. A value that opens with none of the keys stops the run: its batch is rolled
back and the error names the model, field and row (never the text, never the token).
"""

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.fernet import InvalidToken
from django.apps import apps as global_apps
from django.db import connection as default_connection
from django.db import transaction

from coproduction import encryption, legacy_encryption

logger = logging.getLogger(__name__)

BATCH = 500

# token -> the token to store instead, or None to leave it as it is; raises InvalidToken.
Rewrite = Callable[[str], str | None]


class Unreadable(Exception):
    def __init__(self, rows: list[tuple[str, str, object]]) -> None:
        self.rows = rows
        listed = ", ".join(f"{label}.{name} row {pk}" for label, name, pk in rows[:20])
        more = f" and {len(rows) - 20} more" if len(rows) > 20 else ""
        super().__init__(f"{len(rows)} stored value(s) open with none of the keys: {listed}{more}.")


@dataclass
class Report:
    rewritten: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    empty: Counter = field(default_factory=Counter)
    unreadable: list = field(default_factory=list)
    stopped: bool = False

    def lines(self) -> list[str]:
        names = sorted(set(self.rewritten) | set(self.unchanged) | set(self.empty))
        return [
            f"{name}: {self.rewritten[name]} re-encrypted, {self.unchanged[name]} left as they were, {self.empty[name]} empty"
            for name in names
        ]

    @property
    def total_rewritten(self) -> int:
        return sum(self.rewritten.values())


def fields_by_model(app_registry=global_apps) -> dict:
    found: dict = {}
    for model_field in encryption.encrypted_fields(app_registry):
        found.setdefault(model_field.model, []).append(model_field)
    return found


def rewrite_stored_values(
    rewrite: Rewrite,
    *,
    app_registry=global_apps,
    connection=default_connection,
    write: bool = True,
    should_stop: Callable[[], bool] = lambda: False,
) -> Report:
    """Apply `rewrite` to every stored encrypted value.

    With write=False nothing is written and every value no key opens is listed in the report;
    with write=True the first batch holding one raises `Unreadable` and is rolled back.
    """
    report = Report()
    quote = connection.ops.quote_name
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    for model, model_fields in fields_by_model(app_registry).items():
        table = quote(model._meta.db_table)
        pk_column = quote(model._meta.pk.column)
        columns = ", ".join(quote(f.column) for f in model_fields)
        after = None
        while not report.stopped:
            if should_stop():
                report.stopped = True
                break
            where = f" WHERE {pk_column} > %s" if after is not None else ""
            # Identifiers come from the model, quoted by the backend; values are parameters.
            select = f"SELECT {pk_column}, {columns} FROM {table}{where} ORDER BY {pk_column} LIMIT %s{lock}"  # noqa: S608
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                cursor.execute(select, ([after] if after is not None else []) + [BATCH])
                rows = cursor.fetchall()
                unreadable = []
                for pk, *stored in rows:
                    changes = {}
                    for model_field, token in zip(model_fields, stored, strict=True):
                        name = f"{model._meta.label}.{model_field.name}"
                        if not token:
                            report.empty[name] += 1
                            continue
                        try:
                            new_token = rewrite(token)
                        except InvalidToken:
                            unreadable.append((model._meta.label, model_field.name, pk))
                            continue
                        if new_token is None:
                            report.unchanged[name] += 1
                        else:
                            changes[model_field.column] = new_token
                            report.rewritten[name] += 1
                    if changes and write and not unreadable:
                        assignments = ", ".join(f"{quote(column)} = %s" for column in changes)
                        update = f"UPDATE {table} SET {assignments} WHERE {pk_column} = %s"  # noqa: S608
                        cursor.execute(update, [*changes.values(), pk])
                if unreadable:
                    report.unreadable.extend(unreadable)
                    if write:
                        for label, name, pk in unreadable:
                            logger.error("Encrypted value cannot be opened: %s.%s row %s", label, name, pk)
                        raise Unreadable(unreadable)
            if len(rows) < BATCH:
                break
            after = rows[-1][0]
    return report


def rotate(token: str) -> str:
    """Decrypt with any configured key, encrypt with the first."""
    return encryption.field_fernet().rotate(token.encode()).decode()


class Scheme:
    """How a scheme opens a stored token and seals a text into one."""

    def __init__(self, open_: Callable[[str], str], seal: Callable[[str], str]) -> None:
        self.open = open_
        self.seal = seal


def current_scheme() -> Scheme:
    return Scheme(encryption.decrypt, encryption.encrypt)


def legacy_scheme() -> Scheme:
    """The old library's scheme from SECRET_KEY(+FALLBACKS) and LEGACY_FIELD_ENCRYPTION_KEYS.

    Without legacy keys it opens nothing, so old-scheme values are reported as unreadable.
    """

    def fernet():
        fernet = legacy_encryption.configured_legacy_fernet()
        if fernet is None:
            raise InvalidToken
        return fernet

    return Scheme(
        lambda token: legacy_encryption.decrypt(token, fernet()),
        lambda text: legacy_encryption.encrypt(text, fernet()),
    )


def moving(source: Scheme, target: Scheme) -> Rewrite:
    """Values the target already opens are left alone (so a second run changes nothing);
    values the source opens are sealed by the target; anything else raises InvalidToken."""

    def rewrite(token: str) -> str | None:
        try:
            target.open(token)
            return None
        except InvalidToken:
            return target.seal(source.open(token))

    return rewrite


def move_between_schemes(
    source: Scheme, target: Scheme, *, app_registry=global_apps, connection=default_connection, say=print
) -> Report:
    """Check every value first and refuse (`Unreadable`, nothing written) if any opens under
    neither scheme; then rewrite in batches. Reports counts per field through `say`."""
    rewrite = moving(source, target)
    check = rewrite_stored_values(rewrite, app_registry=app_registry, connection=connection, write=False)
    if check.unreadable:
        raise Unreadable(check.unreadable)
    report = rewrite_stored_values(rewrite, app_registry=app_registry, connection=connection, write=True)
    if report.lines():
        for line in report.lines():
            say(line)
        say(f"{report.total_rewritten} value(s) re-encrypted.")
    return report
