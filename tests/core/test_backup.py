"""`make backup` / `make restore FILE=…`: a dump of the demo district restored into a fresh database
holds every row of every table; a broken file changes nothing; restoring over the configured
database brings back what was deleted after the backup, and the private files with it."""

from pathlib import Path

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from medinsure.core import backups

pytestmark = [pytest.mark.service, pytest.mark.django_db(transaction=True)]


def _connect(name: str):
    target = backups.configured_target(name)
    return psycopg2.connect(
        dbname=target.name,
        host=target.host,
        port=target.port or None,
        user=target.user,
        password=target.password or None,
    )


def _fingerprint(conn) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent digest of every row, per table of the public schema."""
    with conn.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [row[0] for row in cur.fetchall()]
        result = {}
        for table in tables:
            cur.execute(
                f"SELECT count(*), coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '') FROM \"{table}\" t"
            )
            result[table] = cur.fetchone()
        return result


@pytest.fixture
def restored_name():
    name = f"{connection.settings_dict['NAME']}_restored"
    yield name
    connection.close()
    with connection.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_restores_every_row_into_a_fresh_database(tmp_path, restored_name, settings):
    settings.BACKUP_DIR = tmp_path
    call_command("load_demo", stdout=open("/dev/null", "w"))
    call_command("backup", stdout=open("/dev/null", "w"))
    dump = next(tmp_path.glob("*.dump"))

    with _connect(connection.settings_dict["NAME"]) as source:
        expected = _fingerprint(source)
    source.close()
    # the backup's own audit row was written after the dump: leave it out of the comparison
    expected_audit = expected.pop("audit_auditlog")

    call_command("restore", str(dump), "--database", restored_name, stdout=open("/dev/null", "w"))
    with _connect(restored_name) as copy:
        restored = _fingerprint(copy)
    copy.close()
    restored_audit = restored.pop("audit_auditlog")

    assert sum(count for count, _ in expected.values()) > 1000  # the demo district is really there
    assert expected["regions_division"][0] > 400
    assert restored == expected
    assert restored_audit[0] == expected_audit[0] - 1


def test_broken_file_changes_nothing(tmp_path, restored_name):
    bad = tmp_path / "broken.dump"
    bad.write_bytes(b"PGDMP this is not a dump")
    with pytest.raises(CommandError, match="不是有效的备份文件"):
        call_command("restore", str(bad), "--database", restored_name)
    with pytest.raises(CommandError, match="--replace"):
        call_command("restore", str(bad))
    with pytest.raises(CommandError, match="不存在"):
        call_command("restore", str(tmp_path / "missing.dump"), "--replace")


def test_restore_over_the_configured_database_brings_back_rows_and_files(tmp_path, settings):
    from medinsure.regions.models import Division
    from tests.factories import DivisionFactory

    settings.BACKUP_DIR = tmp_path / "backups"
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    evidence = Path(settings.PRIVATE_FILES_ROOT) / "2026" / "11" / "photo.jpg"
    evidence.parent.mkdir(parents=True)
    evidence.write_bytes(b"\xff\xd8 evidence")
    district = DivisionFactory()
    DivisionFactory.township(district, 101, "甲镇")
    call_command("backup", stdout=open("/dev/null", "w"))
    dump = next(Path(settings.BACKUP_DIR).glob("*.dump"))

    Division.objects.filter(level=Division.Level.TOWNSHIP).delete()
    evidence.unlink()
    call_command("restore", str(dump), "--replace", stdout=open("/dev/null", "w"))

    connection.close()  # the restore replaced the tables under this connection
    assert Division.objects.filter(name="甲镇").exists()
    assert evidence.read_bytes() == b"\xff\xd8 evidence"
