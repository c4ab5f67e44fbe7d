"""Integrity of a project file: whether it can be read without writing (a read-only
folder or medium), and the problems SQLite's integrity check and the foreign key check
find in it. Read-only; safe while the project is open elsewhere."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from db import errors
from db.engine import connect_ro


def has_wal(path: Path | str) -> bool:
    """True if committed changes may still sit in the file's -wal beside it."""
    wal = Path(f"{path}-wal")
    try:
        return wal.stat().st_size > 0
    except OSError:
        return False


def read_mode(path: Path | str) -> str:
    """How the file can be read without writing: "ro", or "immutable" when SQLite may
    not create the -shm beside a WAL-mode file (a read-only folder or medium). A
    StorageError (read_only) if changes sit in a -wal that cannot be read that way."""
    try:
        conn = connect_ro(path)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
        return "ro"
    except sqlite3.DatabaseError as exc:
        name = getattr(exc, "sqlite_errorname", "") or ""
        if not (
            name.startswith(("SQLITE_CANTOPEN", "SQLITE_READONLY")) or "unable to open" in str(exc)
        ):
            raise
    if has_wal(path):
        raise errors.error_factory(
            "read_only",
            f"{path}: its folder (or the medium) is read-only and the changes last saved are "
            f"still in {Path(path).name}-wal beside it, which SQLite can only read with write "
            "access; copy the project file together with its -wal and -shm somewhere you "
            "can write to, and open the copy.",
        )
    return "immutable"


def integrity_report(path: Path | str, *, quick: bool = False) -> tuple[list[str], str]:
    """(problems, how it was read): the problems SQLite finds in the file (an empty list:
    the file is sound) plus foreign key violations; "how" is "ro", or "immutable" for a
    file in a read-only folder or medium. Read-only; safe while the project is open
    elsewhere. A file that cannot be read for another reason than damage (a read-only
    folder with a pending -wal) raises StorageError, never reports damage."""
    path = Path(path)
    try:
        mode = read_mode(path)
    except sqlite3.DatabaseError as exc:
        return [str(exc)], "ro"
    conn = connect_ro(path, immutable=mode == "immutable")
    try:
        pragma = "quick_check" if quick else "integrity_check"
        rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}")]
        problems = [] if rows == ["ok"] else rows
        for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check"):
            problems.append(f"row {rowid} of {table} refers to a missing row of {parent}")
        return problems, mode
    except sqlite3.DatabaseError as exc:
        return [str(exc)], mode
    finally:
        conn.close()


def integrity_check(path: Path | str, *, quick: bool = False) -> list[str]:
    """The problems ``integrity_report`` finds (empty: the file is sound)."""
    return integrity_report(path, quick=quick)[0]
