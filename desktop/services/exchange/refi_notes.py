"""The notes of a REFI-QDA exchange that are not coding memos: the project's own notes
(its journal), the project's description, and the memos of codes and documents.

Import: every note of the file that no coding, source or code refers to becomes a
journal entry (its name the title, its text, creator and date kept, its GUID too, so a
second import of the same file adds nothing); the project's ``<Description>`` becomes
the journal entry titled :data:`PROJECT_DESCRIPTION`, unless a journal entry already
holds that text. A memo for a code or document the project has already is filled in
when the project's is empty; where both differ, the project's is kept and a warning says
so. Export: the journal entries are the project's Notes, and the entry titled
:data:`PROJECT_DESCRIPTION` is also the project's Description.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import models as m
from desktop.core.exchange.refi import normalise_guid
from desktop.core.exchange.refi_project_writer import NoteOut, UserOut, derived_guid
from desktop.services.exchange.refi_store import short
from desktop.services.project import audit

#: The title of the journal entry that holds the project's description.
PROJECT_DESCRIPTION = "Project description"
_BATCH = 1000
_TITLE_MAX = 300
_AUTHOR_MAX = 200


def naive_utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def import_journal(s: Session, actor: str, stream, report, warn: Callable[[str], None]) -> None:
    """The file's project notes and description into the journal (see the docstring)."""
    held = {normalise_guid(guid): text for guid, text in s.execute(
        select(m.JournalEntry.guid, m.JournalEntry.text).where(m.JournalEntry.guid.is_not(None))
    )}  # fmt: skip
    now = m.utcnow()
    batch: list[m.JournalEntry] = []

    def flush(*, notes: bool = True) -> None:
        s.add_all(batch)
        s.flush()
        audit.record_many(s, actor, "create", "journal_entry",
                          [(e.id, None, {"title": e.title, "text": e.text}) for e in batch])  # fmt: skip
        report.journal_added += len(batch) if notes else 0
        batch.clear()

    for note in stream.project_notes():
        if note.guid in held:
            report.journal_matched += 1
            if held[note.guid] != note.text:
                warn(f"journal entry {note.name or short(note.text)} is in the project with "
                     f"another text: the project's is kept")  # fmt: skip
            continue
        if not (note.name or note.text):  # warned by the reader
            continue
        if len(note.name) > _TITLE_MAX:
            warn(f"the title of note {note.guid} is cut to {_TITLE_MAX} characters: "
                 f"{short(note.name)}")  # fmt: skip
        batch.append(m.JournalEntry(
            at=naive_utc(note.created) or now, author=stream.user_name(note.user)[:_AUTHOR_MAX],
            title=note.name[:_TITLE_MAX], text=note.text, guid=note.guid,
        ))  # fmt: skip
        if len(batch) >= _BATCH:
            flush()
    if batch:
        flush()
    description = stream.description
    if description and not s.scalar(
        select(func.count()).select_from(m.JournalEntry).where(m.JournalEntry.text == description)
    ):
        batch.append(m.JournalEntry(at=now, author="", title=PROJECT_DESCRIPTION, text=description))
        flush(notes=False)
        report.description_kept = True


# ---------------------------------------------------------------------------- export


def journal_for_export(
    s: Session, users: list[UserOut], coder_guid: dict[int, str]
) -> tuple[list[NoteOut], str, list[UserOut]]:
    """(the journal as notes, the project's description, users to add for their authors).
    Entries without a valid, distinct GUID get one, kept; an author who is a coder is
    that coder's user, any other author a user of their own."""
    by_name = {u.name: u.guid for u in users}
    coders = dict(s.execute(select(m.Coder.name, m.Coder.id)).all())
    extra: list[UserOut] = []
    seen: set[str] = set()
    notes, description = [], ""
    for e in s.scalars(select(m.JournalEntry).order_by(m.JournalEntry.at, m.JournalEntry.id)):
        guid = normalise_guid(e.guid)
        if guid is None or guid in seen:
            guid = e.guid = str(uuid.uuid4())
        seen.add(guid)
        user = None
        if e.author:
            user = by_name.get(e.author)
            if user is None:
                cid = coders.get(e.author)
                user = coder_guid.get(cid) if cid is not None else None
                if user is None or user in by_name.values():
                    user = derived_guid("author", e.author)
                by_name[e.author] = user
                extra.append(UserOut(user, e.author))
        if e.title == PROJECT_DESCRIPTION and not description:
            description = e.text
        notes.append(NoteOut(guid, e.title, e.text, user, e.at))
    return notes, description, extra
