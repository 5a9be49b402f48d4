"""Backups that restore: the database and the files it names, together, in one archive (docs/operations.md).

A bid's receipt digest covers the SHA-256 of its files, and a contract's PDF carries its own SHA-256, so a
database without its files cannot be verified (issue 12: 0 of 21 bid files found after a database-only restore).

`create_backup` writes one tar archive:

- `database.sqlite3` (SQLite: the online backup API, a consistent copy even while the server writes in WAL) or
  `database.dump` (PostgreSQL: `pg_dump -Fc`, one repeatable-read snapshot);
- `files/private/...` and `files/media/...`: the private files (bid documents, evidence, contract PDFs) and the
  public media, copied AFTER the database snapshot was taken. Files are only ever added under new names, so every
  file the snapshot references already exists when the copy starts; each is then checked against the list of
  files the snapshot references (read back from the copy itself), and a missing one fails the backup;
- `manifest.json`, written last: format, kind of database, versions, time, and the SHA-256 and size of every
  other member.

`restore_backup` checks every member against the manifest, refuses a target database or folder that is not
empty unless `force`, then loads the database (`sqlite3` backup API / `pg_restore`) and puts the files back.
Nothing here imports the apps above marketplace: the files a database references are found from every model's
FileFields.
"""
# ruff: noqa: S603, S607, S608 - pg_dump, pg_restore and psql from PATH with argument lists; SQL names come from models

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.core.files.storage import storages
from django.db import connections, models

FORMAT = "community-procurement-backup/1"
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class BackupError(Exception):
    pass


@dataclass
class Target:
    """Where a restore goes: the database settings (a settings dict of django.db) and the two file folders."""

    database: dict
    private_root: Path
    media_root: Path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def storage_roots() -> dict[str, Path]:
    return {"private": Path(storages["private"].location), "media": Path(settings.MEDIA_ROOT)}


def file_fields() -> list[tuple[str, str, str]]:
    """(table, column, storage name) of every FileField of every installed model."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                private = getattr(field.storage, "location", None) == storages["private"].location
                storage = "private" if private else "media"
                found.append((model._meta.db_table, field.column, storage))
    return found


def _referenced_files(query) -> dict[str, set[str]]:
    """The file names the database references, by storage; `query(sql)` runs SQL on the copy."""
    names: dict[str, set[str]] = {"private": set(), "media": set()}
    for table, column, storage in file_fields():
        try:
            rows = query(f'SELECT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL AND "{column}" <> \'\'')
        except Exception:  # noqa: BLE001,S112 - a table of an app without its migrations applied
            continue
        names[storage].update(row[0] for row in rows)
    return names


def _database_kind(alias: str = "default") -> str:
    vendor = connections[alias].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"unsupported database: {vendor}")
    return vendor


def _pg_env(settings_dict: dict) -> dict:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    return env


def _dump_database(kind: str, folder: Path, alias: str = "default") -> tuple[Path, dict[str, set[str]]]:
    conn = connections[alias]
    if kind == "sqlite":
        target = folder / "database.sqlite3"
        conn.ensure_connection()
        with sqlite3.connect(target) as copy:
            conn.connection.backup(copy)  # consistent under WAL, the server may keep writing
        copy.close()
        copy = sqlite3.connect(target)
        try:
            referenced = _referenced_files(lambda sql: copy.execute(sql).fetchall())
        finally:
            copy.close()
        return target, referenced
    target = folder / "database.dump"
    settings_dict = conn.settings_dict
    # pg_dump reads everything in one repeatable-read snapshot.
    subprocess.run(["pg_dump", "-Fc", "--no-owner", "--no-privileges", "-f", str(target), settings_dict["NAME"]],
                   env=_pg_env(settings_dict), check=True, capture_output=True)
    # The names referenced by the dump: read them back from the dump itself (its data as SQL).
    sql = subprocess.run(["pg_restore", "-f", "-", "--data-only", str(target)], check=True, capture_output=True,
                         text=True).stdout
    return target, _referenced_from_sql(sql)


def _referenced_from_sql(sql: str) -> dict[str, set[str]]:
    """The FileField values in a plain-SQL data dump (COPY blocks), by storage."""
    wanted = {(table, column): storage for table, column, storage in file_fields()}
    names: dict[str, set[str]] = {"private": set(), "media": set()}
    lines = iter(sql.splitlines())
    for line in lines:
        if not line.startswith("COPY "):
            continue
        head = line[5:line.index("(")].strip()
        table = head.split(".")[-1].strip('"')
        columns = [c.strip().strip('"') for c in line[line.index("(") + 1:line.index(")")].split(",")]
        positions = {i: wanted[(table, c)] for i, c in enumerate(columns) if (table, c) in wanted}
        for row in lines:
            if row == "\\.":
                break
            if positions:
                values = row.split("\t")
                for i, storage in positions.items():
                    value = values[i]
                    if value not in ("\\N", ""):
                        names[storage].add(value.replace("\\\\", "\\"))
    return names


def _add_file(archive: tarfile.TarFile, path: Path, name: str, members: dict) -> None:
    members[name] = {"sha256": _sha256(path), "size": path.stat().st_size}
    archive.add(path, arcname=name, recursive=False)


def create_backup(output: Path) -> dict:
    """Write the archive to `output` and return its manifest."""
    kind = _database_kind()
    output = Path(output)
    members: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="backup-") as scratch:
        dump, referenced = _dump_database(kind, Path(scratch))
        taken_at = dt.datetime.now(dt.UTC).isoformat()
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            _add_file(archive, dump, dump.name, members)
            counts = {}
            for storage, root in storage_roots().items():
                copied = set()
                if root.exists():
                    for path in sorted(p for p in root.rglob("*") if p.is_file()):
                        relative = path.relative_to(root).as_posix()
                        _add_file(archive, path, f"files/{storage}/{relative}", members)
                        copied.add(relative)
                missing = sorted(referenced[storage] - copied)
                if missing:
                    raise BackupError(f"{len(missing)} {storage} file(s) the database references are missing, "
                                      f"e.g. {missing[:3]}")
                counts[storage] = {"files": len(copied), "referenced": len(referenced[storage])}
            manifest = {
                "format": FORMAT, "database": kind, "taken_at": taken_at,
                "versions": _versions(kind), "files": counts, "members": members,
            }
            data = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
            archive.addfile(info, io.BytesIO(data))
        partial.replace(output)
    return manifest


def _versions(kind: str) -> dict:
    from django.db.migrations.recorder import MigrationRecorder

    conn = connections["default"]
    with conn.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if kind == "sqlite" else "SHOW server_version")
        server = cursor.fetchone()[0]
    latest = {}
    for app, name in MigrationRecorder(conn).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return {"django": django.get_version(), kind: server, "migrations": latest}


def read_manifest(archive_path: Path) -> dict:
    with tarfile.open(archive_path, "r:*") as archive:
        return json.load(archive.extractfile(MANIFEST))


def verify_archive(archive_path: Path, folder: Path) -> dict:
    """Extract into `folder` and check every member against the manifest; returns the manifest."""
    with tarfile.open(archive_path, "r:*") as archive:
        manifest = json.load(archive.extractfile(MANIFEST))
        if manifest.get("format") != FORMAT:
            raise BackupError(f"not a backup of this platform: {manifest.get('format')!r}")
        names = {m.name for m in archive.getmembers() if m.isfile()} - {MANIFEST}
        if names != set(manifest["members"]):
            raise BackupError("the archive's members differ from its manifest")
        archive.extractall(folder, filter="data")
    for name, expected in manifest["members"].items():
        if _sha256(folder / name) != expected["sha256"]:
            raise BackupError(f"{name}: SHA-256 differs from the manifest")
    return manifest


def _sqlite_connect(name: str) -> sqlite3.Connection:
    return sqlite3.connect(name, uri=str(name).startswith("file:"))  # "file:…?mode=memory" names a shared database


def _sqlite_is_empty(path: Path) -> bool:
    if not str(path).startswith("file:") and (not path.exists() or path.stat().st_size == 0):
        return True
    conn = _sqlite_connect(str(path))
    try:
        return not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1").fetchone()
    finally:
        conn.close()


def _postgres_is_empty(settings_dict: dict) -> bool:
    result = subprocess.run(
        ["psql", "-At", "-c", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", settings_dict["NAME"]],
        env=_pg_env(settings_dict), check=True, capture_output=True, text=True)
    return result.stdout.strip() == "0"


def _folder_is_empty(path: Path) -> bool:
    return not path.exists() or not any(p.is_file() for p in path.rglob("*"))


def restore_backup(archive_path: Path, target: Target, *, force: bool = False) -> dict:
    """Restore the archive into `target`. Refuses a non-empty database or folder unless `force`."""
    with tempfile.TemporaryDirectory(prefix="restore-") as scratch:
        folder = Path(scratch)
        manifest = verify_archive(Path(archive_path), folder)
        kind = manifest["database"]
        engine = target.database["ENGINE"]
        if (kind == "sqlite") != engine.endswith("sqlite3"):
            raise BackupError(f"the backup holds a {kind} database; the target is {engine}")
        name = target.database["NAME"]
        if not force:
            problems = []
            if kind == "sqlite" and not _sqlite_is_empty(name if str(name).startswith("file:") else Path(name)):
                problems.append(f"database {name}")
            if kind == "postgresql" and not _postgres_is_empty(target.database):
                problems.append(f"database {name}")
            for root in (target.private_root, target.media_root):
                if not _folder_is_empty(root):
                    problems.append(f"folder {root}")
            if problems:
                raise BackupError("not empty: " + ", ".join(problems) + " (use --force to overwrite)")
        if kind == "sqlite":
            source = sqlite3.connect(folder / "database.sqlite3")
            destination = _sqlite_connect(str(name))
            try:
                source.backup(destination)  # replaces the whole target database
            finally:
                source.close()
                destination.close()
        else:
            subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
                            "--exit-on-error", "-d", name, str(folder / "database.dump")],
                           env=_pg_env(target.database), check=True, capture_output=True)
        for storage, root in (("private", target.private_root), ("media", target.media_root)):
            source_root = folder / "files" / storage
            if force and root.exists():
                shutil.rmtree(root)
            root.mkdir(parents=True, exist_ok=True)
            if source_root.exists():
                shutil.copytree(source_root, root, dirs_exist_ok=True)
    return manifest


def default_target() -> Target:
    roots = storage_roots()
    return Target(database=connections["default"].settings_dict, private_root=roots["private"],
                  media_root=roots["media"])
