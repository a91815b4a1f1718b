"""Backups restore: `manage.py backup`, then the README's restore steps into a new database.

The drill runs on PostgreSQL (pg_dump / pg_restore, as in production): every encrypted field
opens in the restored database, audit rows are intact (and still append-only), export files
are present for the jobs that have one and cleanly absent for the rest.
"""

import json
import shutil
import sqlite3
import subprocess
import tarfile
import uuid

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from coproduction.audit import record
from coproduction.encryption import decrypt
from coproduction.models import AuditEvent, ExportJob
from tests.encrypted_records import every_encrypted_value

pytestmark = pytest.mark.django_db(transaction=True)

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="The restore drill uses pg_dump and pg_restore: run it with DATABASE_URL pointing at PostgreSQL.",
)


@pytest.fixture
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    (settings.PRIVATE_MEDIA_ROOT / "exports").mkdir(parents=True)
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def populated(world, private_media):
    values = every_encrypted_value(world)
    record(world.coordinator, "notes.released", world.project, project=world.project)
    record(world.analyst, "export.downloaded", world.project, project=world.project)
    kept = ExportJob.objects.create(
        project=world.project, requested_by=world.analyst, format="csv", status="done", file_name="x.csv"
    )
    kept.file_name = f"{kept.pk}-{world.project.slug}.csv"
    kept.save(update_fields=["file_name"])
    (private_media / "exports" / kept.file_name).write_bytes(b"theme,count\nSafety,<10\n")
    # A job whose file was never made (it failed) has no file to restore.
    ExportJob.objects.create(project=world.project, requested_by=world.analyst, format="pdf", status="failed")
    return values


def connect(name: str) -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=name,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    )


@pytest.fixture
def new_database():
    """A database of its own for this test, dropped afterwards."""
    name = f"cg_restore_{uuid.uuid4().hex[:12]}"
    with connect("postgres") as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with connect("postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def audit_rows(cursor) -> list[tuple]:
    cursor.execute("SELECT * FROM coproduction_auditevent ORDER BY id")
    return cursor.fetchall()


@needs_postgresql
def test_restore_drill(populated, new_database, private_media, tmp_path):
    backup = tmp_path / "backup"
    call_command("backup", output=str(backup), stdout=open("/dev/null", "w"))  # noqa: SIM115
    manifest = json.loads((backup / "manifest.json").read_text())
    assert set(manifest["files"]) == {"database.dump", "private-media.tar.gz"}
    assert oct(backup.stat().st_mode & 0o777) == "0o700"

    # The README's restore steps.
    settings = connection.settings_dict
    restore = subprocess.run(
        [
            shutil.which("pg_restore"),
            "--no-owner",
            "--exit-on-error",
            "--dbname",
            new_database,
            "--host",
            settings["HOST"] or "localhost",
            "--port",
            str(settings["PORT"] or 5432),
            "--username",
            settings["USER"] or "postgres",
            str(backup / "database.dump"),
        ],
        capture_output=True,
        text=True,
        env={"PGPASSWORD": settings["PASSWORD"] or "", "PATH": "/usr/bin:/bin"},
    )
    assert restore.returncode == 0, restore.stderr
    restored_media = tmp_path / "restored-private"
    restored_media.mkdir()
    with tarfile.open(backup / "private-media.tar.gz") as archive:
        archive.extractall(restored_media, filter="data")

    with connect(new_database) as restored, connection.cursor() as original:
        cursor = restored.cursor()
        # Every encrypted field opens with the same keys, and says what was written.
        for value in populated:
            table, column, pk_column = value.model._meta.db_table, value.column, value.model._meta.pk.column
            cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE "{pk_column}" = %s', [value.pk])
            (token,) = cursor.fetchone()
            assert value.text in decrypt(token), value.label
        # Audit rows are intact, one for one, and the database still refuses to change them.
        assert audit_rows(cursor) == audit_rows(original)
        assert len(audit_rows(cursor)) == AuditEvent.objects.count() >= 2
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            cursor.execute("DELETE FROM coproduction_auditevent")
        # Export files: present for a job that has one, byte for byte; nothing for a job without.
        cursor.execute("SELECT status, file_name FROM coproduction_exportjob ORDER BY id")
        jobs = cursor.fetchall()
    assert [status for status, _ in jobs] == ["done", "failed"]
    for status, file_name in jobs:
        if file_name:
            assert (restored_media / "exports" / file_name).read_bytes() == (private_media / "exports" / file_name).read_bytes()
        else:
            assert status == "failed"
    assert sorted(p.name for p in (restored_media / "exports").iterdir()) == [jobs[0][1]]


def test_backup_on_sqlite_is_a_consistent_copy(populated, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("The SQLite copy is for development databases; PostgreSQL runs the restore drill.")
    backup = tmp_path / "backup"
    call_command("backup", output=str(backup), stdout=open("/dev/null", "w"))  # noqa: SIM115
    with sqlite3.connect(backup / "database.sqlite3") as copy:
        for value in populated:
            table, column, pk_column = value.model._meta.db_table, value.column, value.model._meta.pk.column
            (token,) = copy.execute(f'SELECT "{column}" FROM "{table}" WHERE "{pk_column}" = ?', [value.pk]).fetchone()
            assert value.text in decrypt(token), value.label
    with tarfile.open(backup / "private-media.tar.gz") as archive:
        assert any(name.startswith("exports/") and name.endswith(".csv") for name in archive.getnames())


def test_backup_refuses_a_folder_that_exists(db, tmp_path, private_media):
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", output=str(tmp_path))


def test_a_backup_that_fails_leaves_no_folder_behind(db, tmp_path, private_media, monkeypatch):
    from coproduction.management.commands import backup as command

    def broken(target):
        raise CommandError("pg_dump failed: could not connect")

    monkeypatch.setattr(command, "dump_postgresql", broken)
    monkeypatch.setattr(command, "copy_sqlite", broken)
    with pytest.raises(CommandError, match="could not connect"):
        call_command("backup", output=str(tmp_path / "backup"))
    assert not (tmp_path / "backup").exists()
