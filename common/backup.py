"""Backups of the whole portal (database and private files) and their restore.

One archive (a gzipped tar) holds:

- ``manifest.json``: the format, when and from what it was made, and the
  SHA-256 of every other member;
- ``database.dump`` (PostgreSQL, ``pg_dump`` custom format) or
  ``database.sqlite3`` (SQLite, made with its online backup API, so a running
  portal is copied consistently without stopping it);
- ``files/<name>``: every private file, read through the storage API, so the
  same code copies a folder or an S3-compatible bucket.

A restore checks every checksum before it touches anything, then loads into an
empty database and an empty private store only (``force`` lifts that). It
knows no app: the archive is the whole portal, whatever the apps hold.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from django.core.files.base import File
from django.core.files.storage import Storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from common.files import private_storage

FORMAT = "escaportal-backup/1"
MANIFEST = "manifest.json"
FILES_PREFIX = "files/"
DUMP_NAMES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup or the restore cannot go on; the message says why."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    files: int
    database_bytes: int


# --- Walking and hashing ---------------------------------------------------------------------------


def storage_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name in ``storage``, depth first, in a stable order."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from storage_names(storage, f"{folder}/{sub}" if folder else sub)


def sha256_of(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


def _pg_environment(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """The connection arguments of ``pg_dump``/``pg_restore``, the password in the environment only."""
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} is not installed (the PostgreSQL client tools are needed)") from exc
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


# --- Backup -------------------------------------------------------------------------------------


def database_dump(connection: BaseDatabaseWrapper, target: Path) -> None:
    """Write the database of ``connection`` to ``target``, consistently, while the portal runs."""
    if connection.vendor == "postgresql":
        args, env = _pg_environment(connection.settings_dict)
        # --no-owner: the restore's own user owns what it creates, whatever it is called there.
        _run(
            [
                *("pg_dump", *args, "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"),
                str(connection.settings_dict["NAME"]),
            ],
            env,
        )
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
    else:
        raise BackupError(f"no backup for a {connection.vendor} database")


def backup_create(
    *, folder: Path, storage: Storage = private_storage, using: str = DEFAULT_DB_ALIAS, now: datetime | None = None
) -> BackupResult:
    """Write one archive of the database and the private files into ``folder``; return it.

    The archive is written under a temporary name and renamed when complete,
    so a backup killed halfway never looks like a finished one. Changes
    nothing in the portal (no history row: it only reads).
    """
    connection = connections[using]
    stamp = (now or timezone.now()).strftime("%Y%m%dT%H%M%SZ")
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"escaportal-{stamp}.tar.gz"
    partial = folder / f".{final.name}.partial"
    checksums: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as scratch, tarfile.open(partial, "w:gz") as archive:
        dump_name = DUMP_NAMES.get(connection.vendor, "database")
        dump = Path(scratch) / dump_name
        database_dump(connection, dump)
        with dump.open("rb") as stream:
            checksums[dump_name] = sha256_of(stream)
        archive.add(dump, arcname=dump_name)
        names = list(storage_names(storage))
        for name in names:
            checksums[FILES_PREFIX + name] = _add_stored_file(archive, storage, name)
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database": {"vendor": connection.vendor, "member": dump_name},
            "sha256": checksums,
        }
        _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode())
        database_bytes = dump.stat().st_size
    partial.rename(final)
    return BackupResult(path=final, files=len(names), database_bytes=database_bytes)


def _add_stored_file(archive: tarfile.TarFile, storage: Storage, name: str) -> str:
    # Spooled to disk past a few MB: a file is read from the store once, hashed and archived.
    with storage.open(name, "rb") as source, tempfile.SpooledTemporaryFile(8 * CHUNK) as copy:
        digest = hashlib.sha256()
        for chunk in iter(lambda: source.read(CHUNK), b""):
            digest.update(chunk)
            copy.write(chunk)
        info = tarfile.TarInfo(FILES_PREFIX + name)
        info.size = copy.tell()
        info.mtime = int(timezone.now().timestamp())
        copy.seek(0)
        archive.addfile(info, copy)
    return digest.hexdigest()


def _add_bytes(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(content))


def backups_prune(*, folder: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest finished archives in ``folder``; return the deleted."""
    archives = sorted(folder.glob("escaportal-*.tar.gz"))
    doomed = archives[:-keep] if keep > 0 else archives
    for path in doomed:
        path.unlink()
    return doomed


# --- Restore ------------------------------------------------------------------------------------


def archive_verify(path: Path, scratch: Path) -> dict[str, Any]:
    """Unpack ``path`` into ``scratch`` and check every member against the manifest; return the manifest.

    Raises ``BackupError`` for a missing, extra, altered or unsafe member.
    """
    try:
        with tarfile.open(path, "r:gz") as archive:
            # The "data" filter refuses absolute paths, "..", links out and devices.
            archive.extractall(scratch, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{path} is not a readable backup archive: {exc}") from exc
    try:
        manifest: dict[str, Any] = json.loads((scratch / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{path} has no readable {MANIFEST}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a {FORMAT} archive")
    expected: dict[str, str] = manifest["sha256"]
    found = {p.relative_to(scratch).as_posix() for p in scratch.rglob("*") if p.is_file()} - {MANIFEST}
    if found != set(expected):
        raise BackupError(f"members differ from the manifest: {sorted(found ^ set(expected))}")
    for member, checksum in expected.items():
        with (scratch / member).open("rb") as stream:
            if sha256_of(stream) != checksum:
                raise BackupError(f"{member} does not match its checksum: the archive is damaged")
    return manifest


def database_is_empty(connection: BaseDatabaseWrapper) -> bool:
    """True when the database has no tables at all (a fresh one, never migrated)."""
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def storage_is_empty(storage: Storage) -> bool:
    return next(storage_names(storage), None) is None


def backup_restore(
    *, path: Path, storage: Storage = private_storage, using: str = DEFAULT_DB_ALIAS, force: bool = False
) -> dict[str, Any]:
    """Load the archive at ``path`` into the database ``using`` and the private store; return its manifest.

    Refuses a database with tables or a store with files unless ``force``
    (then both are replaced). Every checksum is verified before anything is
    written, and every file again after it is written.
    """
    connection = connections[using]
    if not force and not database_is_empty(connection):
        raise BackupError("the database is not empty; restore into a new one, or pass --force to replace it")
    if not force and not storage_is_empty(storage):
        raise BackupError("the private files folder is not empty; restore into a new one, or pass --force")
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        manifest = archive_verify(path, scratch)
        vendor = manifest["database"]["vendor"]
        if vendor != connection.vendor:
            raise BackupError(f"the archive holds a {vendor} database; this portal uses {connection.vendor}")
        database_load(connection, scratch / manifest["database"]["member"], replace=force)
        files_load(storage, scratch, manifest["sha256"], replace=force)
    return manifest


def database_load(connection: BaseDatabaseWrapper, dump: Path, *, replace: bool) -> None:
    if connection.vendor == "postgresql":
        args, env = _pg_environment(connection.settings_dict)
        clean = ["--clean", "--if-exists"] if replace else []
        connection.close()  # pg_restore works on its own connection; ours holds no locks meanwhile
        _run(
            [
                *("pg_restore", *args, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"),
                *clean,
                f"--dbname={connection.settings_dict['NAME']}",
                str(dump),
            ],
            env,
        )
    else:
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            # The backup API copies page by page into the live connection, replacing what it held.
            source.backup(connection.connection)
        finally:
            source.close()


def files_load(storage: Storage, scratch: Path, checksums: dict[str, str], *, replace: bool) -> None:
    if replace:
        for name in list(storage_names(storage)):
            storage.delete(name)
    for member, checksum in sorted(checksums.items()):
        if not member.startswith(FILES_PREFIX):
            continue
        name = member.removeprefix(FILES_PREFIX)
        with (scratch / member).open("rb") as stream:
            saved = storage.save(name, File(stream, name=name))
        if saved != name:
            raise BackupError(f"{name} was stored as {saved}: the private files folder was not empty")
        with storage.open(saved, "rb") as written:
            if sha256_of(written) != checksum:
                raise BackupError(f"{name} does not match its checksum after writing it")
