"""Backups are only as good as a restore: dump the test database, restore, compare."""

from __future__ import annotations

import subprocess
import uuid

import psycopg
import pytest
from django.db import connection

from tests.factories import EventFactory, RegistrationFactory, UserFactory

from .conftest import BASE_DIR, database_url_of, subprocess_env

pytestmark = pytest.mark.postgres

COUNT_ROWS = """
SELECT table_name,
       (xpath('/row/c/text()',
              query_to_xml(format('SELECT count(*) AS c FROM public.%I', table_name),
                           false, true, '')))[1]::text::bigint
FROM information_schema.tables
WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
ORDER BY table_name
"""


def _row_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return dict(conn.execute(COUNT_ROWS).fetchall())


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own scripts
        ["bash", *args],  # noqa: S607 - bash from PATH, as `make test` runs the scripts
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,  # the tests read the return code and the output
    )


@pytest.fixture
def scratch_database_url():
    """A database name of our own on the same server, dropped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump backs up PostgreSQL; runs in the PostgreSQL run")
    source = database_url_of(connection.settings_dict)
    base = source.rsplit("/", 1)[0]
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    yield f"{base}/{name}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_scratch_database_with_the_same_rows(tmp_path, scratch_database_url):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump backs up PostgreSQL; runs in the PostgreSQL run")
    event = EventFactory(title="Varmuuskopioitu tapahtuma", capacity=10)
    RegistrationFactory.create_batch(7, event=event)
    UserFactory.create_batch(3)
    source = database_url_of(connection.settings_dict)
    env = subprocess_env(DATABASE_URL=source, MEDIA_ROOT=str(tmp_path / "no-media"))

    backup = _run("scripts/backup.sh", str(tmp_path / "backups"), env=env)
    assert backup.returncode == 0, backup.stderr
    dump = backup.stdout.strip().splitlines()[-1]
    assert dump.endswith(".dump")

    restore = _run("scripts/restore.sh", dump, scratch_database_url, env=env)
    assert restore.returncode == 0, restore.stderr

    expected = _row_counts(source)
    assert expected["events_registration"] == 7
    assert _row_counts(scratch_database_url) == expected
    printed = dict(line.split("\t") for line in restore.stdout.strip().splitlines())
    assert {table: int(rows) for table, rows in printed.items()} == expected
    with psycopg.connect(scratch_database_url) as conn:
        titles = conn.execute("SELECT title FROM events_event").fetchall()
    assert titles == [("Varmuuskopioitu tapahtuma",)]


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_to_overwrite_a_database_that_has_tables(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump backs up PostgreSQL; runs in the PostgreSQL run")
    source = database_url_of(connection.settings_dict)
    env = subprocess_env(DATABASE_URL=source, MEDIA_ROOT=str(tmp_path / "no-media"))
    backup = _run("scripts/backup.sh", str(tmp_path / "backups"), env=env)
    assert backup.returncode == 0, backup.stderr
    dump = backup.stdout.strip().splitlines()[-1]

    restore = _run("scripts/restore.sh", dump, source, env=env)
    assert restore.returncode == 3
    assert "use --replace" in restore.stderr
