"""Documents: importing files (one transaction per batch of files: a document is never
half-imported), listing them with their counts, reading their text and pages, editing
metadata."""

from __future__ import annotations

import bisect
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import String, func, select, type_coerce

from db import models as m
from desktop.core import wording
from desktop.core.text import sha256_text
from desktop.services.documents import originals
from desktop.services.errors import NotFound, ServiceError
from desktop.services.project import audit, storage_errors

METADATA_FIELDS = ("title", "author", "date", "source", "url")
# key in a document's ``extra`` for what its import noted (the encoding it was read as,
# characters a PDF could not map to letters): kept with the document, not only reported
IMPORT_NOTES = "import_notes"


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    name: str
    kind: str
    sha256: str
    length: int
    pages: int = 0
    codings: int = 0
    title: str | None = None
    author: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None
    source_path: str | None = None
    import_notes: str | None = None  # what the import noted about the text, line by line


@dataclass(frozen=True)
class ImportProgress:
    files_done: int
    files_total: int
    current: str = ""
    pages_done: int = 0
    pages_total: int = 0


@dataclass
class ImportReport:
    imported: list[DocumentInfo] = field(default_factory=list)
    duplicates: list[tuple[Path, str]] = field(default_factory=list)  # (file, existing name)
    failed: list[tuple[Path, str]] = field(default_factory=list)  # (file, reason)
    # (file, what the user should know about an imported one: the encoding it was read
    # as, text the importer could not place); shown by the CLI and the window
    notes: list[tuple[Path, str]] = field(default_factory=list)
    cancelled: bool = False
    # set when the batch stopped because the project could not be written (disk full):
    # why, and the file whose document could not be stored
    stopped: str = ""
    stopped_at: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.failed and not self.stopped


def collect_files(paths: Iterable[Path | str]) -> list[Path]:
    """Files named, and files found (recursively, hidden ones skipped) in folders named."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                out.extend(Path(root) / f for f in sorted(files) if not f.startswith("."))
        else:
            out.append(p)
    return out


def _unique_name(s, name: str, taken: set[str] | None = None) -> str:
    """``name``, or ``name (2)``... if taken; ``taken``: the project's names, read once
    per import batch (so the cost per file does not grow with the project)."""
    if taken is not None:
        existing = taken
    else:
        existing = set(
            s.scalars(select(m.Document.name).where(m.Document.name.like(f"{name[:200]}%")))
        )
    if name not in existing:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    n = 2
    while True:
        candidate = f"{stem} ({n}).{ext}" if ext else f"{stem} ({n})"
        if candidate not in existing:
            return candidate
        n += 1


def _info_from_row(
    d: m.Document, pages: int = 0, codings: int = 0, meta: Mapping[str, str] | None = None
) -> DocumentInfo:
    meta = meta or {}
    return DocumentInfo(
        d.id, d.name, d.kind, d.sha256, d.length, pages, codings,
        *(meta.get(k) for k in METADATA_FIELDS), d.source_path, _notes(d.extra),
    )  # fmt: skip


def _notes(extra: dict | None) -> str | None:
    notes = (extra or {}).get(IMPORT_NOTES)
    return str(notes) if notes else None


def _builtin_ids(s) -> dict[str, int]:
    """{name: id} of the built-in document attributes (title, author, ...)."""
    return dict(
        s.execute(
            select(m.Attribute.name, m.Attribute.id).where(
                m.Attribute.scope == "document", m.Attribute.builtin.is_(True)
            )
        ).all()
    )


def add_document(
    project, *, name: str, text: str, kind: str, metadata: dict | None = None,
    pages: list[tuple[int, int]] | None = None, source_path: str | None = None,
    original: bytes | None = None, original_name: str | None = None,
) -> DocumentInfo:  # fmt: skip
    """Store one document (text already normalised) with its pages, in one transaction;
    ``original``: the bytes of the file it was read from, kept with it (named
    ``original_name``, else ``name``)."""
    with project.session() as s:
        sha = None
        if original is not None:
            sha = originals.keep_bytes(s, original, original_name or name)
        return _store(s, project, name=name, text=text, kind=kind, metadata=metadata,
                      pages=pages, source_path=source_path, original_sha=sha)  # fmt: skip


def _store(
    s, project, *, name: str, text: str, kind: str, metadata: dict | None = None,
    pages: list[tuple[int, int]] | None = None, source_path: str | None = None,
    taken: set[str] | None = None, batch_shas: dict[str, str] | None = None,
    builtin: dict[str, int] | None = None, notes: Sequence[str] = (),
    original: originals.PendingOriginal | None = None, original_sha: str | None = None,
) -> DocumentInfo:  # fmt: skip
    """Add one document in session ``s``; ``taken``/``batch_shas``: the names in use and
    the texts added earlier in the same batch (kept up to date here); ``builtin``: the
    built-in attributes' ids, read once per batch; ``original``: the file read, kept
    with the document (a note is added if it cannot be); ``original_sha``: an original
    the session holds already. ``notes`` may be added to."""
    metadata = metadata or {}
    sha = sha256_text(text)
    existing = batch_shas.get(sha) if batch_shas is not None else None
    if existing is None:  # sha256 is unique, hence indexed
        existing = s.scalar(select(m.Document.name).where(m.Document.sha256 == sha))
    if existing is not None:
        raise DuplicateDocument(existing)
    if original is not None:
        original_sha, why = originals.keep_pending(s, original)
        if why and isinstance(notes, list):
            notes.append(why)
    d = m.Document(
        name=_unique_name(s, name, taken), kind=kind, text=text, sha256=sha, length=len(text),
        source_path=source_path, original_sha256=original_sha,
        extra={k: v for k, v in metadata.items() if k not in METADATA_FIELDS}
              | ({IMPORT_NOTES: "\n".join(notes)} if notes else {}),
    )  # fmt: skip
    for i, (a, b) in enumerate(pages or [], start=1):
        d.pages.append(m.Page(number=i, char_start=a, char_end=b))
    s.add(d)
    s.flush()
    if builtin is None:
        builtin = _builtin_ids(s)
    meta = {k: str(metadata[k]).strip() for k in METADATA_FIELDS
            if metadata.get(k) and str(metadata[k]).strip()}  # fmt: skip
    s.add_all(
        m.AttributeValue(document_id=d.id, attribute_id=builtin[k], value=v)
        for k, v in meta.items()
    )
    audit.record(
        s, project.actor, "create", "document", d.id, None, {"name": d.name, "sha256": sha}
    )
    if taken is not None:
        taken.add(d.name)
    if batch_shas is not None:
        batch_shas[sha] = d.name
    return _info_from_row(d, len(pages or []), 0, meta)


class DuplicateDocument(ServiceError):
    def __init__(self, existing_name: str) -> None:
        super().__init__(f"the same text is already in the project as {existing_name!r}")
        self.existing_name = existing_name


BATCH_FILES = 200  # files stored per transaction (and full-text index update)
BATCH_CHARS = 20_000_000  # or fewer, when their texts are large


def import_files(
    project,
    paths: Iterable[Path | str],
    *,
    progress: Callable[[ImportProgress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    encoding: str | Mapping[str, str] | None = None,
) -> ImportReport:
    """Import files and folders. Files are extracted one by one and stored in batches,
    one transaction per batch (so the full-text index is updated in bulk), with the
    names in use read once per batch: the cost per file does not grow with the project.
    A file that fails is reported and the import goes on. Cancelling stops before the
    next file (or between pages of a PDF), keeps the files read so far and leaves no
    half-imported document.

    `encoding` overrides the guessed encoding of text files and web pages: one codec
    name for all, or a mapping from a file's path (as given or found) to its codec."""
    from desktop.core.importers import ImportCancelled, ImportFailure, extract
    from desktop.core.importers.encoding import normal_encoding

    if isinstance(encoding, str):
        try:
            normal_encoding(encoding)
        except LookupError as exc:
            raise ServiceError(str(exc)) from None

    files = collect_files(paths)
    report = ImportReport()
    total = len(files)
    # extracted, not yet stored (with the original file to keep: read again when stored)
    pending: list[tuple[Path, object, originals.PendingOriginal | None]] = []
    pending_chars = 0

    def store(batch: list) -> Exception | None:
        """Store ``batch`` in one transaction; the storage error if it could not be."""
        stored: list[tuple[tuple, DocumentInfo]] = []
        duplicates = len(report.duplicates)
        try:
            with project.session() as s:
                taken = set(s.scalars(select(m.Document.name)))
                builtin = _builtin_ids(s)
                shas: dict[str, str] = {}
                for path, ex, original in batch:
                    try:
                        doc = _store(
                            s, project, name=path.name, text=ex.text, kind=ex.kind,
                            metadata=ex.metadata, pages=ex.pages,
                            source_path=str(path.resolve()), taken=taken, batch_shas=shas,
                            builtin=builtin, notes=ex.warnings, original=original,
                        )  # fmt: skip
                    except DuplicateDocument as exc:
                        report.duplicates.append((path, exc.existing_name))
                        continue
                    stored.append(((path, ex, original), doc))
        except Exception as exc:
            del report.duplicates[duplicates:]
            return exc
        for (path, ex, _original), doc in stored:
            report.imported.append(doc)
            report.notes.extend((path, note) for note in ex.warnings)
        return None

    def store_pending() -> bool:
        """Store the extracted files; False when the project cannot be written. A batch
        that cannot be written is stored again file by file, so that the import stops
        exactly at the first document that does not fit, and the report says why."""
        nonlocal pending_chars
        batch, pending[:] = list(pending), []
        pending_chars = 0
        if not batch:
            return True
        error = store(batch)
        if error is None:
            return True
        parts = [[item] for item in batch] if len(batch) > 1 else [batch]
        for part in parts:
            error = store(part) if len(batch) > 1 else error
            if error is None:
                continue
            failure = storage_errors.translate(error, getattr(project, "path", None))
            if failure is None:
                raise error
            # The project cannot be written (disk full, read-only, I/O error): every later
            # file would fail the same way, so stop with one message. The failed
            # transaction was rolled back.
            done = f"{len(report.imported)} of {total} files imported, nothing half-written"
            if failure.kind == "disk_full":
                report.stopped = (
                    f"the disk is full: {done}; free some space and import the rest again"
                )
            else:
                report.stopped = f"{failure} ({done})"
            report.stopped_at = part[0][0]
            return False
        return True

    for i, path in enumerate(files):
        if cancelled and cancelled():
            report.cancelled = True
            break
        if progress:
            progress(ImportProgress(i, total, path.name))

        def page_progress(done: int, pages: int, _i=i, _name=path.name) -> None:
            if progress:
                progress(ImportProgress(_i, total, _name, done, pages))

        chosen = encoding if isinstance(encoding, str) or encoding is None else (
            encoding.get(str(path)))  # fmt: skip
        try:
            ex = extract(path, progress=page_progress, cancelled=cancelled, encoding=chosen)
        except ImportCancelled:
            report.cancelled = True
            break
        except ImportFailure as exc:
            report.failed.append((path, str(exc)))
            continue
        except LookupError as exc:  # an unknown encoding chosen for this file
            report.failed.append((path, str(exc)))
            continue
        except MemoryError:
            report.failed.append((path, "the file is too large to import"))
            continue
        except OSError as exc:
            report.failed.append((path, f"cannot be read ({exc.strerror or exc})"))
            continue
        except Exception as exc:  # an importer bug must not stop the batch
            report.failed.append(
                (path, f"unexpected error while reading it ({type(exc).__name__}: {exc})")
            )
            continue
        original, why = originals.pending_original(path, ex.kind)
        if why:
            ex.warnings.append(why)
        pending.append((path, ex, original))
        pending_chars += len(ex.text)
        if (len(pending) >= BATCH_FILES or pending_chars >= BATCH_CHARS) and not store_pending():
            break
    if not report.stopped:
        store_pending()  # also after Cancel: the files read so far are whole documents
    if progress and not (report.cancelled or report.stopped):
        progress(ImportProgress(total, total))
    return report


@dataclass(frozen=True)
class EncodingPreview:
    """How a text file would be read: for the import dialog's encoding choice."""

    path: Path
    encoding: str | None  # None: not a text file, or unreadable (see `problem`)
    label: str = ""
    unicode: bool = False  # UTF-8/16/32: nothing to choose
    alternatives: tuple[str, ...] = ()  # other code pages it reads well in, best first
    note: str = ""  # what the import will say about it
    preview: str = ""  # the first lines as decoded
    problem: str = ""


PREVIEW_LINES = 8


def preview_encoding(path: Path | str, encoding: str | None = None) -> EncodingPreview:
    """The encoding a text file would be read in (guessed, or `encoding`) and its first
    lines as they would be stored. Files of other kinds give encoding None."""
    from desktop.core.importers import KINDS, TEXT_KINDS, ImportFailure
    from desktop.core.importers.base import MAX_TEXT_FILE_BYTES, read_bytes
    from desktop.core.importers.encoding import decode_text, encoding_label
    from desktop.core.text import normalise

    path = Path(path)
    if KINDS.get(path.suffix.lower()) not in TEXT_KINDS:
        return EncodingPreview(path, None)
    try:
        data = read_bytes(path, MAX_TEXT_FILE_BYTES, "a text file")
        decoded = decode_text(data, encoding)
        others = decoded.others
    except (ImportFailure, LookupError) as exc:
        return EncodingPreview(path, None, problem=str(exc))
    lines = normalise(decoded.text[:20_000]).split("\n")
    head = "\n".join(line for line in lines if line.strip())
    head = "\n".join(head.split("\n")[:PREVIEW_LINES])
    return EncodingPreview(
        path, decoded.encoding, encoding_label(decoded.encoding),
        unicode=decoded.unicode and not decoded.chosen, alternatives=others,
        note=decoded.note() or "", preview=head,
    )  # fmt: skip


def list_documents(project, coder_ids: list[int] | None = None) -> list[DocumentInfo]:
    """Every document, by name; ``coder_ids``: count only these coders' codings (None:
    everyone's)."""
    with project.session() as s:
        return listed(s, coder_ids=coder_ids)


def listed(
    s, ids: Sequence[int] | None = None, names: Sequence[str] | None = None,
    coder_ids: list[int] | None = None,
) -> list[DocumentInfo]:  # fmt: skip
    """Documents as the list shows them, with their pages and codings counted: every
    document by name (``ids`` None), or those of ``ids`` in no particular order (a
    missing one left out). ``names``: the names of ``ids``, which on SQLite let the rows
    be read from the listing index (by id, the columns stored after a text are reached
    by walking its pages)."""
    only = list(ids) if ids is not None else None
    pages_q = select(m.Page.document_id, func.count()).group_by(m.Page.document_id)
    per_doc = select(m.Coding.document_id, func.count()).group_by(m.Coding.document_id)
    meta_q = select(m.AttributeValue.document_id, m.AttributeValue.attribute_id,
                    m.AttributeValue.value)  # fmt: skip
    cols = [getattr(m.Document, c) for c in (
        "id", "name", "kind", "sha256", "length", "source_path",
    )]  # fmt: skip
    # extra as its JSON text: decoded only where it holds import notes (a few
    # documents), not for every row of a large corpus
    docs_q = select(*cols, type_coerce(m.Document.extra, String))
    if only is not None:
        if not only:
            return []
        pages_q = pages_q.where(m.Page.document_id.in_(only))
        per_doc = per_doc.where(m.Coding.document_id.in_(only))
        meta_q = meta_q.where(m.AttributeValue.document_id.in_(only))
        by_name = names is not None and s.bind.dialect.name == "sqlite"
        docs_q = docs_q.where(
            m.Document.name.in_(set(names)) if by_name else m.Document.id.in_(only)
        )
    else:
        docs_q = docs_q.order_by(m.Document.name)
    if coder_ids is not None:
        per_doc = per_doc.where(m.Coding.coder_id.in_(coder_ids))
    pages = dict(s.execute(pages_q).all())
    codings = dict(s.execute(per_doc).all())
    builtin = {i: k for k, i in _builtin_ids(s).items()}
    meta: dict[int, dict[str, str]] = {}
    for did, aid, value in s.execute(meta_q.where(m.AttributeValue.attribute_id.in_(builtin))):
        meta.setdefault(did, {})[builtin[aid]] = value
    wanted = set(only) if only is not None else None
    no_meta = (None,) * len(METADATA_FIELDS)
    out = []
    # Core rows (the ORM's per-row work buys nothing here), read from the listing
    # index alone: no text's pages are walked
    for did, name, kind, sha, length, sp, extra in s.connection().execute(docs_q):
        if wanted is not None and did not in wanted:
            continue  # another document of the same name
        dm = meta.get(did)
        if isinstance(extra, dict):  # PostgreSQL's driver decodes JSON itself
            notes = _notes(extra)
        else:
            notes = _notes(json.loads(extra)) if extra and IMPORT_NOTES in extra else None
        out.append(
            DocumentInfo(did, name, kind, sha, length, pages.get(did, 0), codings.get(did, 0),
                         *((dm.get(k) for k in METADATA_FIELDS) if dm else no_meta), sp,
                         notes)
        )  # fmt: skip
    return out


def get_document(project, document_id: int) -> DocumentInfo:
    with project.session() as s:
        d = s.get(m.Document, document_id)
        if d is None:
            raise NotFound(f"no document with id {document_id}")
        pages = s.scalar(select(func.count()).where(m.Page.document_id == document_id))
        codings = s.scalar(select(func.count()).where(m.Coding.document_id == document_id))
        builtin = {i: k for k, i in _builtin_ids(s).items()}
        meta = {
            builtin[aid]: value
            for aid, value in s.execute(
                select(m.AttributeValue.attribute_id, m.AttributeValue.value).where(
                    m.AttributeValue.document_id == document_id,
                    m.AttributeValue.attribute_id.in_(builtin),
                )
            )
        }
        return _info_from_row(d, pages or 0, codings or 0, meta)


def find_document(project, key: str) -> DocumentInfo | None:
    """A document by name or by sha256."""
    with project.session() as s:
        did = s.scalar(select(m.Document.id).where(m.Document.sha256 == key.lower()))
        if did is None:
            did = s.scalar(select(m.Document.id).where(m.Document.name == key))
    return get_document(project, did) if did is not None else None


def get_text(project, document_id: int) -> str:
    with project.session() as s:
        text = s.scalar(select(m.Document.text).where(m.Document.id == document_id))
        if text is None:
            raise NotFound(f"no document with id {document_id}")
        return text


def get_pages(project, document_id: int) -> list[tuple[int, int]]:
    """[char_start, char_end) of each page, in page order (empty if not paged)."""
    with project.session() as s:
        return [
            (a, b)
            for a, b in s.execute(
                select(m.Page.char_start, m.Page.char_end)
                .where(m.Page.document_id == document_id)
                .order_by(m.Page.number)
            )
        ]


def page_of(page_starts: Sequence[int], offset: int) -> int | None:
    """1-based number of the page that holds ``offset``, given the pages' sorted
    ``char_start``s (computed once per document by the caller); None before the first."""
    n = bisect.bisect_right(page_starts, offset)
    return n or None


def update_metadata(project, document_id: int, **values: str | None) -> dict:
    """Change a document's name and built-in attributes (title, author, date, source,
    url). Returns the old values (for undo)."""
    unknown = set(values) - set(METADATA_FIELDS) - {"name"}
    if unknown:
        raise ServiceError(
            f"unknown document {wording.plural(len(unknown), 'field')}: {', '.join(sorted(unknown))}"
        )
    from desktop.services.documents import attributes

    with project.session() as s:
        d = s.get(m.Document, document_id)
        if d is None:
            raise NotFound(f"no document with id {document_id}")
        old: dict = {}
        if "name" in values:
            v = values["name"]
            if not v or not v.strip():
                raise ServiceError("a document needs a name")
            old["name"] = d.name
            if d.name != v.strip():
                audit.record(s, project.actor, "update", "document", d.id, {"name": d.name},
                             {"name": v.strip()})  # fmt: skip
            d.name = v.strip()
        meta = {k: v for k, v in values.items() if k != "name"}
        if meta:
            current = attributes.values_in(s, [d.id]).get(d.id, {})
            old.update({k: current.get(k) for k in meta})
            attributes.set_values_in(s, project.actor, d.id, meta)
        return old


def delete_document(project, document_id: int, *, confirm_codings: bool = False) -> int:
    """Delete a document with its codings (asked for first); returns how many codings
    went. ``removal.remove_document`` also returns what undo needs to put it back."""
    from desktop.services.documents.removal import remove_document

    return remove_document(project, document_id, confirm_codings=confirm_codings).codings
