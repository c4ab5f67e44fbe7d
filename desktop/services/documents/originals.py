"""The files documents were imported from (a PDF, a Word document, a web page), kept in
the project byte for byte, once per content (sha256): two documents read from the same
file share one copy. Plain text and Markdown files are not kept: their text is the
document (only the encoding and line endings would differ). A file larger than
``ORIGINAL_FILE_MAX_BYTES`` is not kept either, and the import says so. Projects from
before schema 8 have none; everything that reads originals copes with a document
without one."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, exists, func, insert, select

from db import models as m
from desktop.core.limits import ORIGINAL_FILE_MAX_BYTES, size
from desktop.services.errors import NotFound, ServiceError

# kinds of document whose file is kept (a text file's text is its content)
KEPT_KINDS = frozenset({"pdf", "docx", "odt", "rtf", "html"})
READ_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class OriginalInfo:
    sha256: str
    name: str
    suffix: str
    size: int


@dataclass(frozen=True)
class PendingOriginal:
    """A file read by an import, to be kept when its document is stored: its content is
    read again then (one file at a time) and must still have this sha256."""

    path: Path
    sha256: str
    size: int


def file_digest(path: Path) -> tuple[str, int]:
    """sha256 and size of a file, read in chunks (never whole in memory)."""
    h = hashlib.sha256()
    n = 0
    with path.open("rb") as fh:
        while chunk := fh.read(READ_CHUNK):
            h.update(chunk)
            n += len(chunk)
    return h.hexdigest(), n


def pending_original(path: Path, kind: str) -> tuple[PendingOriginal | None, str | None]:
    """What to keep of the file ``path`` an import just read: (the pending original,
    None), (None, a note saying why it is not kept), or (None, None) for kinds whose
    file is not kept."""
    if kind not in KEPT_KINDS:
        return None, None
    try:
        n = path.stat().st_size  # a file over the limit is not read again
        sha, n = file_digest(path) if n <= ORIGINAL_FILE_MAX_BYTES else ("", n)
    except OSError as exc:
        return (
            None,
            f"the original file is not kept: it cannot be read again ({exc.strerror or exc})",
        )
    if n > ORIGINAL_FILE_MAX_BYTES:
        return None, (
            f"the original file is not kept in the project ({size(n)}; the limit is "
            f"{size(ORIGINAL_FILE_MAX_BYTES)}): only its text is"
        )
    return PendingOriginal(path, sha, n), None


def has(s, sha256: str) -> bool:
    return bool(s.scalar(select(exists().where(m.OriginalFile.sha256 == sha256))))


def keep_pending(s, pending: PendingOriginal) -> tuple[str | None, str | None]:
    """Store a pending original in session ``s`` unless the project has it already:
    (its sha256, None), or (None, why it is not kept: the file changed since it was
    read)."""
    if has(s, pending.sha256):
        return pending.sha256, None
    try:
        with pending.path.open("rb") as fh:
            data = fh.read(ORIGINAL_FILE_MAX_BYTES + 1)
    except OSError as exc:
        return (
            None,
            f"the original file is not kept: it cannot be read again ({exc.strerror or exc})",
        )
    if hashlib.sha256(data).hexdigest() != pending.sha256:
        return None, "the original file is not kept: it changed while it was being imported"
    _insert(s, pending.sha256, pending.path.name, data)
    return pending.sha256, None


def keep_bytes(s, data: bytes, name: str) -> str | None:
    """Store ``data`` (a file named ``name``) in session ``s`` unless the project has
    it already; its sha256, or None when it is larger than the limit."""
    if len(data) > ORIGINAL_FILE_MAX_BYTES:
        return None
    sha = hashlib.sha256(data).hexdigest()
    if not has(s, sha):
        _insert(s, sha, name, data)
    return sha


def _insert(s, sha: str, name: str, data: bytes) -> None:
    # Core insert: the session does not keep the bytes (the ORM would, until commit)
    s.execute(
        insert(m.OriginalFile.__table__).values(
            sha256=sha, name=name[:500], suffix=Path(name).suffix.lower()[:16], size=len(data),
            data=data, imported_at=m.utcnow(),
        )
    )  # fmt: skip


def drop_unused(s, shas) -> None:
    """Delete the originals among ``shas`` that no document uses any more."""
    shas = [x for x in set(shas) if x]
    if not shas:
        return
    used = select(m.Document.original_sha256).where(m.Document.original_sha256.in_(shas))
    s.execute(
        delete(m.OriginalFile).where(
            m.OriginalFile.sha256.in_(shas), m.OriginalFile.sha256.not_in(used)
        )
    )


def info_of(project, document_id: int) -> OriginalInfo | None:
    """The original of a document (without its bytes), None if it has none."""
    with project.session() as s:
        if s.get(m.Document, document_id) is None:
            raise NotFound(f"no document with id {document_id}")
        row = s.execute(
            select(m.OriginalFile.sha256, m.OriginalFile.name, m.OriginalFile.suffix,
                   m.OriginalFile.size)
            .join(m.Document, m.Document.original_sha256 == m.OriginalFile.sha256)
            .where(m.Document.id == document_id)
        ).first()  # fmt: skip
        return OriginalInfo(*row) if row else None


def read_original(project, document_id: int) -> bytes | None:
    """The bytes of a document's original, None if it has none."""
    with project.session() as s:
        return s.scalar(
            select(m.OriginalFile.data)
            .join(m.Document, m.Document.original_sha256 == m.OriginalFile.sha256)
            .where(m.Document.id == document_id)
        )


def originals_of(project) -> dict[int, OriginalInfo]:
    """{document id: its original (without bytes)} for every document that has one."""
    with project.session() as s:
        return {
            did: OriginalInfo(sha, name, suffix, n)
            for did, sha, name, suffix, n in s.execute(
                select(m.Document.id, m.OriginalFile.sha256, m.OriginalFile.name,
                       m.OriginalFile.suffix, m.OriginalFile.size)
                .join(m.OriginalFile, m.Document.original_sha256 == m.OriginalFile.sha256)
            )
        }  # fmt: skip


def count(s) -> int:
    return s.scalar(select(func.count()).select_from(m.OriginalFile)) or 0


def save_original(project, document_id: int, out: Path | str) -> OriginalInfo:
    """Write a document's original file to ``out`` (a new file, or a folder to write it
    into under its own name); the file written is checked against its sha256."""
    info = info_of(project, document_id)
    if info is None:
        name = project_document_name(project, document_id)
        raise ServiceError(
            f"{name!r} has no original file in the project (it was imported as text, "
            "or before Tessera kept originals)"
        )
    out = Path(out)
    if out.is_dir():
        out = out / Path(info.name).name
    if out.exists():
        raise ServiceError(f"{out}: a file of that name already exists")
    data = read_original(project, document_id)
    if data is None or hashlib.sha256(bytes(data)).hexdigest() != info.sha256:
        raise ServiceError(f"the original of document {document_id} is damaged in the project")
    try:
        out.write_bytes(bytes(data))
    except OSError as exc:
        raise ServiceError(f"{out}: cannot be written ({exc.strerror or exc})") from None
    return OriginalInfo(info.sha256, str(out), info.suffix, info.size)


def project_document_name(project, document_id: int) -> str:
    with project.session() as s:
        name = s.scalar(select(m.Document.name).where(m.Document.id == document_id))
    if name is None:
        raise NotFound(f"no document with id {document_id}")
    return name


def pdf_pages(data: bytes, text: str, name: str) -> tuple[list[tuple[int, int]] | None, str | None]:
    """The pages of ``text`` read again from its PDF ``data`` (Tessera's PDF importer on
    the bytes): (pages, None) when the PDF gives exactly ``text``; (None, why) when it
    gives another text (read by another tool, or by another version), when it cannot
    be read, or when it has no pages."""
    import tempfile

    from desktop.core.importers import ImportFailure, extract

    with tempfile.TemporaryDirectory(prefix="tessera-pdf-") as tmp:
        path = Path(tmp) / "original.pdf"
        path.write_bytes(data)
        try:
            got = extract(path)
        except ImportFailure as exc:
            return (
                None,
                f"{name}: its PDF could not be read for its pages ({exc}); the text is kept",
            )
    if got.text != text:
        return None, (
            f"{name}: the PDF's text as Tessera reads it differs from the text in the file, "
            "so its pages are not known; the file's text and the PDF are kept"
        )
    return got.pages or None, None
