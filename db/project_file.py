"""Creating, recognising, upgrading and opening Tessera project files.

A project file is recognised without writing to it: SQLite's header, then
``PRAGMA application_id`` (our magic) and ``PRAGMA user_version`` (the schema
version), read through a read-only connection."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from db.engine import make_engine

APPLICATION_ID = 0x54455353  # "TESS"
SCHEMA_VERSION = 2  # bump with every migration; equals the alembic head's number
SQLITE_MAGIC = b"SQLite format 3\x00"
MIGRATIONS = Path(__file__).with_name("migrations")


class ProjectFileError(Exception):
    """The file cannot be opened as a Tessera project; the message says why."""


@dataclass(frozen=True)
class FileStatus:
    schema_version: int
    backup: Path | None = None


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def _stamp(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")


def create_file(path: Path) -> Engine:
    """A new, empty project file at the current schema version."""
    path = Path(path)
    if path.exists():
        raise ProjectFileError(f"{path}: a file of that name already exists")
    if not path.parent.is_dir():
        raise ProjectFileError(f"{path}: the folder {path.parent} does not exist")
    engine = make_engine(path)
    try:
        command.upgrade(alembic_config(engine), "head")
        _stamp(engine)
    except Exception:
        engine.dispose()
        path.unlink(missing_ok=True)
        raise
    return engine


def read_versions(path: Path) -> tuple[int, int]:
    """(application_id, user_version) of a SQLite file, read without writing."""
    path = Path(path)
    if not path.exists():
        raise ProjectFileError(f"{path}: no such file")
    if path.is_dir():
        raise ProjectFileError(f"{path}: is a folder, not a project file")
    try:
        with path.open("rb") as fh:
            header = fh.read(16)
    except OSError as exc:
        raise ProjectFileError(f"{path}: cannot be read ({exc.strerror})") from exc
    if header != SQLITE_MAGIC:
        raise ProjectFileError(f"{path}: not a Tessera project (not an SQLite database)")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise ProjectFileError(f"{path}: the database cannot be read ({exc})") from exc
    return app_id, version


def check_file(path: Path) -> int:
    """The file's schema version, or ProjectFileError if Tessera must not open it."""
    app_id, version = read_versions(path)
    if app_id != APPLICATION_ID:
        raise ProjectFileError(f"{path}: not a Tessera project (an SQLite database of another program)")
    if version > SCHEMA_VERSION:
        raise ProjectFileError(
            f"{path}: made by a newer Tessera (schema {version}; this version reads up to "
            f"{SCHEMA_VERSION}). Update Tessera to open it; the file was not changed."
        )
    if version < 1:
        raise ProjectFileError(f"{path}: not a Tessera project (no schema version)")
    return version


def backup_copy(path: Path, suffix: str) -> Path:
    """A consistent copy of the database beside it, through SQLite's backup API."""
    path = Path(path)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.{suffix}-{stamp}{path.suffix}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.stem}.{suffix}-{stamp}-{n}{path.suffix}")
        n += 1
    src = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return target


def open_file(path: Path) -> tuple[Engine, FileStatus]:
    """Open an existing project, upgrading an older schema after a backup copy."""
    path = Path(path)
    version = check_file(path)
    backup = None
    if version < SCHEMA_VERSION:
        backup = backup_copy(path, f"before-upgrade-v{version}")
    engine = make_engine(path)
    if version < SCHEMA_VERSION:
        command.upgrade(alembic_config(engine), "head")
        _stamp(engine)
    return engine, FileStatus(schema_version=SCHEMA_VERSION, backup=backup)
