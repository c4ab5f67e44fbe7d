"""Live updates of a server project, and what happens when its connection is lost.

Other clients' changes arrive through PostgreSQL's LISTEN/NOTIFY: the schema's
triggers (migration 0007) announce every committed change to the tables a window
shows on the project's channel, as ``table:document:application_name``. A
``Listener`` holds a connection of its own (autocommit) that listens there and turns
the notifications into ``Changes``, leaving out the ones this project's own
connections caused (they carry its ``engine.client_tag``). Where notifications do not
come through (a read-only replica refuses LISTEN; a pooler in transaction mode swallows
them: a notification sent to itself at the start never arrives; a table's trigger was
dropped or disabled on the server, so its changes are never announced), the listener compares
a fingerprint of those tables every ``POLL_S`` seconds instead (less often when reading
it takes long: ``POLL_SHARE``); it cannot tell its own changes from others' then.

A ``Watch`` runs a listener in a loop (in a thread of the caller's: it blocks) and
keeps it connected: when the connection drops it marks the project offline (every
session is refused at once with ``OFFLINE``, so that an action is refused with a
message, never half done nor queued), reconnects with growing pauses (``BACKOFF``) and,
once back, lifts the mark and says so: what changed meanwhile was not announced, so
whoever shows the project reads it again. No Qt here: the window's adapter is
desktop.ui.workbench.live."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from db.server_engine import mask_url, server_connect_args

# the tables the triggers announce, by what they change in a window
CODINGS = frozenset({"coding", "coding_value"})
CODEBOOK = frozenset({"code", "code_field"})
DOCUMENTS = frozenset({"document"})
CODERS = frozenset({"coder"})
SETTINGS = frozenset({"project"})
TABLES = CODINGS | CODEBOOK | DOCUMENTS | CODERS | SETTINGS

BACKOFF = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0)  # seconds between reconnection attempts
HEARTBEAT_S = 10.0  # an idle connection is checked this often
POLL_S = 2.0  # the fallback's interval
# ... at least this many times the fingerprint's last reading: a window's polling keeps
# the server busy a twentieth of the time at most, however large the project grows (at a
# million codings, about every 3 s instead of 2)
POLL_SHARE = 20
PROBE_S = 2.0  # how long the first notification (sent to itself) may take
SLICE_S = 0.25  # the loop looks at its stop flag at least this often
LISTENER_CONNECT_TIMEOUT_S = 5
PROBE = "probe"

OFFLINE = (
    "The connection to the server is lost; Tessera is reconnecting. Nothing was "
    "changed: try again when the status bar says the connection is back."
)

LISTENING, POLLING, LOST, BACK = "listening", "polling", "lost", "back"


@dataclass
class Changes:
    """What other clients changed, gathered from one or more notifications."""

    tables: set[str] = field(default_factory=set)
    # documents whose codings changed; 0: some document's, which one is not known
    coded: set[int] = field(default_factory=set)

    def add(self, table: str, document_id: int) -> None:
        if table not in TABLES:
            return
        self.tables.add(table)
        if table in CODINGS:
            self.coded.add(document_id)

    def merge(self, other: Changes) -> None:
        self.tables |= other.tables
        self.coded |= other.coded

    def __bool__(self) -> bool:
        return bool(self.tables)

    def codings_of(self, document_id: int | None) -> bool:
        """Whether the codings of ``document_id`` may have changed."""
        return document_id is not None and bool(self.coded & {0, document_id})

    @property
    def codings(self) -> bool:
        return bool(self.tables & CODINGS)

    @property
    def codebook(self) -> bool:
        return bool(self.tables & CODEBOOK)

    @property
    def documents(self) -> bool:
        return bool(self.tables & DOCUMENTS)

    @property
    def coders(self) -> bool:
        return bool(self.tables & CODERS)

    @property
    def settings(self) -> bool:
        return bool(self.tables & SETTINGS)

    @classmethod
    def everything(cls) -> Changes:
        return cls(set(TABLES), {0})


def parse(payload: str, own_tag: str) -> tuple[str, int] | None:
    """(table, document id) of a notification's payload, or None for one of this
    client's own changes (its application_name starts with ``own_tag``), a probe, or a
    payload that is not one of ours."""
    table, _, rest = payload.partition(":")
    document, _, sender = rest.partition(":")
    if sender == own_tag or sender.startswith(own_tag + " ") or table == PROBE:
        return None
    try:
        return table, int(document)
    except ValueError:
        return None


class ListenerLost(Exception):
    """The listener's connection failed; str() says why (no password in it)."""


# the fingerprint the fallback compares: rows and the sum of their transaction ids per
# table (and per document for codings): any insert, update or delete changes it
_FINGERPRINT = " UNION ALL ".join(
    ["SELECT 'coding', document_id, count(*), sum(xmin::text::bigint) FROM coding "
     "GROUP BY document_id"]
    + [f"SELECT '{t}', 0, count(*), sum(xmin::text::bigint) FROM {t}"
       for t in sorted(TABLES - {"coding"})]
)  # fmt: skip


# how many of the announcing tables have no enabled trigger to announce their changes
# (dropped or disabled on the server, by hand or by a restore of an older dump)
_SILENT_TABLES = """
SELECT count(*) FROM unnest(%s::text[]) AS t(name)
WHERE NOT EXISTS (
    SELECT 1 FROM pg_trigger g
    WHERE g.tgrelid = to_regclass(format('%%I', t.name))
      AND g.tgname = 'tessera_live' AND g.tgenabled <> 'D'
)
"""


class Listener:
    """One connection that hears a server project's changes (see the module's doc)."""

    def __init__(self, project, *, poll: bool = False) -> None:
        if not project.is_server:
            raise ValueError("live updates are for server projects")
        self.project = project
        self.tag: str = project.engine.client_tag
        self.force_poll = poll
        self.mode: str | None = None  # LISTENING or POLLING once connected
        self.conn = None
        self._channel = ""
        self._fingerprint: dict[tuple[str, int], tuple[int, int]] | None = None
        self._next_poll = 0.0

    # -- connecting ------------------------------------------------------------------
    def connect(self) -> str:
        """Open the connection and start listening (or polling); returns the mode.
        ListenerLost if the server cannot be reached."""
        import psycopg
        from psycopg import sql

        url = self.project.engine.url
        args = server_connect_args(url, self.tag)
        # an idle connection that the network silently dropped is noticed in seconds
        args.update(keepalives=1, keepalives_idle=5, keepalives_interval=2, keepalives_count=3)
        if "connect_timeout" not in url.query:  # a window being closed waits for it
            args["connect_timeout"] = LISTENER_CONNECT_TIMEOUT_S
        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.close()
        try:
            conn = psycopg.connect(conninfo, autocommit=True, **args)
        except psycopg.Error as exc:
            raise ListenerLost(self._say(exc)) from None
        self.conn = conn
        try:
            self.mode = POLLING if self.force_poll else self._listen(sql)
            if self.mode == POLLING:
                started = time.monotonic()
                self._fingerprint = self._read_fingerprint()
                self._schedule_poll(started)
        except psycopg.Error as exc:
            self.close()
            raise ListenerLost(self._say(exc)) from None
        return self.mode

    def _listen(self, sql) -> str:
        """LISTEN, then send a probe to itself: LISTENING if it comes back."""
        import psycopg

        conn = self.conn
        try:
            self._channel = conn.execute("SELECT tessera_channel()").fetchone()[0]
            if conn.execute(_SILENT_TABLES, (sorted(TABLES),)).fetchone()[0]:
                return POLLING  # a table's trigger is gone or disabled: it would say nothing
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel)))
            conn.execute("SELECT pg_notify(%s, %s)", (self._channel, f"{PROBE}:0:{self.tag}"))
        except psycopg.OperationalError:
            raise
        except psycopg.Error:
            # no channel (an older server schema) or no LISTEN here (a read-only replica)
            return POLLING
        for n in conn.notifies(timeout=PROBE_S):
            if n.channel == self._channel and n.payload.startswith(PROBE + ":"):
                return LISTENING
        conn.execute(sql.SQL("UNLISTEN {}").format(sql.Identifier(self._channel)))
        return POLLING

    def close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # a broken connection closes anyway
                conn.close()

    # -- hearing -----------------------------------------------------------------------
    def wait(self, timeout: float) -> Changes:
        """Other clients' changes that arrive within ``timeout`` seconds (returns as
        soon as there are some). ListenerLost if the connection fails."""
        import psycopg

        if self.conn is None:
            raise ListenerLost("not connected")
        changes = Changes()
        try:
            if self.mode == POLLING:
                now = time.monotonic()
                if now < self._next_poll:
                    time.sleep(min(timeout, self._next_poll - now))
                    return changes
                changes = self._compare()
                self._schedule_poll(now)
                return changes
            for n in self.conn.notifies(timeout=timeout, stop_after=1):
                self._hear(n, changes)
            if changes:  # the rest of a burst, without waiting
                for n in self.conn.notifies(timeout=0):
                    self._hear(n, changes)
        except psycopg.Error as exc:
            self.close()
            raise ListenerLost(self._say(exc)) from None
        if self.conn.closed:
            self.close()
            raise ListenerLost("the server closed the connection")
        return changes

    def _hear(self, n, changes: Changes) -> None:
        if n.channel != self._channel:
            return
        found = parse(n.payload, self.tag)
        if found is not None:
            changes.add(*found)

    def check(self) -> None:
        """A round trip to the server; ListenerLost if it fails."""
        import psycopg

        if self.conn is None:
            raise ListenerLost("not connected")
        try:
            self.conn.execute("SELECT 1")
        except psycopg.Error as exc:
            self.close()
            raise ListenerLost(self._say(exc)) from None

    def _schedule_poll(self, started: float) -> None:
        """The next poll: POLL_S after this one started, or later if reading the
        fingerprint took more than a POLL_SHARE-th of that."""
        took = time.monotonic() - started
        self._next_poll = started + max(POLL_S, POLL_SHARE * took)

    def _read_fingerprint(self) -> dict[tuple[str, int], tuple[int, int]]:
        rows = self.conn.execute(_FINGERPRINT).fetchall()
        return {(t, int(d)): (int(n), int(x or 0)) for t, d, n, x in rows}

    def _compare(self) -> Changes:
        now = self._read_fingerprint()
        before, self._fingerprint = self._fingerprint or {}, now
        changes = Changes()
        for key in now.keys() | before.keys():
            if now.get(key) != before.get(key):
                changes.add(*key)
        return changes

    def _say(self, exc: BaseException) -> str:
        """The first line of a driver's error, with any password masked."""
        said = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        password = self.project.engine.url.password
        if password:
            said = said.replace(str(password), "***")
        return f"{mask_url(self.project.engine.url)}: {said}"


class Watch:
    """Keeps a ``Listener`` connected and reports what it hears. ``run`` blocks until
    ``stop``; the callbacks are called from its thread: ``on_changes(Changes)`` and
    ``on_state(state, detail)`` with state LISTENING, POLLING (connected; detail empty),
    LOST (detail: why, and when the next attempt is) or BACK (connected again, in the
    mode given as detail)."""

    def __init__(
        self,
        project,
        *,
        on_changes: Callable[[Changes], None],
        on_state: Callable[[str, str], None],
        poll: bool = False,
        backoff: tuple[float, ...] | None = None,
    ) -> None:
        self.project = project
        self.listener = Listener(project, poll=poll)
        self.on_changes, self.on_state = on_changes, on_state
        self.backoff = backoff or BACKOFF
        self.lost = False
        self._stop = threading.Event()
        self._suspect = threading.Event()
        project.connection_lost_hooks.append(self._suspect.set)

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        attempt = 0
        next_check = time.monotonic() + HEARTBEAT_S
        try:
            while not self._stop.is_set():
                if self.listener.conn is None:
                    try:
                        mode = self.listener.connect()
                    except ListenerLost as exc:
                        pause = self.backoff[min(attempt, len(self.backoff) - 1)]
                        attempt += 1
                        self._lose(f"{exc} (next attempt in {pause:g} s)")
                        self._stop.wait(pause)
                        continue
                    attempt = 0
                    next_check = time.monotonic() + HEARTBEAT_S
                    if self.lost:
                        self.lost = False
                        self.project.offline = None
                        self._say(BACK, mode)
                    else:
                        self._say(mode, "")
                try:
                    if self._suspect.is_set() or time.monotonic() >= next_check:
                        self._suspect.clear()
                        self.listener.check()
                        next_check = time.monotonic() + HEARTBEAT_S
                    changes = self.listener.wait(SLICE_S)
                except ListenerLost as exc:
                    # the first attempt again waits a moment: a server restarting, or the
                    # network coming back, is not there at once
                    pause = self.backoff[0]
                    attempt = 1
                    self._lose(f"{exc} (next attempt in {pause:g} s)")
                    self._stop.wait(pause)
                    continue
                if changes and not self._stop.is_set():
                    next_check = time.monotonic() + HEARTBEAT_S
                    self.on_changes(changes)
        finally:
            self.listener.close()
            if self._suspect.set in self.project.connection_lost_hooks:
                self.project.connection_lost_hooks.remove(self._suspect.set)
            if self.lost:
                self.project.offline = None

    def _lose(self, why: str) -> None:
        self.project.offline = OFFLINE
        self.lost = True
        self._say(LOST, why)

    def _say(self, state: str, detail: str) -> None:
        if not self._stop.is_set():  # (whoever stopped it no longer listens)
            self.on_state(state, detail)
