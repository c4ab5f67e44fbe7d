"""Exporting codings, documents and texts, and the codings CSV layout that the import
(desktop.services.exchange.csv_import) reads back.

Exports stream: the query is iterated in batches and each row written as it comes,
so memory stays flat however many codings there are.

CSV layout (RFC 4180, UTF-8, CRLF; see desktop.core.csvio). Codings:
``document, document_sha256, code, coder, start, end, page, text, memo, created_at,
updated_at`` and one ``Code path: field`` column per typed field of any code. Offsets are
code points, half-open; times are UTC in ISO 8601 (``2026-11-25T14:53:23Z``)."""

from __future__ import annotations

import importlib
import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from os import PathLike
from pathlib import Path
from typing import IO

from sqlalchemy import String, func, select, type_coerce

from db import models as m
from desktop.core import csvio
from desktop.services.codebook import codebook
from desktop.services.documents import documents as docs
from desktop.services.errors import ServiceError

Progress = Callable[[int, int], None]  # (done, total)
Output = Path | str | IO

CODING_COLUMNS = (
    "document", "document_sha256", "code", "coder", "start", "end", "page", "text", "memo",
    "created_at", "updated_at",
)  # fmt: skip
DOCUMENT_COLUMNS = (
    "name", "sha256", "kind", "pages", "characters", "codings", "title", "author", "date",
    "source", "url",
)  # fmt: skip
CODEBOOK_COLUMNS = ("path", "name", "parent", "color", "description")
FORMATS = {
    "codings": ("csv",),
    "documents": ("csv", "txt"),
    "codebook": ("csv", "qdc", "html", "taguette"),
    "frequencies": ("csv", "html"),
}
BATCH = 2000
MAX_ERRORS = 200  # reported one by one; beyond that only counted


class ExportCancelled(ServiceError):
    def __init__(self, rows: int) -> None:
        super().__init__(f"export cancelled after {rows:,} rows")
        self.rows = rows


class NotAvailable(ServiceError):
    """The export needs a part of Tessera that is not installed in this version."""


# -- small helpers ----------------------------------------------------------------


def iso(value: datetime | str | None) -> str:
    """ISO 8601 in UTC to the second, e.g. 2026-11-25T14:53:23Z (stored times are UTC).
    SQLite hands back its stored text, which is cheaper to reshape than to parse."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(timespec="seconds") + "Z"
    return value[:10] + "T" + value[11:19] + "Z"


def parse_iso(text: str) -> datetime:
    """A time from ISO 8601 as naive UTC; ValueError if it is not one."""
    text = text.strip()
    if text.endswith("Z"):  # what we write: UTC already
        value = datetime.fromisoformat(text[:-1])
        if value.tzinfo is not None:
            raise ValueError("two time zones")
        return value
    value = datetime.fromisoformat(text.replace(" ", "T", 1))
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def field_columns(project) -> list[tuple[int, int, str]]:
    """(field_id, code_id, column name) of every typed field, in codebook order."""
    order = {c.id: (i, c.path) for i, c in enumerate(codebook.list_codes(project))}
    with project.session() as s:
        rows = s.execute(
            select(m.CodeField.id, m.CodeField.code_id, m.CodeField.name, m.CodeField.sort_order)
        ).all()
    rows.sort(key=lambda r: (order[r.code_id][0], r.sort_order, r.id))
    return [(r.id, r.code_id, f"{order[r.code_id][1]}: {r.name}") for r in rows]


def _page_starts(s) -> dict[int, list[int]]:
    starts: dict[int, list[int]] = {}
    for did, a in s.execute(
        select(m.Page.document_id, m.Page.char_start).order_by(m.Page.document_id, m.Page.number)
    ):
        starts.setdefault(did, []).append(a)
    return starts


@contextmanager
def _output(out: Output, excel: bool) -> Iterator[IO[str]]:
    """csvio.open_output, with the system's refusals (no such folder, disk full, no
    permission) told as a ServiceError. A closed pipe stays a BrokenPipeError: the
    reader (``| head``) has all it wanted."""
    try:
        with csvio.open_output(out, excel=excel) as fh:
            yield fh
    except BrokenPipeError:
        raise
    except OSError as exc:
        name = out if isinstance(out, str | PathLike) else getattr(out, "name", "the output")
        raise ServiceError(f"cannot write {name}: {exc.strerror or exc}") from exc


def _refuse_project_file(project, out: Output) -> None:
    """Writing an export over the project file (or its journal) would destroy it."""
    if not isinstance(out, str | PathLike):
        return
    target = Path(out).resolve()
    db = project.path.resolve()
    if target in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        raise ServiceError(f"{out} is the project file itself; choose another file name")


# -- export: codings ----------------------------------------------------------------


def export_codings(
    project,
    out: Output,
    *,
    excel: bool = False,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """Write every coding as CSV to ``out`` (a path or a stream); returns the rows written.
    Cancelling raises ExportCancelled and, for a path, leaves no file behind."""
    _refuse_project_file(project, out)
    paths = {c.id: c.path for c in codebook.list_codes(project)}
    fields = field_columns(project)
    field_pos = {fid: i for i, (fid, _, _) in enumerate(fields)}
    order = (m.Coding.document_id, m.Coding.start, m.Coding.end, m.Coding.id)
    sql_times = project.engine.dialect.name == "sqlite"
    rows = 0
    with project.session() as s, _output(out, excel) as fh:
        total = s.scalar(select(func.count()).select_from(m.Coding)) or 0
        pages = _page_starts(s)
        # names looked up once, not joined per coding (a document's sha256 is stored
        # after its text: a join would read every text again for every coding)
        documents = {did: (name, sha) for did, name, sha in s.execute(
            select(m.Document.id, m.Document.name, m.Document.sha256))}  # fmt: skip
        coders = dict(s.execute(select(m.Coder.id, m.Coder.name)).all())
        w = csvio.writer(fh)
        w.writerow([*CODING_COLUMNS, *(name for _, _, name in fields)])
        q = select(
            m.Coding.id,
            m.Coding.document_id,
            m.Coding.code_id,
            m.Coding.coder_id,
            m.Coding.start,
            m.Coding.end,
            m.Coding.quote,
            m.Coding.memo,
            *_times_sql(project, m.Coding.created_at, m.Coding.updated_at),
        ).order_by(*order)  # fmt: skip
        conn = s.connection()  # Core rows: the ORM's per-row work buys nothing here
        values = _values_in_order(conn, order) if fields else iter(())
        pending = next(values, None)
        blank = [""] * len(fields)
        iso_times = not sql_times

        def lines(batch):
            """The CSV lines of one batch of codings (a generator, so writerows
            consumes it without a Python call per row)."""
            nonlocal pending
            last_did, dname, sha = None, "", ""
            for cid, did, code_id, coder_id, start, end, quote, memo, cat, uat in batch:
                if did != last_did:
                    last_did, (dname, sha) = did, documents[did]
                    starts = pages.get(did)
                page = (docs.page_of(starts, start) or "") if starts else ""
                extra = blank
                if pending is not None and pending[3] != cid:
                    # Values of codings this stream did not see (written between the
                    # two queries' snapshots) sort before the current one: skip them.
                    key = (did, start, end, cid)
                    while pending is not None and tuple(pending[:4]) < key:
                        pending = next(values, None)
                if pending is not None and pending[3] == cid:
                    extra = blank.copy()
                    while pending is not None and pending[3] == cid:
                        extra[field_pos[pending[4]]] = pending[5]
                        pending = next(values, None)
                if iso_times:
                    cat, uat = iso(cat), iso(uat)
                yield (dname, sha, paths[code_id], coders[coder_id], start, end, page,
                       quote, memo or "", cat, uat, *extra)  # fmt: skip

        # partitions(): a batch of rows per fetch, not SQLAlchemy's per-row fetchone
        result = conn.execute(q.execution_options(yield_per=BATCH))
        for batch in result.partitions():
            w.writerows(lines(batch))
            rows += len(batch)
            if cancelled and cancelled():
                raise ExportCancelled(rows)
            if progress:
                progress(rows, total)
        if progress:
            progress(rows, total)
    return rows


def _times_sql(project, *columns):
    """Times as ISO 8601 UTC text, formatted by SQLite itself where it can (saves a
    Python call per value); elsewhere as stored, for iso() to format."""
    if project.engine.dialect.name == "sqlite":
        return [func.strftime("%Y-%m-%dT%H:%M:%SZ", c) for c in columns]
    return [type_coerce(c, String) for c in columns]


def _values_in_order(conn, order) -> Iterator[tuple]:
    """Field values as (document_id, start, end, coding_id, field_id, value), in the
    codings' export order: merged with the codings stream instead of held in memory."""
    q = (
        select(*order, m.CodingValue.field_id, m.CodingValue.value)
        .join(m.Coding, m.Coding.id == m.CodingValue.coding_id)
        .order_by(*order, m.CodingValue.field_id)
    )
    yield from conn.execute(q.execution_options(yield_per=BATCH))


# -- export: documents, texts, codebook, frequencies ------------------------------


def export_documents(project, out: Output, *, excel: bool = False) -> int:
    """The document list as CSV (one row per document); returns the rows written."""
    _refuse_project_file(project, out)
    listed = docs.list_documents(project)
    with _output(out, excel) as fh:
        w = csvio.writer(fh)
        w.writerow(DOCUMENT_COLUMNS)
        for d in listed:
            w.writerow(
                (d.name, d.sha256, d.kind, d.pages or "", d.length, d.codings, d.title or "",
                 d.author or "", d.date or "", d.source or "", d.url or "")
            )  # fmt: skip
    return len(listed)


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$", re.IGNORECASE)
MAX_NAME_BYTES = 200  # well under the 255 most file systems allow, leaving room for " (n)"


def safe_filename(name: str, suffix: str = ".txt") -> str:
    """A file name made from a document name that is valid on Windows, macOS and Linux
    and cannot point elsewhere (no separators, no '..', no device names)."""
    base = unicodedata.normalize("NFC", name)
    base = _UNSAFE.sub("_", base).strip().strip(".").strip()
    if base.lower().endswith(suffix):
        base = base[: -len(suffix)].rstrip(" .")
    if not base or _RESERVED.match(base):
        base = f"_{base}" if base else "document"
    encoded = base.encode("utf-8")[:MAX_NAME_BYTES]
    base = encoded.decode("utf-8", "ignore").rstrip(" .") or "document"
    return base + suffix


def export_document_texts(project, folder: Path | str) -> list[Path]:
    """Each document's stored text, UTF-8, one file per document in ``folder`` (created if
    needed), named after the document. Existing files are never overwritten: a clash
    gets a number, "name (2).txt". Returns the files written, in document-name order."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ServiceError(f"{folder} is a file; give a folder for the texts")
    try:
        return _write_texts(project, folder)
    except OSError as exc:
        where = exc.filename or folder
        raise ServiceError(f"cannot write {where}: {exc.strerror or exc}") from exc


def _write_texts(project, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    root = folder.resolve()
    taken = {p.name.casefold() for p in folder.iterdir()}
    written: list[Path] = []
    for d in docs.list_documents(project):
        name = safe_filename(d.name)
        stem, n = name[: -len(".txt")], 2
        while name.casefold() in taken:
            name, n = f"{stem} ({n}).txt", n + 1
        taken.add(name.casefold())
        target = folder / name
        if target.resolve().parent != root:  # cannot happen after safe_filename; be sure
            raise ServiceError(f"refusing to write {name!r} outside {folder}")
        text = docs.get_text(project, d.id)
        # 'x': never follow a symlink planted under that name or overwrite a file.
        with open(target, "x", encoding="utf-8", newline="") as fh:
            fh.write(text)
        written.append(target)
    return written


def export_codebook(project, out: Output, fmt: str = "csv", *, excel: bool = False) -> int | None:
    """The codebook as REFI-QDA (qdc), HTML or CSV, through codebook.exchange when this
    version has it; a plain CSV of the codes otherwise."""
    _refuse_project_file(project, out)
    module = _optional("desktop.services.codebook.exchange")
    if module is not None and hasattr(module, "export_codebook"):
        if excel and fmt == "csv":
            with _output(out, True) as fh:
                return module.export_codebook(project, fh, fmt)
        return module.export_codebook(project, out, fmt)
    if fmt != "csv":
        raise NotAvailable(f"exporting the codebook as {fmt} is not available in this version")
    codes = codebook.list_codes(project)
    parents = {c.id: c.path for c in codes}
    with _output(out, excel) as fh:
        w = csvio.writer(fh)
        w.writerow(CODEBOOK_COLUMNS)
        for c in codes:
            w.writerow((c.path, c.name, parents.get(c.parent_id, ""), c.color, c.description))
    return len(codes)


def export_frequencies(
    project, out: Output, fmt: str = "csv", *, excel: bool = False, by: str | None = None
) -> int | None:
    """Code frequencies (per document, or per coder with ``by="coder"``) as CSV or HTML,
    through desktop.services.codebook.frequencies."""
    _refuse_project_file(project, out)
    module = _optional("desktop.services.codebook.frequencies")
    fn = getattr(module, "export_frequencies", None) if module is not None else None
    if fn is None:
        raise NotAvailable("code frequencies cannot be exported in this version yet")
    kw = {"by": by} if by else {}
    if excel and fmt == "csv":
        with _output(out, True) as fh:
            return fn(project, fh, fmt, **kw)
    return fn(project, out, fmt, **kw)


def _optional(name: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:  # the module exists but something it needs does not
            raise
        return None
