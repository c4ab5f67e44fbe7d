"""Engine and session setup for one project file: SQLite in WAL mode with foreign
keys on and a busy timeout, so a second process waits instead of failing. A server
project (a ``postgresql://`` URL) gets a PostgreSQL engine (db/server_engine.py)
instead. Also the connection the services run hand-written SQLite SQL on, whichever
the backend (``qmark_connection``)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from db import errors
from db.errors import BUSY_TIMEOUT_MS
from db.server_engine import (
    QmarkConnection,
    is_server_url,
    make_server_engine,
    remember_connection,
)
from db.write_guard import WriteGuard, refuse_writes


def _on_connect(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    # NORMAL is durable across application crashes in WAL mode; FULL adds an fsync
    # per commit that protects only against power loss.
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()


def _file_identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def sqlite_uri(path: Path | str, **params: str) -> str:
    """A ``file:`` URI naming exactly ``path`` (every character of the name quoted, so
    ``%``, ``?``, ``#`` and the like stay part of the name), with SQLite's URI
    parameters, e.g. ``mode="ro"``, ``immutable="1"``."""
    uri = Path(os.path.abspath(path)).as_uri()
    if params:
        uri += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return uri


def connect_ro(
    path: Path | str, *, immutable: bool = False, timeout: float = BUSY_TIMEOUT_MS / 1000
) -> sqlite3.Connection:
    """A read-only sqlite3 connection to exactly ``path``. ``immutable``: the file is
    read as it is, ignoring any -wal, and nothing is created beside it (the only way
    to read a WAL-mode file in a folder SQLite may not write to)."""
    params = {"mode": "ro", **({"immutable": "1"} if immutable else {})}
    return sqlite3.connect(
        sqlite_uri(path, **params), uri=True, timeout=timeout, check_same_thread=False
    )


def make_engine(path: Path | str, *, read_only: str | None = None) -> Engine:
    """An engine on a server project for a ``postgresql://`` URL (``make_server_engine``);
    otherwise an engine on exactly the file ``path`` names: the connection is made by
    sqlite3.connect on the path itself, never through a URL SQLAlchemy would
    percent-decode or cut at ``?`` or ``#``.

    ``read_only``: "ro" opens the file read-only, "immutable" also ignores any -wal
    and creates nothing beside the file (a read-only folder or medium)."""
    if is_server_url(path):
        return make_server_engine(str(path))
    path = Path(os.path.abspath(path))
    timeout = BUSY_TIMEOUT_MS / 1000

    def connect() -> sqlite3.Connection:
        if read_only:
            return connect_ro(path, immutable=read_only == "immutable", timeout=timeout)
        return sqlite3.connect(str(path), timeout=timeout, check_same_thread=False)

    engine = create_engine(
        # the URL only picks the dialect and the pool; `creator` makes the connections
        URL.create("sqlite", database=str(path)),
        creator=connect,
        poolclass=QueuePool,
    )
    engine.write_guard = WriteGuard()  # type: ignore[attr-defined]
    if read_only:
        engine.write_guard.kind = "read_only"  # type: ignore[attr-defined]
        event.listen(engine, "connect", _on_connect_read_only)
    else:
        event.listen(engine, "connect", _on_connect)
    event.listen(engine, "before_cursor_execute", refuse_writes(engine.write_guard))  # type: ignore[attr-defined]
    _watch_file(engine, path)
    return engine


def _on_connect_read_only(dbapi_conn, _record) -> None:
    dbapi_conn.execute("PRAGMA foreign_keys = ON")
    dbapi_conn.execute("PRAGMA query_only = ON")


def _watch_file(engine: Engine, path: Path) -> None:
    """Refuse to commit into a file that was deleted, moved or replaced while open.

    On POSIX an open SQLite connection keeps writing into the unlinked file (the folder
    removed, the file moved to the bin): every later change would be lost without a word.
    One stat per commit catches it; the transaction is rolled back and the user told."""
    identity: list[tuple[int, int] | None] = [None]

    def remember(_dbapi_conn, _record) -> None:
        if identity[0] is None:
            identity[0] = _file_identity(path)

    def check(_conn) -> None:
        if identity[0] is None:
            return
        now = _file_identity(path)
        if now is None:
            raise errors.error_factory(
                "moved",
                f"{path}: the project file is gone (its folder was moved or deleted, or the "
                "drive was disconnected); the last change was not saved. Everything saved "
                "before is in the file wherever it went.",
            )
        if now != identity[0]:
            raise errors.error_factory(
                "moved",
                f"{path}: the project file was replaced by another file while open; the last "
                "change was not saved. Close the project and open it again.",
            )

    event.listen(engine, "connect", remember)
    event.listen(engine, "commit", check)


def advance_sequences(conn, *tables: str) -> None:
    """After rows were inserted with explicit ids (a copy, an import that keeps ids):
    move each table's id sequence past the largest id, so the next ordinary insert does
    not collide. PostgreSQL only; SQLite takes max(rowid) + 1 by itself."""
    if conn.dialect.name != "postgresql":
        return
    from sqlalchemy import text

    for table in tables:
        conn.execute(
            text(
                "SELECT setval(pg_get_serial_sequence(:t, 'id'), "
                f'coalesce((SELECT max(id) FROM "{table}"), 0) + 1, false)'
            ),
            {"t": table},
        )


def qmark_connection(session_or_connection):
    """The DB-API connection of a Session (or SQLAlchemy Connection) for SQLite-style
    SQL: sqlite3's own on a file, a ``QmarkConnection`` on a server."""
    conn = session_or_connection.connection()
    driver = conn.connection.driver_connection
    return QmarkConnection(driver, conn.info) if conn.dialect.name == "postgresql" else driver


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    maker = sessionmaker(engine, expire_on_commit=False)
    if engine.dialect.name == "postgresql":
        event.listen(maker, "after_begin", remember_connection)
    return maker
