"""The notes of a REFI-QDA project that its codings refer to, kept out of memory.

A project's ``<Notes>`` come after its ``<Sources>``, so the notes a coding refers to are
read in a first pass over the file and looked up in the second. They are kept in a
private temporary SQLite database (``sqlite3.connect("")``: on disk, deleted when it is
closed; SQLite holds a couple of MB of it in memory), so that a file of millions of notes
and references is read in bounded memory. Nothing is created for a file without notes.
"""

from __future__ import annotations

import sqlite3

_BATCH = 10_000


class NoteStore:
    """GUIDs referred to (:meth:`refer`), then the notes found for them (:meth:`put`),
    then their texts (:meth:`get`). A context manager: closing deletes it."""

    def __init__(self) -> None:
        self._db: sqlite3.Connection | None = None
        self._pending: set[str] = set()

    def __enter__(self) -> NoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = sqlite3.connect("")
            self._db.execute("PRAGMA temp_store = FILE")
            self._db.execute("PRAGMA journal_mode = OFF")
            self._db.execute("PRAGMA synchronous = OFF")
            self._db.execute(
                "CREATE TABLE note (guid TEXT PRIMARY KEY, found INTEGER NOT NULL DEFAULT 0,"
                " memo TEXT) WITHOUT ROWID"
            )
        return self._db

    def _flush(self) -> None:
        if self._pending:
            self._connection().executemany(
                "INSERT OR IGNORE INTO note (guid) VALUES (?)", ((g,) for g in self._pending)
            )
            self._pending.clear()

    def refer(self, guid: str | None) -> None:
        """A coding or selection refers to note ``guid`` (None: not a GUID, ignored)."""
        if guid is not None:
            self._pending.add(guid)
            if len(self._pending) >= _BATCH:
                self._flush()

    def _row(self, guid: str) -> tuple[int, str | None] | None:
        self._flush()
        if self._db is None:
            return None
        return self._db.execute("SELECT found, memo FROM note WHERE guid = ?", (guid,)).fetchone()

    def referenced(self, guid: str) -> bool:
        return self._row(guid) is not None

    def found(self, guid: str) -> bool:
        """A note with this GUID was read (and some coding refers to it)."""
        row = self._row(guid)
        return bool(row and row[0])

    def put(self, guid: str, memo: str | None) -> None:
        """The note ``guid`` was read: its memo text, None when it has none."""
        self._connection().execute(
            "UPDATE note SET found = 1, memo = ? WHERE guid = ?", (memo, guid)
        )

    def get(self, guid: str) -> str | None:
        row = self._row(guid)
        return row[1] if row else None
