"""The restore drill: a seeded portal backed up, restored into a database and a
folder that did not exist, gives the same rows, the same files byte for byte,
and a label that still verifies.

The restore runs in a process of its own pointed at the new database, as an
operator would run it on a new machine; the checks read the new database
directly and through the portal's own verification page.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from pytest_django import Settings

from common.backup import MANIFEST, storage_names
from common.files import private_storage
from labels.certificates.rendering import certificate_render
from labels.models import Label
from tests.factories import LabelFactory, MembershipFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)

VERIFY_SCRIPT = """
import hashlib, json
from django.test.utils import setup_test_environment
setup_test_environment()
from django.test import Client
from labels.models import Label
from labels.certificates.rendering import certificate_outdated
label = Label.objects.get(code={code!r})
answer = Client().get("/verify/{code}/")
with label.certificate.open("rb") as pdf:
    sha = hashlib.sha256(pdf.read()).hexdigest()
print(json.dumps({{"status": answer.status_code, "state": str(answer.context["state"]),
                  "outdated": certificate_outdated(label), "certificate_sha256": sha}}))
"""


@pytest.fixture
def media(settings: Settings, tmp_path: Path) -> Path:
    # Django's setting_changed receiver makes the private storage follow the new folder.
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def seeded(media: Path) -> Label:
    """A small portal: people, an organisation, a label with its certificate, and a nested evidence file."""
    membership = MembershipFactory()
    UserFactory.create_batch(3)
    label = LabelFactory(organisation=membership.organisation)
    certificate_render(label=label)
    private_storage.save("evidence/2026/answers.pdf", io.BytesIO(b"%PDF-1.4 evidence bytes\n"))
    return Label.objects.get(pk=label.pk)


def table_counts_here() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def files_under(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file()
    }


def backup_here(tmp_path: Path) -> Path:
    call_command("backup", folder=tmp_path / "backups", stdout=io.StringIO())
    (archive,) = (tmp_path / "backups").glob("escaportal-*.tar.gz")
    return archive


def portal_run(args: list[str], *, database_url: str, media_root: Path) -> str:
    """Run ``manage.py`` in a process of its own, as an operator on the new machine would."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(DATABASE_URL=database_url, MEDIA_ROOT=str(media_root), CONN_MAX_AGE="0")
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def verification_there(code: str, *, database_url: str, media_root: Path) -> dict[str, object]:
    output = portal_run(
        ["shell", "-c", VERIFY_SCRIPT.format(code=code)], database_url=database_url, media_root=media_root
    )
    return json.loads(output.strip().splitlines()[-1])


def certificate_sha(label: Label) -> str:
    with label.certificate.open("rb") as pdf:
        return hashlib.sha256(pdf.read()).hexdigest()


# --- PostgreSQL -------------------------------------------------------------------------------------


@pytest.fixture
def new_postgres_database(postgres: None) -> Iterator[str]:
    """A database that did not exist before the test, dropped after it."""
    params = connection.settings_dict
    name = f"escaportal_drill_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(
        dbname="postgres", user=params["USER"], password=params["PASSWORD"], host=params["HOST"], port=params["PORT"]
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    user = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
    try:
        yield f"postgres://{user}@{params['HOST'] or 'localhost'}:{params['PORT'] or 5432}/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def postgres_counts(database_url: str, tables: list[str]) -> dict[str, int]:
    with psycopg2.connect(database_url) as there, there.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name"
        )
        counts["(tables)"] = len(cursor.fetchall())
    there.close()
    return counts


def test_restore_drill_on_postgresql(new_postgres_database: str, seeded: Label, media: Path, tmp_path: Path) -> None:
    before = table_counts_here()
    files_before = files_under(media)
    archive = backup_here(tmp_path)
    restored_media = tmp_path / "restored-media"

    portal_run(["restore", str(archive)], database_url=new_postgres_database, media_root=restored_media)

    after = postgres_counts(new_postgres_database, sorted(before))
    assert after.pop("(tables)") == len(before)
    assert after == before
    assert files_under(restored_media) == files_before
    assert verification_there(seeded.code, database_url=new_postgres_database, media_root=restored_media) == {
        "status": 200,
        "state": "valid",
        "outdated": False,
        "certificate_sha256": certificate_sha(seeded),
    }


# --- SQLite -----------------------------------------------------------------------------------------


SEED_SCRIPT = """
import io
from common.files import private_storage
from labels.certificates.rendering import certificate_render
from tests.factories import LabelFactory, MembershipFactory, UserFactory
membership = MembershipFactory()
UserFactory.create_batch(3)
label = LabelFactory(organisation=membership.organisation)
certificate_render(label=label)
private_storage.save("evidence/2026/answers.pdf", io.BytesIO(b"%PDF-1.4 evidence bytes"))
print(label.code)
"""


def sqlite_counts(path: Path) -> dict[str, int]:
    there = sqlite3.connect(path)
    try:
        tables = [row[0] for row in there.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: there.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}
    finally:
        there.close()


def test_restore_drill_on_sqlite(tmp_path: Path) -> None:
    """The embedded default's path, whatever database the suite runs on: every step is its own process."""
    source, source_media = f"sqlite:///{tmp_path / 'source.sqlite3'}", tmp_path / "media"
    portal_run(["migrate", "--noinput"], database_url=source, media_root=source_media)
    code = portal_run(["shell", "-c", SEED_SCRIPT], database_url=source, media_root=source_media).split()[-1]
    portal_run(["backup", "--folder", str(tmp_path / "backups")], database_url=source, media_root=source_media)
    (archive,) = (tmp_path / "backups").glob("escaportal-*.tar.gz")
    target = tmp_path / "restored.sqlite3"
    restored_media = tmp_path / "restored-media"
    assert not target.exists()

    portal_run(["restore", str(archive)], database_url=f"sqlite:///{target}", media_root=restored_media)

    assert sqlite_counts(target) == sqlite_counts(tmp_path / "source.sqlite3")
    assert files_under(restored_media) == files_under(source_media)
    there = verification_there(code, database_url=f"sqlite:///{target}", media_root=restored_media)
    assert there == {
        **verification_there(code, database_url=source, media_root=source_media),
        "status": 200,
        "state": "valid",
        "outdated": False,
    }


# --- What a restore refuses ---------------------------------------------------------------------------


def test_restore_refuses_a_database_that_is_not_empty(seeded: Label, tmp_path: Path) -> None:
    archive = backup_here(tmp_path)

    with pytest.raises(CommandError, match="database is not empty"):
        call_command("restore", str(archive), stdout=io.StringIO())


def test_restore_refuses_a_damaged_archive_before_touching_anything(seeded: Label, tmp_path: Path) -> None:
    archive = backup_here(tmp_path)
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            content = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "files/evidence/2026/answers.pdf":
                content = content.replace(b"evidence", b"EVIDENCE")
            target.addfile(member, io.BytesIO(content))
    target_db = tmp_path / "never.sqlite3"

    with pytest.raises(subprocess.CalledProcessError) as refused:
        subprocess.run(
            [sys.executable, "manage.py", "restore", str(damaged)],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": f"sqlite:///{target_db}", "MEDIA_ROOT": str(tmp_path / "m")},
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )

    assert "files/evidence/2026/answers.pdf does not match its checksum" in refused.value.stderr
    assert not (tmp_path / "m" / "private").exists()
    assert not target_db.exists() or target_db.stat().st_size == 0


def test_manifest_holds_a_checksum_of_every_member(seeded: Label, tmp_path: Path) -> None:
    archive = backup_here(tmp_path)

    with tarfile.open(archive, "r:gz") as opened:
        manifest = json.loads(opened.extractfile(MANIFEST).read())  # type: ignore[union-attr]
        members = {
            m.name: hashlib.sha256(opened.extractfile(m).read()).hexdigest()  # type: ignore[union-attr]
            for m in opened.getmembers()
            if m.name != MANIFEST
        }

    assert manifest["sha256"] == members
    assert {name.removeprefix("files/") for name in members if name.startswith("files/")} == set(
        storage_names(private_storage)
    )


def test_backup_keeps_the_newest_copies(seeded: Label, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    for day in ("20260101T000000Z", "20260102T000000Z", "20260103T000000Z"):
        (folder / f"escaportal-{day}.tar.gz").write_bytes(b"old")

    call_command("backup", folder=folder, keep=2, stdout=io.StringIO())

    kept = sorted(p.name for p in folder.iterdir())
    assert len(kept) == 2
    assert kept[0] == "escaportal-20260103T000000Z.tar.gz"
