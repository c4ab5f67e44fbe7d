"""Storing a REFI-QDA import in batches: documents and codings as the file is read.

The import (desktop.services.exchange.refi_import) hands each source and its codings to a
:class:`BatchWriter`, inside its one transaction. The writer holds at most a batch
(BATCH_DOCUMENTS documents, BATCH_CODINGS codings, BATCH_TEXT_BYTES of text), then writes
it: the documents the project lacks in one statement, then the codings it lacks in one
more. Whether a coding is already there is asked of the project's unique index on
codings, a batch at a time, and only for documents that can have codings already (the
project's coded ones, and those this import added in an earlier batch), so memory does
not grow with the file: what is kept per document is its name (for unique names and
the report).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from db import models as m
from desktop.core.exchange.refi import RefiCoding, RefiSource
from desktop.core.text import sha256_text
from desktop.services.documents.documents import _unique_name as unique_document_name
from desktop.services.project import audit
from desktop.services.teams.merge_report import CodingConflict

#: Documents, codings and characters of text held before they are written.
BATCH_DOCUMENTS = 1000
BATCH_CODINGS = 10_000
BATCH_TEXT_BYTES = 16 * 1024 * 1024
#: Key in a document's ``extra`` that keeps the GUID its source had in a REFI-QDA file.
DOCUMENT_GUID = "refi_guid"


@dataclass
class _PendingDocument:
    """A source met since the last write: a new document, one already in the project, or
    (``first`` False) the source being read, met again after a write in its middle."""

    source: RefiSource
    sha: str
    first: bool
    kind: str = "txt"
    pages: list[tuple[int, int]] | None = None
    original: str | None = None  # sha256 of its original file (in the session)


class BatchWriter:
    """Documents and codings of one import, written a batch at a time in session ``s``.
    ``report`` is the import's RefiImportReport (documents, codings, duplicates, memos);
    ``warn`` takes the import's warnings; ``coder_name`` names a coder id in them;
    ``on_document`` is told (source, document id, name) of each source once stored."""

    def __init__(
        self, s: Session, *, actor: str, path: Path, origin: str | None, report,
        warn: Callable[[str], None], coder_name: Callable[[int], str],
        on_document: Callable[[RefiSource, int, str], None] | None = None,
    ) -> None:  # fmt: skip
        self.s = s
        self.on_document = on_document
        self.actor = actor
        self.path = path
        self.origin = origin
        self.report = report
        self.warn = warn
        self.coder_name = coder_name
        self.taken = set(s.scalars(select(m.Document.name)))  # names in the project
        # Documents of the project before the import: those with codings, those met.
        self.coded = set(s.scalars(select(m.Coding.document_id).distinct()))
        self.matched: set[int] = set()
        # Documents and codings with larger ids are added by this import.
        self.last_document = s.scalar(select(func.max(m.Document.id))) or 0
        self.last_coding = audit.max_coding_id(s)
        self.docs: dict[str, _PendingDocument] = {}  # by sha, since the last write
        self.rows: dict[tuple, dict] = {}  # codings since the last write, by their key
        self.text_bytes = 0

    # -- what the import meets -------------------------------------------------------
    def source(
        self, src: RefiSource, kind: str = "txt", pages: list[tuple[int, int]] | None = None,
        original: str | None = None,
    ) -> str:  # fmt: skip
        """Note a source with a text (its sha); its document is found or added at the
        next write, of ``kind``, with its ``pages`` and its ``original`` file (the sha256
        of one the session holds: a document found in the project without one gets it)."""
        sha = sha256_text(src.text)
        pending = self.docs.get(sha)
        if pending is None:
            self.docs[sha] = _PendingDocument(src, sha, True, kind, pages, original)
            self.text_bytes += len(src.text)
        else:
            self._same_text(src.name, pending.source.name)
        return sha

    def coding(
        self, src: RefiSource, sha: str, c: RefiCoding, code_id: int, coder_id: int,
        created: datetime,
    ) -> None:  # fmt: skip
        """A coding of ``src`` (checked against its text): kept for the next write, or
        counted as a duplicate of one kept already."""
        key = (sha, code_id, coder_id, c.start, c.end)
        row = self.rows.get(key)
        if row is not None:  # twice in the file, not written yet
            self.report.codings_duplicate += 1
            if c.memo and c.memo != row["memo"]:
                if row["memo"]:
                    self.warn(
                        f"{src.name} [{c.start}, {c.end}) {c.code_path} by "
                        f"{self.coder_name(coder_id)}: the file has this coding twice "
                        f"with different memos; the first, {short(row['memo'])}, is kept"
                    )
                else:
                    row["memo"] = c.memo
            return
        self.rows[key] = {
            "code_id": code_id, "coder_id": coder_id, "start": c.start, "end": c.end,
            "quote": c.quote, "memo": c.memo, "created_at": created, "updated_at": created,
            "code_path": c.code_path,
        }  # fmt: skip
        if len(self.rows) >= BATCH_CODINGS:  # a source with very many codings
            pending = self.docs[sha]
            self.write()
            self.docs[sha] = _PendingDocument(src, sha, False, pending.kind, None, None)

    def source_done(self) -> None:
        if len(self.docs) >= BATCH_DOCUMENTS or self.text_bytes >= BATCH_TEXT_BYTES:
            self.write()

    def finish(self) -> None:
        """Write the last batch, and the audit entry of all the codings added."""
        self.write()
        if self.report.codings_imported:
            audit.record_bulk_codings(
                self.s, self.actor, "import", self.last_coding, {"file": str(self.path)}
            )

    def _same_text(self, name: str, first: str) -> None:
        self.warn(f"source {name!r} has the same text as {first!r}: both are one document")

    # -- writing ---------------------------------------------------------------------
    def write(self) -> None:
        """Store what was met since the last write: the new documents (one statement),
        then the codings the project does not have yet (one statement)."""
        if not self.docs:
            return
        s = self.s
        doc_of, added = self._write_documents()
        if self.on_document is not None:
            for sha, pending in self.docs.items():
                self.on_document(pending.source, *doc_of[sha])
        rows, keys = [], []
        for (sha, code_id, coder_id, start, end), row in self.rows.items():
            did, doc_name = doc_of[sha]
            row["document_id"] = did
            rows.append(row)
            keys.append((did, code_id, coder_id, start, end, doc_name))
        # Only documents that may have codings already are asked about: the project's
        # coded ones, and those this import added in an earlier write.
        stored = self._stored([k for k in keys if k[0] in self.coded
                               or (k[0] > self.last_document and k[0] not in added)])  # fmt: skip
        new = []
        for row, key in zip(rows, keys, strict=True):
            path = row.pop("code_path")
            held = stored.get(key[:5])
            if held is None:
                new.append(row)
                continue
            self.report.codings_duplicate += 1
            if row["memo"]:
                self._memo_of_stored(
                    key, held, row["memo"], (key[5], path, self.coder_name(key[2]))
                )
        if new:
            s.execute(insert(m.Coding.__table__), new)
            self.coded.update(
                row["document_id"] for row in new if row["document_id"] <= self.last_document
            )
            self.report.codings_imported += len(new)
        self.docs.clear()
        self.rows.clear()
        self.text_bytes = 0

    def _write_documents(self) -> tuple[dict[str, tuple[int, str]], set[int]]:
        """{sha: (document id, its name in the project)} of the sources since the last
        write, and the ids of those added now (the project lacked them; one audit entry
        each)."""
        s = self.s
        doc_of = {
            sha: (did, name)
            for did, name, sha in s.execute(
                select(m.Document.id, m.Document.name, m.Document.sha256).where(
                    m.Document.sha256.in_(list(self.docs))
                )
            )
        }
        rows = []
        for sha, pending in self.docs.items():
            src = pending.source
            if sha in doc_of:
                did, name = doc_of[sha]
                if not pending.first:  # the source being read, met again after a write
                    pass
                elif did > self.last_document or did in self.matched:  # met before
                    self._same_text(src.name, name)
                else:
                    fill_memo(s, self.actor, m.Document, did, src.description,
                              f"document {name!r}", self.report, self.warn)  # fmt: skip
                    self.matched.add(did)
                    self.report.documents_matched.append((src.name, name))
                if pending.original:  # a document without its original gets it
                    s.execute(update(m.Document).where(
                        m.Document.id == did, m.Document.original_sha256.is_(None)
                    ).values(original_sha256=pending.original))  # fmt: skip
                continue
            extra = {"refi_origin": self.origin} if self.origin else {}
            if src.guid:
                extra[DOCUMENT_GUID] = src.guid
            name = unique_document_name(s, src.name, self.taken)
            self.taken.add(name)
            rows.append({
                "name": name, "kind": pending.kind, "text": src.text, "sha256": sha,
                "length": len(src.text), "source_path": str(self.path),
                "memo": src.description or None, "extra": extra,
                "original_sha256": pending.original,
            })  # fmt: skip
        if not rows:
            return doc_of, set()
        s.execute(insert(m.Document.__table__), rows)
        new_ids = dict(
            s.execute(
                select(m.Document.sha256, m.Document.id).where(
                    m.Document.sha256.in_([row["sha256"] for row in rows])
                )
            ).all()
        )
        audit.record_many(
            s, self.actor, "create", "document",
            [(new_ids[row["sha256"]], None, {"name": row["name"], "sha256": row["sha256"]})
             for row in rows],
        )  # fmt: skip
        pages = [
            {"document_id": new_ids[sha], "number": i, "char_start": a, "char_end": b}
            for sha, pending in self.docs.items() if sha in new_ids and pending.pages
            for i, (a, b) in enumerate(pending.pages, start=1)
        ]  # fmt: skip
        if pages:
            s.execute(insert(m.Page.__table__), pages)
        for row in rows:
            doc_of[row["sha256"]] = (new_ids[row["sha256"]], row["name"])
            self.report.documents_added.append(row["name"])
        return doc_of, set(new_ids.values())

    def _stored(self, keys: list[tuple]) -> dict[tuple, tuple[int, str]]:
        """{(document, code, coder, start, end): (coding id, memo)} of ``keys`` that the
        project has (stored before, or by an earlier write of this import): one join of
        the keys, put in a temporary table, with the unique index on codings."""
        if not keys:
            return {}
        conn = self.s.connection()
        conn.exec_driver_sql(
            "CREATE TEMP TABLE IF NOT EXISTS refi_import_key (document_id INTEGER, "
            'code_id INTEGER, coder_id INTEGER, start INTEGER, "end" INTEGER)'
        )
        conn.exec_driver_sql("DELETE FROM refi_import_key")
        conn.execute(
            text("INSERT INTO refi_import_key VALUES (:doc, :code, :coder, :start, :stop)"),
            [dict(zip(("doc", "code", "coder", "start", "stop"), k[:5], strict=True))
             for k in keys],
        )  # fmt: skip
        found = conn.exec_driver_sql(
            'SELECT c.id, c.memo, c.document_id, c.code_id, c.coder_id, c.start, c."end" '
            "FROM refi_import_key k JOIN coding c ON c.document_id = k.document_id AND "
            "c.code_id = k.code_id AND c.coder_id = k.coder_id AND c.start = k.start AND "
            'c."end" = k."end"'
        )
        return {tuple(key): (cid, memo or "") for cid, memo, *key in found}

    def _memo_of_stored(
        self, key: tuple, held: tuple[int, str], memo: str, where: tuple[str, str, str]
    ) -> None:
        """A coding already stored met again with a memo: fill in a memo it lacks; where
        both differ, keep the stored one and report it (as a conflict when it was the
        project's before this import)."""
        cid, here = held
        if memo == here:
            return
        what = f"{where[0]} [{key[3]}, {key[4]}) {where[1]} by {where[2]}"
        added_here = cid > self.last_coding
        if here and added_here:
            self.warn(
                f"{what}: the file has this coding twice with different memos; the first, "
                f"{short(here)}, is kept"
            )
            return
        if here:
            conflict = CodingConflict(*where, key[3], key[4], "memo", here, memo, "target")
            self.report.memo_conflicts.append(conflict)
            self.warn(
                f"{what}: the project's memo {short(here)} is kept; the file has {short(memo)}"
            )
            return
        self.s.execute(
            update(m.Coding.__table__)
            .where(m.Coding.id == cid)
            .values(memo=memo, updated_at=m.utcnow())
        )
        if not added_here:
            audit.record(self.s, self.actor, "update", "coding", cid, {"memo": ""}, {"memo": memo})
            self.report.codings_memo_filled += 1


def short(memo: str, limit: int = 60) -> str:
    return repr(memo if len(memo) <= limit else memo[: limit - 1] + "…")


def fill_memo(
    s: Session, actor: str, model, row_id: int, memo: str, what: str, report,
    warn: Callable[[str], None],
) -> None:  # fmt: skip
    """The file's memo of a code or document (``model``) the project had already."""
    if not memo:
        return
    here = s.scalar(select(model.memo).where(model.id == row_id)) or ""
    if memo == here:
        return
    if here:
        warn(f"{what}: the project's memo {short(here)} is kept; the file has {short(memo)}")
        return
    s.execute(update(model).where(model.id == row_id).values(memo=memo))
    audit.record(s, actor, "update", model.__tablename__, row_id, {"memo": here}, {"memo": memo})
    report.memos_filled += 1
