"""Engine and session setup for one project file: SQLite in WAL mode with foreign
keys on and a busy timeout, so a second process waits instead of failing. A server
project (a ``postgresql://`` URL) gets a PostgreSQL engine through psycopg 3 instead.

Also the storage facts the layers above need to tell a user what went wrong: which
SQLite errors mean "the disk is full", "the file is read-only", "the project is in use"
or "the file is damaged" (``describe_error``), and an integrity check."""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

BUSY_TIMEOUT_MS = 10_000


class StorageError(Exception):
    """Storage refused a read or a write; ``kind`` names why, str() says it to a user.

    kinds: disk_full, read_only, in_use, missing, moved, damaged, io."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


# The services replace this with a factory of their own error type (a ServiceError), so
# that a failure detected here reaches the user as a message, never as a traceback.
error_factory: Callable[[str, str], Exception] = StorageError


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


class WriteGuard:
    """Refuses writes through an engine while ``refusal`` is set (a damaged or
    read-only project): the message says why and what to do. Reads go on."""

    def __init__(self) -> None:
        self.refusal: str | None = None
        self.kind = "damaged"


_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|VACUUM|REINDEX)\b", re.I)


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
    event.listen(engine, "before_cursor_execute", _refuse_writes(engine.write_guard))  # type: ignore[attr-defined]
    _watch_file(engine, path)
    return engine


def _on_connect_read_only(dbapi_conn, _record) -> None:
    dbapi_conn.execute("PRAGMA foreign_keys = ON")
    dbapi_conn.execute("PRAGMA query_only = ON")


def _refuse_writes(guard: WriteGuard):
    def check(_conn, _cursor, statement, _params, _context, _executemany) -> None:
        if guard.refusal is not None and _WRITE.match(statement):
            raise error_factory(guard.kind, guard.refusal)

    return check


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
            raise error_factory(
                "moved",
                f"{path}: the project file is gone (its folder was moved or deleted, or the "
                "drive was disconnected); the last change was not saved. Everything saved "
                "before is in the file wherever it went.",
            )
        if now != identity[0]:
            raise error_factory(
                "moved",
                f"{path}: the project file was replaced by another file while open; the last "
                "change was not saved. Close the project and open it again.",
            )

    event.listen(engine, "connect", remember)
    event.listen(engine, "commit", check)


# -- server projects (PostgreSQL) --------------------------------------------------------

SERVER_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


def is_server_url(target: object) -> bool:
    """True for a PostgreSQL URL (a server project); a path (even one with a colon or
    ``//`` in it) is never taken for one unless it starts with such a scheme."""
    return (
        isinstance(target, str)
        and target.split("://", 1)[0].lower() in SERVER_SCHEMES
        and "://" in target
    )


def server_url(url: str) -> URL:
    """The SQLAlchemy URL for a server project, on the psycopg 3 driver. Query
    parameters (``sslmode``, ``sslrootcert``, ``host`` for a socket folder, ...) are
    handed to libpq as they are, which honours them."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise error_factory(
            "missing", f"{mask_url(url)}: not a valid PostgreSQL URL ({exc})"
        ) from exc
    return parsed.set(drivername="postgresql+psycopg")


def mask_url(url: str | URL) -> str:
    """The URL as shown to a user: any password replaced by ``***`` (also in a URL that
    does not parse, so that no message or log ever carries one)."""
    from sqlalchemy.engine import make_url

    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except Exception:
        return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", str(url))
    shown = parsed.set(drivername=parsed.drivername.split("+")[0])
    return shown.render_as_string(hide_password=True)


# How long a server may take to answer a connection, and to acknowledge what was sent
# on one (a network that drops packets fails an action in seconds, not after the
# system's TCP timeout of many minutes); a URL's own ``connect_timeout`` and
# ``tcp_user_timeout`` win.
CONNECT_TIMEOUT_S = 10
TCP_USER_TIMEOUT_MS = 15_000


def server_connect_args(parsed: URL, tag: str) -> dict[str, object]:
    """libpq parameters for every connection of one client: its ``application_name``
    starts with ``tag`` (a client finds its own changes among the notifications by it;
    an ``application_name`` in the URL follows the tag), and the timeouts above."""
    query = parsed.query
    given = query.get("application_name")
    args: dict[str, object] = {
        "application_name": f"{tag} {given}"[:63] if isinstance(given, str) else tag
    }
    if "connect_timeout" not in query:
        args["connect_timeout"] = CONNECT_TIMEOUT_S
    if "tcp_user_timeout" not in query:
        args["tcp_user_timeout"] = TCP_USER_TIMEOUT_MS
    return args


def new_client_tag() -> str:
    import secrets

    return f"tessera-{secrets.token_hex(5)}"


def make_server_engine(url: str) -> Engine:
    """An engine on a PostgreSQL database. ``pool_pre_ping`` replaces a connection the
    server dropped (restart, network) before it is used, instead of failing the next
    action; the write guard works as on a file. ``engine.client_tag`` is the tag every
    connection of this engine carries in its ``application_name``."""
    parsed, tag = server_url(url), new_client_tag()
    engine = create_engine(
        parsed, pool_pre_ping=True, connect_args=server_connect_args(parsed, tag)
    )
    engine.client_tag = tag  # type: ignore[attr-defined]
    engine.write_guard = WriteGuard()  # type: ignore[attr-defined]
    event.listen(engine, "before_cursor_execute", _refuse_writes(engine.write_guard))  # type: ignore[attr-defined]
    event.listen(engine, "before_cursor_execute", _note_write)
    event.listen(engine, "begin", _forget_writes)
    return engine


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


class QmarkConnection:
    """The DB-API connection under a session, taking SQLite's SQL (``?`` placeholders
    and a few SQLite functions) on either backend, for the services that run
    hand-written SQL for speed. On SQLite it is the sqlite3 connection itself; on
    PostgreSQL each statement is translated: ``?`` to ``%s``, ``instr`` to ``strpos``,
    ``json_extract(x, '$."key"')`` to ``x ->> 'key'``, ``NOT INDEXED`` dropped
    (``json_each`` exists on both)."""

    _STRING_OR_MARK = re.compile(r"'(?:[^']|'')*'|\?|%")
    _JSON_EXTRACT = re.compile(r"""json_extract\(([\w.]+), '\$\."((?:[^"']|""|'')*)"'\)""")

    def __init__(self, conn, info: dict | None = None) -> None:
        self._conn = conn
        self._info = info  # the SQLAlchemy connection's: a write is noted there

    def _note(self, sql: str) -> None:
        if self._info is not None and not _READ.match(sql):
            self._info[_WROTE] = True

    @classmethod
    def translate(cls, sql: str) -> str:
        sql = cls._JSON_EXTRACT.sub(
            lambda m: f"({m.group(1)} ->> '{m.group(2).replace(chr(34) * 2, chr(34))}')", sql
        )
        sql = re.sub(r"\binstr\(", "strpos(", sql).replace(" NOT INDEXED", "")

        def mark(m: re.Match[str]) -> str:
            token = m.group(0)
            if token == "?":
                return "%s"
            return token.replace("%", "%%")

        return cls._STRING_OR_MARK.sub(mark, sql)

    def execute(self, sql: str, params=()):
        self._note(sql)
        return self._conn.execute(self.translate(sql), tuple(params))

    def executemany(self, sql: str, rows):
        self._note(sql)
        cur = self._conn.cursor()
        cur.executemany(self.translate(sql), [tuple(r) for r in rows])
        return cur


def qmark_connection(session_or_connection):
    """The DB-API connection of a Session (or SQLAlchemy Connection) for SQLite-style
    SQL: sqlite3's own on a file, a ``QmarkConnection`` on a server."""
    conn = session_or_connection.connection()
    driver = conn.connection.driver_connection
    return QmarkConnection(driver, conn.info) if conn.dialect.name == "postgresql" else driver


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    maker = sessionmaker(engine, expire_on_commit=False)
    if engine.dialect.name == "postgresql":
        event.listen(maker, "after_begin", _remember_connection)
    return maker


# A server session's connection, and whether its transaction has written (a plain SELECT
# does not): only then is its id asked for before COMMIT (``open_transaction_id``), so
# that reads pay no extra round trip.
_SESSION_CONNECTION = "tessera_connection"
_WROTE = "tessera_wrote"
_READ = re.compile(r"^\s*SELECT\b(?!.*\b(?:setval|nextval|pg_notify)\s*\()", re.I | re.S)


def _remember_connection(session, _transaction, connection) -> None:
    session.info[_SESSION_CONNECTION] = connection


def _note_write(conn, _cursor, statement, _params, _context, _executemany) -> None:
    if not _READ.match(statement):
        conn.info[_WROTE] = True


def _forget_writes(conn) -> None:
    conn.info.pop(_WROTE, None)


# -- what an error means -------------------------------------------------------------

_DISK_FULL = ("database or disk is full", "no space left on device")
_READ_ONLY = ("readonly database", "read-only file system", "permission denied")
_IN_USE = ("database is locked", "database table is locked", "database schema is locked")
_DAMAGED = ("malformed", "file is not a database", "file is encrypted or is not a database")


def describe_error(exc: BaseException, path: Path | str | None = None) -> StorageError | None:
    """A StorageError with a user's explanation for a storage failure (a sqlite3 error,
    an OSError, or either wrapped by SQLAlchemy), or None if ``exc`` is something else
    (a bug, a constraint violation, ...)."""
    if isinstance(exc, StorageError):
        return exc
    orig = getattr(exc, "orig", None)
    if orig is not None and orig is not exc:
        return describe_error(orig, path)
    where = f"{path}: " if path else ""
    saved = " Everything saved before is intact."
    if isinstance(exc, OSError):
        import errno

        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
            return StorageError(
                "disk_full", f"{where}the disk is full; free some space and try again.{saved}"
            )
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return StorageError(
                "read_only",
                f"{where}the project file (or its folder) is read-only; copy the project "
                f"somewhere you can write to, or change its permissions.{saved}",
            )
        if exc.errno == errno.ENOENT:
            return StorageError(
                "missing",
                f"{where}the project file or its folder is gone (moved, deleted or disconnected).",
            )
        return StorageError(
            "io", f"{where}the disk reported an error ({exc.strerror or exc}).{saved}"
        )
    if type(exc).__module__.startswith("psycopg"):
        return _describe_server_error(exc, where, saved)
    if not isinstance(exc, sqlite3.Error):
        return None
    text = str(exc).lower()
    code = getattr(exc, "sqlite_errorname", "") or ""
    if code == "SQLITE_FULL" or any(s in text for s in _DISK_FULL):
        return StorageError(
            "disk_full",
            f"{where}the disk is full; the last change was not saved. Free some space and try again.{saved}",
        )
    if code.startswith("SQLITE_READONLY") or any(s in text for s in _READ_ONLY):
        return StorageError(
            "read_only",
            f"{where}the project file (or its folder) is read-only, so changes cannot be "
            f"saved; copy the project somewhere you can write to.{saved}",
        )
    if (
        code.startswith("SQLITE_BUSY")
        or code.startswith("SQLITE_LOCKED")
        or any(s in text for s in _IN_USE)
    ):
        return StorageError(
            "in_use",
            f"{where}the project is in use by another Tessera window or command and stayed "
            f"busy for {BUSY_TIMEOUT_MS // 1000} s; try again when it has finished.{saved}",
        )
    if (
        code.startswith("SQLITE_CORRUPT")
        or code == "SQLITE_NOTADB"
        or any(s in text for s in _DAMAGED)
    ):
        return StorageError(
            "damaged",
            f"{where}the project file is damaged; bring back a backup with "
            f"`tessera restore` (File > Restore in the window).",
        )
    if code.startswith("SQLITE_CANTOPEN") or "unable to open database file" in text:
        return StorageError(
            "missing",
            f"{where}the project file cannot be opened: it, or its folder, is gone or not "
            f"accessible (moved, deleted, disconnected, or no permission).",
        )
    if code.startswith("SQLITE_IOERR") or "disk i/o error" in text:
        return StorageError(
            "io", f"{where}the disk reported an error while reading or saving.{saved}"
        )
    return None


# What a lost connection's message says about the last change. When the connection
# went during COMMIT, the client cannot know from the error whether the server committed:
# ``commit_outcome`` asks the server afterwards, and ``restate_lost_commit`` says what it
# answered instead of NOT_SAVED.
NOT_SAVED = "the last change was not saved. Try again when the server can be reached."
SAVED_ANYWAY = (
    "this happened as the last change was being saved, and the server did save the last "
    "change all the same: it need not be made again."
)
MAYBE_SAVED = (
    "this happened as the last change was being saved, and whether the server saved it "
    "cannot be known until the server can be reached again: look at what is stored "
    "before making it again."
)
OUTCOME_WAIT_S = 3.0  # how long a transaction the server is still ending may take


def open_transaction_id(session: Session) -> str | None:
    """The id of the server transaction ``session`` has open, once it has written
    something (None while it has only read): asked just before COMMIT, so that
    ``commit_outcome`` can find out afterwards what became of it."""
    from sqlalchemy import text

    conn = session.info.get(_SESSION_CONNECTION)
    if conn is None or conn.closed or not conn.info.get(_WROTE):
        return None
    return conn.execute(text("SELECT pg_current_xact_id_if_assigned()::text")).scalar()


def commit_outcome(engine: Engine, xid: str) -> str | None:
    """What became of server transaction ``xid`` whose COMMIT met a lost connection:
    "committed", "aborted", or None when the server cannot be asked (still unreachable)
    or does not say within OUTCOME_WAIT_S."""
    import psycopg

    url = engine.url.set(drivername="postgresql")
    conninfo = url.render_as_string(hide_password=False)
    args = server_connect_args(engine.url, getattr(engine, "client_tag", "tessera"))
    args["connect_timeout"] = max(2, int(OUTCOME_WAIT_S))
    deadline = time.monotonic() + OUTCOME_WAIT_S
    try:
        with psycopg.connect(conninfo, autocommit=True, **args) as conn:
            while True:
                status = conn.execute("SELECT pg_xact_status(%s::xid8)", (xid,)).fetchone()[0]
                if status in ("committed", "aborted"):
                    return status
                if time.monotonic() >= deadline:  # "in progress": the old process lingers
                    return None
                time.sleep(0.05)
    except psycopg.Error:
        return None


def restate_lost_commit(message: str, outcome: str | None) -> str:
    """A lost connection's ``message`` with what ``commit_outcome`` found instead of
    the blanket NOT_SAVED (which stays for "aborted")."""
    if outcome == "aborted":
        return message
    said = SAVED_ANYWAY if outcome == "committed" else MAYBE_SAVED
    return message.replace(NOT_SAVED, said)


def _describe_server_error(exc: BaseException, where: str, saved: str) -> StorageError | None:
    """The same explanations for a PostgreSQL server's refusals (by SQLSTATE)."""
    state = getattr(exc, "sqlstate", None) or ""
    said = (str(exc).strip().splitlines() or [""])[0]
    if state in ("28P01", "28000"):
        return StorageError("permission", f"{where}the server refused the login ({said}).")
    if (
        state.startswith("08")
        or state in ("57P01", "57P02", "57P03")
        or (not state and type(exc).__name__ == "OperationalError")
    ):
        return StorageError(
            "connection",
            f"{where}the connection to the server failed or was lost ({said}); {NOT_SAVED}{saved}",
        )
    if state == "53100":
        return StorageError(
            "disk_full", f"{where}the server's disk is full; the last change was not saved.{saved}"
        )
    if state == "25006":
        return StorageError(
            "read_only",
            f"{where}the server accepts only reads now (a read-only replica or transaction).{saved}",
        )
    if state == "42501":
        return StorageError(
            "permission",
            f"{where}your database role may not do this ({said}); ask the project's owner.{saved}",
        )
    if state in ("40001", "40P01", "55P03"):
        return StorageError(
            "in_use",
            f"{where}another coder changed the same thing at the same moment; the last change "
            f"was not saved. Try again.{saved}",
        )
    return None


# -- integrity -------------------------------------------------------------------------


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
        raise error_factory(
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
