"""The notes of a REFI-QDA project, kept out of memory while the project is read.

A project's ``<Notes>`` come after its ``<CodeBook>`` and ``<Sources>``, so the notes that
codings, sources and codes refer to are read in a first pass over the file and looked up
afterwards. Every note is kept (its text, name, creator and date), and marked when
something Tessera keeps a memo on (a coding or its selection, a source, a code) refers to
it: the notes nothing of that kind refers to are the project's own notes (its journal).
They are kept in a private temporary SQLite database (``sqlite3.connect("")``: on disk,
deleted when it is closed; SQLite holds a couple of MB of it in memory), so that a file
of millions of notes and references is read in bounded memory. Nothing is created for a
file without notes.

A note's text is its ``PlainTextContent``, else its ``internal://`` plain text file (read
with a size cap by the caller), else its ``Description``; line ends are made LF and the
text is stripped (:func:`note_from_xml`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from desktop.core.exchange.refi_common import child, element_text, normalise_guid

_BATCH = 10_000


@dataclass
class RefiNote:
    """A note of the project that no coding, source or code refers to: a journal entry.
    ``user`` is the GUID of its creatingUser (None: the file names none)."""

    guid: str
    name: str
    text: str
    user: str | None = None
    created: datetime | None = None


def memo_text(raw: str) -> str:
    """A note's text as a memo: no BOM or NUL, LF line ends, no surrounding whitespace."""
    return (
        raw.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    )


def join_memos(texts: list[str]) -> str:
    """Several notes (and descriptions) of one thing as one memo: each once, in order,
    separated by a blank line."""
    return "\n\n".join(dict.fromkeys(t for t in texts if t))


def parse_datetime(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw.strip())
    except ValueError:
        return None


def note_from_xml(
    el: etree._Element, archive_text: Callable[[str], str | None]
) -> tuple[str | None, bool]:
    """(its text as a memo or None, whether it could be read) of a ``<Note>``;
    ``archive_text`` reads its ``plainTextPath`` (None, warned by it, when it cannot)."""
    text: str | None = ""
    inline = child(el, "PlainTextContent")
    path = (el.get("plainTextPath") or "").strip()
    if inline is not None:
        text = element_text(inline)
    elif path:
        text = archive_text(path)
    memo = memo_text(text or "") or memo_text(element_text(child(el, "Description")))
    return memo or None, text is not None


class NoteStore:
    """GUIDs referred to (:meth:`refer`) and the notes read (:meth:`put`), in any order;
    then their texts (:meth:`get`), the notes a source refers to (:meth:`owned`) and the
    project's own (:meth:`project_notes`). A context manager: closing deletes it."""

    def __init__(self) -> None:
        self._db: sqlite3.Connection | None = None
        self._pending: set[str] = set()
        self._owned: list[tuple[str, str]] = []
        self._seq = 0

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
                " used INTEGER NOT NULL DEFAULT 0, seq INTEGER, memo TEXT, name TEXT,"
                " user TEXT, created TEXT) WITHOUT ROWID"
            )
            self._db.execute(
                "CREATE TABLE owned (owner TEXT, seq INTEGER, guid TEXT, "
                "PRIMARY KEY (owner, seq)) WITHOUT ROWID"
            )
        return self._db

    def _flush(self) -> None:
        if self._pending:
            self._connection().executemany(
                "INSERT INTO note (guid, used) VALUES (?, 1) ON CONFLICT (guid) DO UPDATE "
                "SET used = 1",
                ((g,) for g in self._pending),
            )
            self._pending.clear()
        if self._owned:
            self._connection().executemany(
                "INSERT OR IGNORE INTO owned VALUES (?, ?, ?)",
                ((owner, i, g) for i, (owner, g) in enumerate(self._owned, self._seq)),
            )
            self._seq += len(self._owned)
            self._owned.clear()

    def refer(self, guid: str | None, owner: str | None = None) -> None:
        """A coding, selection, code or source refers to note ``guid`` (None: not a GUID,
        ignored); ``owner`` is the GUID of the source, whose notes :meth:`owned` gives."""
        if guid is not None:
            self._pending.add(guid)
            if owner is not None:
                self._owned.append((owner, guid))
            if len(self._pending) >= _BATCH or len(self._owned) >= _BATCH:
                self._flush()

    def _row(self, guid: str) -> tuple[int, str | None, str | None] | None:
        self._flush()
        if self._db is None:
            return None
        return self._db.execute(
            "SELECT found, memo, name FROM note WHERE guid = ?", (guid,)
        ).fetchone()

    def found(self, guid: str) -> bool:
        """A note with this GUID was read."""
        row = self._row(guid)
        return bool(row and row[0])

    def put(self, guid: str, memo: str | None, el: etree._Element | None = None) -> None:
        """The note ``guid`` was read: its memo text (None when it has none), and its
        name, creator and date from ``el``."""
        name = user = created = None
        if el is not None:
            name = (el.get("name") or "").strip() or None
            user = normalise_guid(el.get("creatingUser"))
            created = el.get("creationDateTime")
        self._connection().execute(
            "INSERT INTO note (guid, found, seq, memo, name, user, created) "
            "VALUES (?, 1, ?, ?, ?, ?, ?) ON CONFLICT (guid) DO UPDATE SET found = 1, "
            "seq = excluded.seq, memo = excluded.memo, name = excluded.name, "
            "user = excluded.user, created = excluded.created",
            (guid, self._next_seq(), memo, name, user, created),
        )

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def get(self, guid: str) -> str | None:
        """The text of a note as a memo (None: it has none)."""
        row = self._row(guid)
        return row[1] if row else None

    def owned(self, owner: str) -> list[str]:
        """The GUIDs of the notes source ``owner`` refers to, in file order."""
        self._flush()
        if self._db is None:
            return []
        return [g for (g,) in self._db.execute(
            "SELECT guid FROM owned WHERE owner = ? ORDER BY seq", (owner,)
        )]  # fmt: skip

    def project_notes(self) -> Iterator[RefiNote]:
        """The notes read that nothing with a memo refers to, in file order."""
        self._flush()
        if self._db is None:
            return
        rows = self._db.execute(
            "SELECT guid, name, memo, user, created FROM note WHERE found = 1 AND used = 0 "
            "ORDER BY seq"
        )
        for guid, name, memo, user, created in rows:
            yield RefiNote(guid, name or "", memo or "", user, parse_datetime(created))
