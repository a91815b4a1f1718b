"""Back up the database and the private media folder into one new folder.

    manage.py backup [--output DIR]

Writes, into a folder that must not exist yet (default var/backups/<UTC time>), readable by
its owner only:

- `database.dump`: `pg_dump --format=custom` of the database (PostgreSQL), or
  `database.sqlite3`: a consistent copy through SQLite's backup API;
- `private-media.tar.gz`: PRIVATE_MEDIA_ROOT (export files), paths relative to it;
- `manifest.json`: when, which engine, and each file's size and SHA-256. No content.

Encrypted fields stay ciphertext in the dump; FIELD_ENCRYPTION_KEYS is not in the backup and
must be kept apart from it: a backup restored without its keys has lost every encrypted value.
Export files are in the archive as they are on disk. README ("Backups") gives the restore steps.
"""

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def dump_postgresql(target: Path) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise CommandError("pg_dump was not found: install the PostgreSQL client (postgresql-client).")
    db = connection.settings_dict
    # Connection details travel in the environment, so the password is never on a command line.
    env = {**os.environ, "PGDATABASE": db["NAME"]}
    for variable, key in [("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")]:
        if db.get(key):
            env[variable] = str(db[key])
    result = subprocess.run(  # noqa: S603 - a fixed program and arguments, no shell
        [pg_dump, "--format=custom", "--file", str(target)], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        # pg_dump's messages name objects, not row contents.
        raise CommandError(f"pg_dump failed: {result.stderr.strip()}")


def copy_sqlite(target: Path) -> None:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
    finally:
        copy.close()


def archive_private_media(target: Path) -> None:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    with tarfile.open(target, "w:gz") as archive:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                archive.add(path, arcname=str(path.relative_to(root)), recursive=False)


class Command(BaseCommand):
    help = "Back up the database (pg_dump, or a SQLite copy) and PRIVATE_MEDIA_ROOT into a new folder."

    def stop(self, signum, frame) -> None:
        raise CommandError("Stopped before the backup was finished; nothing was kept.")

    def add_arguments(self, parser):
        parser.add_argument("--output", help="The folder to create (must not exist). Default: var/backups/<UTC time>.")

    def handle(self, *args, output=None, **options):
        started = timezone.now()
        folder = Path(output) if output else Path(settings.VAR_DIR) / "backups" / started.strftime("%Y%m%dT%H%M%SZ")
        if folder.exists():
            raise CommandError(f"{folder} already exists; choose a new folder.")
        if not folder.parent.is_dir():
            folder.parent.mkdir(parents=True, mode=0o700)
        folder.mkdir(mode=0o700)
        old_umask = os.umask(0o077)
        previous_handler = signal.signal(signal.SIGTERM, self.stop)
        try:
            if connection.vendor == "postgresql":
                database = folder / "database.dump"
                dump_postgresql(database)
            elif connection.vendor == "sqlite":
                database = folder / "database.sqlite3"
                copy_sqlite(database)
            else:
                raise CommandError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")
            media = folder / "private-media.tar.gz"
            archive_private_media(media)
            files = {path.name: {"bytes": path.stat().st_size, "sha256": sha256(path)} for path in (database, media)}
            manifest = {"created_at": started.isoformat(), "engine": connection.vendor, "files": files}
            (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        except BaseException:
            # Half a backup looks like a backup: nothing is left behind that could be mistaken for one.
            shutil.rmtree(folder, ignore_errors=True)
            raise
        finally:
            os.umask(old_umask)
            signal.signal(signal.SIGTERM, previous_handler)
        for name, facts in files.items():
            self.stdout.write(f"{folder / name}: {facts['bytes']} bytes")
        self.stdout.write(self.style.SUCCESS(f"Backup written to {folder}. Keep FIELD_ENCRYPTION_KEYS apart from it."))
