"""Server projects: the engine on a PostgreSQL database (a ``postgresql://`` URL)
through psycopg 3, its URL shown without a password, the connection parameters every
client's connections carry, SQLite's SQL run on a server connection
(``QmarkConnection``), and what became of a transaction whose COMMIT met a lost
connection."""

from __future__ import annotations

import re
import time

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.orm import Session

from db import errors
from db.write_guard import WriteGuard, refuse_writes

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
        raise errors.error_factory(
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
    event.listen(engine, "before_cursor_execute", refuse_writes(engine.write_guard))  # type: ignore[attr-defined]
    event.listen(engine, "before_cursor_execute", _note_write)
    event.listen(engine, "begin", _forget_writes)
    return engine


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


# A server session's connection, and whether its transaction has written (a plain SELECT
# does not): only then is its id asked for before COMMIT (``open_transaction_id``), so
# that reads pay no extra round trip.
_SESSION_CONNECTION = "tessera_connection"
_WROTE = "tessera_wrote"
_READ = re.compile(r"^\s*SELECT\b(?!.*\b(?:setval|nextval|pg_notify)\s*\()", re.I | re.S)


def remember_connection(session, _transaction, connection) -> None:
    """A server session's ``after_begin`` listener: keep its connection for
    ``open_transaction_id``."""
    session.info[_SESSION_CONNECTION] = connection


def _note_write(conn, _cursor, statement, _params, _context, _executemany) -> None:
    if not _READ.match(statement):
        conn.info[_WROTE] = True


def _forget_writes(conn) -> None:
    conn.info.pop(_WROTE, None)


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
