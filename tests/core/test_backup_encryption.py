"""Encrypted backups (issue 15): with MEDINSURE_BACKUP_KEY set, neither the dump nor the files archive can
be read without the key — not even with PostgreSQL's own tools — and restore round-trips; a wrong key, a
missing key or a changed file changes nothing. The chunked format on its own: every way of cutting,
reordering or changing a file is refused."""

import gzip
import os
import struct
import subprocess
import tarfile
from pathlib import Path

import psycopg2
import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from medinsure.core import backup_crypto, backups

KEY = Fernet.generate_key().decode()
PASSPHRASE = "correct horse battery staple 医保"
ID_NUMBER = "50038119900307251X"
NAME = "欧阳备份"


# --- the format ----------------------------------------------------------------------------------


def _encrypt(tmp_path, data: bytes, key=KEY, chunk=64) -> Path:
    path = tmp_path / "x.enc"
    with backup_crypto.EncryptingWriter(path, key, chunk=chunk) as out:
        for i in range(0, len(data), 50):  # written in pieces that do not line up with the chunks
            out.write(data[i : i + 50])
    return path


def _frames(path: Path) -> tuple[bytes, list[bytes]]:
    raw = path.read_bytes()
    header, rest, frames = raw[: backup_crypto.HEADER_BYTES], raw[backup_crypto.HEADER_BYTES :], []
    while rest:
        (n,) = struct.unpack(">I", rest[:4])
        frames.append(rest[: 4 + n])
        rest = rest[4 + n :]
    return header, frames


@pytest.mark.parametrize("size", [0, 1, 63, 64, 65, 200, 64 * 5])
@pytest.mark.parametrize("key", [KEY, PASSPHRASE], ids=["fernet-key", "passphrase"])
def test_round_trip_in_chunks(tmp_path, size, key):
    data = os.urandom(size)
    path = _encrypt(tmp_path, data, key=key)
    assert backup_crypto.is_encrypted(path)
    assert b"".join(backup_crypto.decrypted_chunks(path, key)) == data
    reader = backup_crypto.DecryptingReader(path, key)
    assert reader.read(10) + reader.read() == data


def test_a_large_file_goes_through_in_constant_memory(tmp_path):
    """32 MiB in and out, in pieces the size pg_dump's pipe gives: memory stays a few chunks, whatever the size."""
    import tracemalloc

    piece = os.urandom(64 * 1024)
    path = tmp_path / "big.enc"
    tracemalloc.start()
    try:
        with backup_crypto.EncryptingWriter(path, KEY) as out:
            for _ in range(512):
                out.write(piece)
        _, peak_in = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        assert backup_crypto.verify(path, KEY) == 512 * len(piece)
        _, peak_out = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert path.stat().st_size > 32 * 1024 * 1024
    assert peak_in < 8 * 1024 * 1024 and peak_out < 8 * 1024 * 1024, (peak_in, peak_out)


def test_no_two_files_are_alike(tmp_path):
    a = _encrypt(tmp_path, b"same" * 100).read_bytes()
    b = _encrypt(tmp_path, b"same" * 100).read_bytes()
    assert a != b  # a fresh salt, so a fresh key, every file


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda h, f: h + b"".join(f[:-1]), "截断"),  # the last chunk dropped
        (lambda h, f: h + b"".join(f)[:-7], "截断"),  # cut mid-chunk
        (lambda h, f: h + b"".join([f[1], f[0], *f[2:]]), "损坏"),  # two chunks swapped
        (lambda h, f: h + b"".join(f + f[-1:]), "多余"),  # a chunk added after the last
        (lambda h, f: h + f[0][:20] + bytes([f[0][20] ^ 1]) + f[0][21:] + b"".join(f[1:]), "密钥不对"),  # a bit flipped
        (lambda h, f: h[:-1] + bytes([h[-1] ^ 1]) + b"".join(f), "密钥不对"),  # the salt changed
        (lambda h, f: b"x" + h[1:] + b"".join(f), "不是加密"),
    ],
)
def test_changed_files_are_refused(tmp_path, damage, message):
    header, frames = _frames(_encrypt(tmp_path, os.urandom(300)))
    assert len(frames) == 5
    bad = tmp_path / "bad.enc"
    bad.write_bytes(damage(header, frames))
    with pytest.raises(backup_crypto.BackupKeyError, match=message):
        backup_crypto.verify(bad, KEY)


def test_a_wrong_key_or_a_weak_one_is_refused(tmp_path):
    path = _encrypt(tmp_path, b"secret")
    with pytest.raises(backup_crypto.BackupKeyError, match="密钥不对"):
        backup_crypto.verify(path, Fernet.generate_key().decode())
    with pytest.raises(backup_crypto.BackupKeyError, match="另一种密钥"):
        backup_crypto.verify(path, PASSPHRASE)
    with pytest.raises(backup_crypto.BackupKeyError, match="不少于 16"):
        backup_crypto.parse_secret("short")


# --- backup and restore --------------------------------------------------------------------------


@pytest.fixture
def restored_name():
    name = f"{connection.settings_dict['NAME']}_restored_enc"
    yield name
    connection.close()
    with connection.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _database_exists(name: str) -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cur.fetchone() is not None


def _resident():
    from datetime import date

    from enrollment.models import Resident

    return Resident.objects.create(id_number=ID_NUMBER, name=NAME, sex="1", birth_date=date(1990, 3, 7))


def _readable_text(path: Path) -> bytes:
    """Whatever someone without the key gets out of the file: its bytes, gunzipped if it is gzip, and
    the SQL that pg_restore writes from it if it is a dump."""
    raw = path.read_bytes()
    out = [raw]
    try:
        out.append(gzip.decompress(raw))
    except (OSError, EOFError):
        pass
    tools = backups.tool_dir(backups.server_major())
    sql = subprocess.run([tools / "pg_restore", "--file=-", path], capture_output=True)
    out.append(sql.stdout)
    return b"\n".join(out)


@pytest.mark.service
@pytest.mark.django_db(transaction=True)
def test_an_encrypted_backup_cannot_be_read_and_restores_with_the_key(tmp_path, settings, restored_name):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    settings.MEDINSURE_BACKUP_KEY = KEY
    evidence = Path(settings.PRIVATE_FILES_ROOT) / "2026" / "12" / "report.txt"
    evidence.parent.mkdir(parents=True)
    evidence.write_text(f"举报材料：{NAME} {ID_NUMBER}", encoding="utf-8")
    _resident()

    call_command("backup", stdout=open(os.devnull, "w"))
    files = sorted(Path(settings.BACKUP_DIR).iterdir())
    assert [f.name.endswith(".enc") for f in files] == [True, True], files  # dump and files archive
    dump = next(f for f in files if f.name.endswith(".dump.enc"))
    for f in files:
        text = _readable_text(f)
        assert ID_NUMBER.encode() not in text and NAME.encode() not in text, f.name
        assert not f.read_bytes().startswith(b"PGDMP")

    # without the key, or with another, nothing is created
    settings.MEDINSURE_BACKUP_KEY = ""
    with pytest.raises(CommandError, match="MEDINSURE_BACKUP_KEY"):
        call_command("restore", str(dump), "--database", restored_name)
    settings.MEDINSURE_BACKUP_KEY = Fernet.generate_key().decode()
    with pytest.raises(CommandError, match="密钥不对"):
        call_command("restore", str(dump), "--database", restored_name)
    assert not _database_exists(restored_name)

    settings.MEDINSURE_BACKUP_KEY = KEY
    call_command("restore", str(dump), "--database", restored_name, stdout=open(os.devnull, "w"))
    target = backups.configured_target(restored_name)
    with psycopg2.connect(
        dbname=target.name,
        host=target.host,
        port=target.port or None,
        user=target.user,
        password=target.password or None,
    ) as copy:
        with copy.cursor() as cur:
            cur.execute("SELECT name FROM enrollment_resident WHERE id_number = %s", [ID_NUMBER])
            assert cur.fetchone() == (NAME,)
    copy.close()


@pytest.mark.service
@pytest.mark.django_db(transaction=True)
def test_an_encrypted_restore_over_the_configured_database_brings_back_rows_and_files(tmp_path, settings):
    from enrollment.models import Resident

    settings.BACKUP_DIR = tmp_path / "backups"
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    settings.MEDINSURE_BACKUP_KEY = PASSPHRASE
    evidence = Path(settings.PRIVATE_FILES_ROOT) / "2026" / "12" / "photo.jpg"
    evidence.parent.mkdir(parents=True)
    evidence.write_bytes(b"\xff\xd8 evidence")
    _resident()
    dump, archive = backups.backup_create()
    assert archive.name.endswith("-files.tar.gz.enc")

    # a changed archive is found before anything is touched
    saved = archive.read_bytes()
    archive.write_bytes(saved[:-1] + bytes([saved[-1] ^ 1]))
    Resident.objects.all().delete()
    with pytest.raises(backups.BackupError, match="不是有效的备份文件"):
        backups.backup_restore(dump)
    assert not Resident.objects.exists()
    archive.write_bytes(saved)

    evidence.unlink()
    call_command("restore", str(dump), "--replace", stdout=open(os.devnull, "w"))
    connection.close()  # the restore replaced the tables under this connection
    assert Resident.objects.get(id_number=ID_NUMBER).name == NAME
    assert evidence.read_bytes() == b"\xff\xd8 evidence"
    with tarfile.open(fileobj=backup_crypto.DecryptingReader(archive, PASSPHRASE), mode="r|gz") as tar:
        assert any(m.name.endswith("photo.jpg") for m in tar)


@pytest.mark.service
@pytest.mark.django_db(transaction=True)
def test_a_malformed_key_stops_the_backup_before_it_starts(tmp_path, settings):
    settings.BACKUP_DIR = tmp_path
    settings.MEDINSURE_BACKUP_KEY = "too short"
    with pytest.raises(CommandError, match="MEDINSURE_BACKUP_KEY"):
        call_command("backup", stdout=open(os.devnull, "w"))
    assert list(tmp_path.iterdir()) == []
