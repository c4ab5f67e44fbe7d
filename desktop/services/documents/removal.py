"""Deleting a document so that it can be put back (undo): every row that goes with it
is kept first. What goes with a document is read from the schema, not listed here: the
rows of every table whose foreign key points at the document (pages, attribute values,
set and case memberships, codings, and whatever a later schema adds), then at those rows
(a coding's field values), and so on; rows that only lose their link (an anchor example
taken from a coding: ON DELETE SET NULL) get the link back. Restoring writes them all
again with their ids in one transaction; the full-text index follows by its triggers.

Large values (a document's text, the original file it was read from: up to 256 MB) wait
for undo in anonymous temporary files, not in memory, so that a long session of deletes
stays small; they are read back only if the delete is undone."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db import models as m
from desktop.core import wording
from desktop.services.coding.codings import snapshot as coding_snapshot
from desktop.services.documents import originals
from desktop.services.errors import ConfirmationNeeded, NotFound, ServiceError
from desktop.services.project import audit


@dataclass(frozen=True)
class RemovedDocument:
    """A deleted document with everything that went with it."""

    id: int
    name: str
    codings: int
    # (table name, rows as column dicts), parents before their children
    rows: tuple[tuple[str, tuple[dict, ...]], ...] = ()
    # (table name, primary key column, key, link column, value): links set to NULL
    links: tuple[tuple[str, str, object, str, object], ...] = field(default=())


#: Values above this size wait for undo on disk.
KEEP_IN_MEMORY = 1 << 20


class KeptValue:
    """A large text or bytes value kept for undo in a temporary file (deleted when the
    value is dropped, or at once by the system: it has no name)."""

    def __init__(self, value: str | bytes):
        self.is_text = isinstance(value, str)
        data = value.encode("utf-8", "surrogatepass") if self.is_text else bytes(value)
        self.size = len(data)
        # open as long as the undo entry holding it lives; closed (and gone) with it
        self._file = tempfile.SpooledTemporaryFile(max_size=KEEP_IN_MEMORY)  # noqa: SIM115
        self._file.write(data)

    def value(self) -> str | bytes:
        self._file.seek(0)
        data = self._file.read()
        return data.decode("utf-8", "surrogatepass") if self.is_text else data


def _keep(row: dict) -> dict:
    return {k: KeptValue(v) if isinstance(v, str | bytes) and len(v) > KEEP_IN_MEMORY else v
            for k, v in row.items()}  # fmt: skip


def _given_back(row: dict) -> dict:
    return {k: v.value() if isinstance(v, KeptValue) else v for k, v in row.items()}


def _tables() -> dict[str, Table]:
    return dict(m.Base.metadata.tables)


def _children(table: Table) -> list[tuple[Table, str, str, str]]:
    """(child table, its column, the parent column it points at, ON DELETE) for every
    foreign key pointing at ``table``, in the schema's dependency order."""
    out = []
    for child in m.Base.metadata.sorted_tables:
        for fk in child.foreign_keys:
            if fk.column.table is table:
                out.append((child, fk.parent.name, fk.column.name, (fk.ondelete or "").upper()))
    return out


def _collect(s: Session, table: Table, column: str, keys: list, rows: list, links: list) -> None:
    """The rows of ``table`` whose ``column`` is one of ``keys``, then their dependants."""
    if not keys:
        return
    found = [_keep(dict(r._mapping))
             for r in s.execute(select(table).where(table.c[column].in_(keys)))]  # fmt: skip
    if not found:
        return
    rows.append((table.name, tuple(found)))
    for child, child_col, parent_col, ondelete in _children(table):
        parent_keys = [r[parent_col] for r in found]
        if ondelete == "SET NULL":
            pk = next(iter(child.primary_key.columns)).name
            for r in s.execute(
                select(child.c[pk], child.c[child_col]).where(child.c[child_col].in_(parent_keys))
            ):
                links.append((child.name, pk, r[0], child_col, r[1]))
        else:
            _collect(s, child, child_col, parent_keys, rows, links)


def remove_document(project, document_id: int, *, confirm_codings: bool = False) -> RemovedDocument:
    """Delete a document and all that goes with it (its codings too: asked for first,
    as ``documents.delete_document`` does); returns what ``restore_document`` needs."""
    with project.session() as s:
        d = s.get(m.Document, document_id)
        if d is None:
            raise NotFound(f"no document with id {document_id}")
        codings = s.scalars(select(m.Coding).where(m.Coding.document_id == document_id)).all()
        if codings and not confirm_codings:
            n = len(codings)
            raise ConfirmationNeeded(
                f"{d.name!r} has {wording.count(n, 'coding')}; deleting it deletes "
                f"{wording.plural(n, 'it', 'them')} too",
                n,
            )
        rows: list = []
        links: list = []
        original = d.original_sha256
        if original is not None and not s.scalar(
            select(func.count()).where(
                m.Document.original_sha256 == original, m.Document.id != d.id
            )
        ):
            # the file it was read from goes with it, unless another document uses it
            # (put first: undo writes it before the document that refers to it)
            t = m.OriginalFile.__table__
            kept = s.execute(select(t).where(t.c.sha256 == original)).mappings().first()
            if kept is not None:
                rows.append((t.name, (_keep(dict(kept)),)))
        _collect(s, m.Document.__table__, "id", [document_id], rows, links)
        removed = RemovedDocument(d.id, d.name, len(codings), tuple(rows), tuple(links))
        for c in codings:
            audit.record(s, project.actor, "delete", "coding", c.id, coding_snapshot(c), None)
            s.delete(c)
        s.flush()
        audit.record(s, project.actor, "delete", "document", d.id,
                     {"name": d.name, "sha256": d.sha256}, None)  # fmt: skip
        s.delete(d)
        s.flush()
        originals.drop_unused(s, [original])
        return removed


def restore_document(project, removed: RemovedDocument) -> None:
    """Put a deleted document back with its id and every row that went with it."""
    tables = _tables()
    with project.session() as s:
        try:
            for name, rows in removed.rows:
                if name == "original_file":  # shared again meanwhile: kept as it is
                    rows = [r for r in rows if s.scalar(select(func.count()).where(
                        m.OriginalFile.sha256 == r["sha256"])) == 0]  # fmt: skip
                    if not rows:
                        continue
                s.execute(insert(tables[name]), [_given_back(r) for r in rows])
            for name, pk, key, column, value in removed.links:
                t = tables[name]
                s.execute(update(t).where(t.c[pk] == key, t.c[column].is_(None))
                          .values({column: value}))  # fmt: skip
            s.flush()
        except IntegrityError as exc:
            raise ServiceError(
                f"{removed.name!r} cannot be put back: the project changed since it was "
                f"deleted ({_why(exc)})"
            ) from None
        doc = next(r for n, rows in removed.rows if n == "document" for r in rows)
        audit.record(s, project.actor, "create", "document", removed.id, None,
                     {"name": doc["name"], "sha256": doc["sha256"], "restored": True})  # fmt: skip
        for name, rows in removed.rows:
            if name == "coding":
                for r in map(_given_back, rows):
                    audit.record(s, project.actor, "create", "coding", r["id"], None,
                                 {k: r[k] for k in ("document_id", "code_id", "coder_id", "start",
                                                    "end", "quote", "memo")})  # fmt: skip


def _why(exc: IntegrityError) -> str:
    text = str(exc.orig).lower()
    if "sha256" in text:
        return "the same text is in the project again"
    if "foreign key" in text:
        return "a code or coder its codings used is gone"
    return str(exc.orig)
