"""Creating, recognising, upgrading and opening Tessera project files.

A project file is recognised without writing to it: SQLite's header, then
``PRAGMA application_id`` (our magic) and ``PRAGMA user_version`` (the schema
version), read through a read-only connection."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from db.engine import describe_error, make_engine

if TYPE_CHECKING:
    from alembic.config import Config

APPLICATION_ID = 0x54455353  # "TESS"
SCHEMA_VERSION = 3  # bump with every migration; equals the alembic head's number
SQLITE_MAGIC = b"SQLite format 3\x00"
MIGRATIONS = Path(__file__).with_name("migrations")


class ProjectFileError(Exception):
    """The file cannot be opened as a Tessera project; the message says why."""


@dataclass(frozen=True)
class FileStatus:
    schema_version: int
    backup: Path | None = None


def _upgrade(engine: Engine) -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


def alembic_config(engine: Engine) -> Config:
    # Alembic is imported only when a schema is made or upgraded: it costs ~0.1 s at start-up.
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def _stamp(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")


def create_file(path: Path) -> Engine:
    """A new, empty project file at the current schema version.

    The schema is built in a hidden file beside the target and renamed into place when
    complete, so a crash (or a full disk) never leaves a half-made project under the
    name the user chose."""
    path = Path(path)
    if path.exists():
        raise ProjectFileError(f"{path}: a file of that name already exists")
    if not path.parent.is_dir():
        raise ProjectFileError(f"{path}: the folder {path.parent} does not exist")
    partial = path.with_name(f".{path.name}.partial")
    _remove_with_journals(partial)
    engine = make_engine(partial)
    try:
        _upgrade(engine)
        _stamp(engine)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        if path.exists():  # made by someone else meanwhile
            raise ProjectFileError(f"{path}: a file of that name already exists")
        os.replace(partial, path)
    except Exception as exc:
        engine.dispose()
        _remove_with_journals(partial)
        if isinstance(exc, ProjectFileError):
            raise
        why = describe_error(exc, path)
        if why is not None:
            raise ProjectFileError(f"cannot create the project: {why}") from exc
        raise
    _remove_with_journals(partial)  # the -wal/-shm of the hidden name, if any are left
    return make_engine(path)


def _remove_with_journals(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


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
    # With no -wal beside it the file is the whole truth: read it as immutable, which
    # creates no -wal/-shm files (a refused file is left exactly as it was found). With
    # a -wal, committed changes (even to user_version) may still sit in it.
    wal = path.with_name(path.name + "-wal")
    mode = "mode=ro" if wal.exists() and wal.stat().st_size > 0 else "mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True)
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
        raise ProjectFileError(
            f"{path}: not a Tessera project (an SQLite database of another program)"
        )
    if version > SCHEMA_VERSION:
        raise ProjectFileError(
            f"{path}: made by a newer Tessera (schema {version}; this version reads up to "
            f"{SCHEMA_VERSION}). Update Tessera to open it; the file was not changed."
        )
    if version < 1:
        raise ProjectFileError(f"{path}: not a Tessera project (no schema version)")
    return version


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of ``source`` at ``target`` through SQLite's online backup API
    (safe while other connections write). Written under a temporary name and renamed,
    so ``target`` is either absent or complete, never half-written."""
    source, target = Path(source), Path(target)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            dst.close()
        with partial.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()


def backup_copy(path: Path, suffix: str) -> Path:
    """A consistent copy of the database beside it, through SQLite's backup API."""
    path = Path(path)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.{suffix}-{stamp}{path.suffix}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.stem}.{suffix}-{stamp}-{n}{path.suffix}")
        n += 1
    try:
        copy_database(path, target)
    except (OSError, sqlite3.Error) as exc:
        why = describe_error(exc, path)
        raise ProjectFileError(
            f"{path}: cannot make a copy before upgrading it, so it was left as it was "
            f"({why or exc})"
        ) from exc
    return target


def check_writable(path: Path) -> None:
    """ProjectFileError if changes to the project could not be saved: SQLite needs to
    write the file and to create its -wal and -shm files beside it."""
    path = Path(path)
    if not os.access(path, os.W_OK):
        raise ProjectFileError(
            f"{path}: the project file is read-only, so Tessera cannot save changes to it; "
            "copy it somewhere you can write to, or change its permissions. The file was not changed."
        )
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise ProjectFileError(
            f"{path}: its folder {path.parent} is read-only, so Tessera cannot save changes "
            "(SQLite keeps a journal beside the file); copy the project somewhere you can "
            "write to. The file was not changed."
        )


def open_file(path: Path) -> tuple[Engine, FileStatus]:
    """Open an existing project, upgrading an older schema after a backup copy."""
    path = Path(path)
    version = check_file(path)
    check_writable(path)
    backup = None
    if version < SCHEMA_VERSION:
        backup = backup_copy(path, f"before-upgrade-v{version}")
    engine = make_engine(path)
    if version < SCHEMA_VERSION:
        try:
            _upgrade(engine)
            _stamp(engine)
        except Exception as exc:
            engine.dispose()
            why = describe_error(exc, path)
            raise ProjectFileError(
                f"{path}: upgrading it to the current schema failed ({why or exc}); the "
                f"upgrade runs in one transaction, so the file stays at schema {version}, "
                f"and a copy of it as it was is at {backup}"
            ) from exc
    return engine, FileStatus(schema_version=SCHEMA_VERSION, backup=backup)
