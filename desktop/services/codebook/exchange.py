"""The codebook in and out of files: CSV, REFI-QDA (.qdc, and the codebook of a .qde or
.qdpx) and a readable HTML document (html_page).

The CSV layout is described in csv_file.

Import merges by path: a code that is not in the project is added; one that is gets the
file's colour, definition and criteria where the file has them, and the file's examples
and fields it does not have yet; everything else is left alone. The whole file is
checked before anything is written (duplicate paths, unknown parents, cycles, bad
colours, bad field definitions: each reported with its line or element) and stored in
one transaction, or not at all."""

from __future__ import annotations

import io
import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from sqlalchemy import select

from db import models as m
from desktop.core import csvio, wording
from desktop.core.exchange.refi import CodeSpec, ExchangeError, read_codebook, write_codebook_qdc
from desktop.services.codebook import codebook
from desktop.services.codebook import fields as fieldsvc
from desktop.services.codebook.csv_file import (  # noqa: F401  (re-exported)
    COLUMNS,
    CodebookFile,
    CodebookImportRefused,
    CodeRecord,
    read_csv,
    write_csv,
    write_taguette_csv,
)
from desktop.services.codebook.examples import insert_example
from desktop.services.codebook.snapshot import CodeTreeSnapshot, restore_in, take_snapshot
from desktop.services.errors import ServiceError
from desktop.services.project import audit

FORMATS = ("csv", "qdc", "html")
IMPORT_SUFFIXES = (".csv", ".qdc", ".qde", ".qdpx")


# -- the project's codebook as records ------------------------------------------------


def records(project) -> list[CodeRecord]:
    """The project's codes, parents first, with their examples and own fields."""
    codes = codebook.list_codes(project)
    own: dict[int, list[dict]] = {}
    with project.session() as s:
        for f in s.scalars(select(m.CodeField).order_by(m.CodeField.sort_order, m.CodeField.id)):
            own.setdefault(f.code_id, []).append(
                {
                    "name": f.name,
                    "type": f.type,
                    "choices": list(f.choices or []),
                    "required": bool(f.required),
                }
            )
    return [
        CodeRecord(
            c.path,
            c.name,
            c.color,
            c.description,
            c.inclusion,
            c.exclusion,
            list(c.examples),
            own.get(c.id, []),
            c.guid,
        )  # fmt: skip
        for c in codes
    ]


def _guid_namespace(project) -> uuid.UUID:
    """Codes without a GUID get uuid5(this, code id): the same on every export."""
    with project.session() as s:
        info = s.get(m.ProjectInfo, 1)
        seed = f"{info.created_at.isoformat() if info else ''}/{info.name if info else ''}"
    return uuid.uuid5(uuid.NAMESPACE_URL, f"tessera:{seed}")


# -- export -----------------------------------------------------------------------------


def export_codebook(project, out: Path | str | IO, fmt: str = "csv") -> int:
    """Write the codebook to ``out`` (a path, or a text or binary stream) as ``fmt``:
    csv, taguette (the CSV Taguette imports: tag,description), qdc (REFI-QDA, valid
    against Codebook.xsd) or html. Returns the codes written."""
    fmt = fmt.lower().lstrip(".")
    if fmt in ("csv", "taguette"):
        recs = records(project)
        with csvio.open_output(out) as fh:
            (write_csv if fmt == "csv" else write_taguette_csv)(recs, fh)
        return len(recs)
    if fmt == "qdc":
        codes = codebook.list_codes(project)
        if not codes:
            raise ServiceError("the codebook is empty: a REFI-QDA codebook needs at least one code")
        namespace = _guid_namespace(project)
        specs = [
            CodeSpec(
                path=c.path,
                name=c.name,
                color=c.color,
                description=c.description,
                guid=c.guid or str(uuid.uuid5(namespace, str(c.id))),
                inclusion=c.inclusion,
                exclusion=c.exclusion,
                examples=list(c.examples),
                codable=c.is_codable,
            )  # fmt: skip
            for c in codes
        ]
        if isinstance(out, str | os.PathLike):
            write_codebook_qdc(specs, out)
        else:
            buf = io.BytesIO()
            write_codebook_qdc(specs, buf)
            _write_bytes(out, buf.getvalue())
        return len(specs)
    if fmt == "html":
        from desktop.services.codebook.html_page import codebook_html

        text = codebook_html(project)
        with csvio.open_output(out) as fh:
            fh.write(text)
        return len(codebook.list_codes(project))
    raise ServiceError(f"the codebook can be exported as {', '.join(FORMATS)}, not {fmt!r}")


def _write_bytes(out: IO, data: bytes) -> None:
    if isinstance(out, io.TextIOBase) or hasattr(out, "encoding"):
        out.write(data.decode("utf-8"))
    else:
        out.write(data)


# -- reading files -------------------------------------------------------------------------


def read_file(path: Path | str) -> CodebookFile:
    """The codes of a codebook file, by its extension (.csv, .qdc, .qde, .qdpx). Problems
    with single codes are listed in ``.problems``; a file that cannot be read at all
    raises CodebookImportRefused."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise ServiceError(f"{path}: no such file")
    if suffix == ".csv":
        return read_csv(path)
    if suffix in (".qdc", ".qde", ".qdpx"):
        try:
            book = read_codebook(path)
        except ExchangeError as exc:
            raise CodebookImportRefused(str(path), [str(exc)]) from exc
        recs = [
            CodeRecord(
                c.path,
                c.name,
                c.color,
                c.description,
                c.inclusion,
                c.exclusion,
                list(c.examples),
                [],
                c.guid,
                "",
                c.codable,
            )  # fmt: skip
            for c in book.codes
        ]
        return CodebookFile(book.source, recs, [str(w) for w in book.warnings], book.origin, "refi")
    raise ServiceError(
        f"{path}: cannot import a codebook from a {suffix or 'nameless'} file (use {', '.join(IMPORT_SUFFIXES)})"
    )


# -- import ---------------------------------------------------------------------------


@dataclass
class CodebookImportReport:
    source: str
    added: list[str] = field(default_factory=list)
    updated: list[tuple[str, list[str]]] = field(default_factory=list)  # (path, what changed)
    unchanged: list[str] = field(default_factory=list)
    left_alone: list[str] = field(default_factory=list)  # what the file has that was not taken
    warnings: list[str] = field(default_factory=list)
    origin: str | None = None
    # undo_import(project, report) takes these back
    added_ids: list[int] = field(default_factory=list)
    added_field_ids: list[int] = field(default_factory=list)
    added_example_ids: list[int] = field(default_factory=list)
    before: CodeTreeSnapshot | None = None  # the updated codes as they were


def _check(book: CodebookFile, existing: dict[str, int], strict: bool) -> list[str]:
    problems: list[str] = []
    if strict and book.warnings and book.kind == "refi":
        problems.extend(book.warnings)
    seen: dict[str, str] = {}
    for r in book.codes:
        if not r.path:
            continue
        if r.path in seen:
            problems.append(
                f"{r.where or 'code'}: the path {r.path!r} appears twice (also {seen[r.path]})"
            )
            continue
        seen[r.path] = r.where or r.path
    for r in book.codes:
        if r.path and r.parent and r.parent not in seen and r.parent not in existing:
            problems.append(
                f"{r.where or 'code ' + repr(r.path)}: unknown parent {r.parent!r} (not in the file or the project)"
            )
    return problems


def _line_of(problem: str) -> int:
    m_ = re.match(r"line (\d+)", problem)
    return int(m_.group(1)) if m_ else 0


def import_codebook(
    project, path: Path | str, *, strict: bool = True, dry_run: bool = False
) -> CodebookImportReport:
    """Merge the codebook in ``path`` into the project by path (see the module docstring).

    ``strict`` refuses a REFI-QDA file the reader had to change (renamed duplicate
    siblings, colours it could not read, duplicate GUIDs); without it those changes are
    reported as warnings. ``dry_run`` checks and reports without writing. Raises
    CodebookImportRefused with every problem; then nothing has changed."""
    book = read_file(path)
    existing = codebook.code_paths(project)
    problems = sorted(book.problems + _check(book, existing, strict), key=_line_of)
    if problems:
        raise CodebookImportRefused(book.source, problems)
    book.codes = _parents_first(book.codes)
    report = CodebookImportReport(book.source, warnings=list(book.warnings), origin=book.origin)
    try:
        _store(project, book, existing, report, dry_run)
    except _DryRun:
        report.added_ids, report.added_field_ids, report.added_example_ids = [], [], []
        report.before = None
    return report


def _parents_first(recs: list[CodeRecord]) -> list[CodeRecord]:
    """File order, except that a code listed before its parent moves just after it."""
    in_file = {r.path for r in recs}
    waiting: dict[str, list[CodeRecord]] = {}
    done: set[str] = set()
    out: list[CodeRecord] = []

    def emit(r: CodeRecord) -> None:
        out.append(r)
        done.add(r.path)
        for child in waiting.pop(r.path, []):
            emit(child)

    for r in recs:
        if r.parent and r.parent in in_file and r.parent not in done:
            waiting.setdefault(r.parent, []).append(r)
        else:
            emit(r)
    return out


class _DryRun(Exception):
    """Raised to roll the transaction of a dry run back."""


def _store(
    project,
    book: CodebookFile,
    existing: dict[str, int],
    report: CodebookImportReport,
    dry_run: bool,
) -> None:
    with project.session() as s:
        touched = [existing[r.path] for r in book.codes if r.path in existing]
        report.before = take_snapshot(s, touched)
        ids = dict(existing)
        for r in book.codes:
            try:
                if r.path in ids:
                    _update(s, project.actor, ids[r.path], r, report)
                else:
                    parent = ids[r.parent] if r.parent else None
                    code = codebook._create(
                        s, project.actor, parent, r.name, color=r.color, description=r.description,
                        inclusion=r.inclusion, exclusion=r.exclusion, is_codable=r.codable,
                    )  # fmt: skip
                    code.guid = r.guid
                    ids[r.path] = code.id
                    report.added.append(r.path)
                    report.added_ids.append(code.id)
                    for ex in r.examples:
                        report.added_example_ids.append(
                            insert_example(s, project.actor, code.id, ex, None).id
                        )
                    for f in r.fields:
                        insert = fieldsvc.insert_field(
                            s,
                            project.actor,
                            code.id,
                            f["name"],
                            f["type"],
                            choices=f["choices"],
                            required=f["required"],
                        )
                        report.added_field_ids.append(insert.id)
            except ServiceError as exc:
                raise CodebookImportRefused(
                    book.source, [f"{r.where or repr(r.path)}: {exc}"]
                ) from exc
        if dry_run:
            raise _DryRun()
        audit.record(
            s,
            project.actor,
            "import",
            "codebook",
            None,
            None,
            {"source": book.source, "added": len(report.added), "updated": len(report.updated)},
        )


def _update(s, actor: str, code_id: int, r: CodeRecord, report: CodebookImportReport) -> None:
    code = s.get(m.Code, code_id)
    changed: list[str] = []
    old = {
        "color": code.color,
        "description": code.description,
        "inclusion": code.inclusion,
        "exclusion": code.exclusion,
    }
    if r.color and r.color != code.color:
        code.color = r.color
        changed.append("colour")
    for key in ("description", "inclusion", "exclusion"):
        value = getattr(r, key)
        if value and value != (getattr(code, key) or ""):
            setattr(code, key, value)
            changed.append(key)
    if r.guid and not code.guid:
        code.guid = r.guid
    have = {
        e.text for e in s.scalars(select(m.CodeExample).where(m.CodeExample.code_id == code_id))
    }
    new_examples = [e for e in r.examples if e not in have]
    for ex in new_examples:
        report.added_example_ids.append(insert_example(s, actor, code_id, ex, None).id)
    if new_examples:
        changed.append(f"{wording.count(len(new_examples), 'example')}")
    own = {f.name.lower(): f for f in fieldsvc.own_fields_in(s, code_id)}
    for f in r.fields:
        mine = own.get(f["name"].lower())
        if mine is None:
            report.added_field_ids.append(
                fieldsvc.insert_field(
                    s,
                    actor,
                    code_id,
                    f["name"],
                    f["type"],
                    choices=f["choices"],
                    required=f["required"],
                ).id
            )
            changed.append(f"field {f['name']!r}")
        elif (mine.type, list(mine.choices or []), bool(mine.required)) != (
            f["type"],
            f["choices"],
            f["required"],
        ):
            report.left_alone.append(
                f"{r.path}: the field {mine.name!r} differs from the file's; kept as it is"
            )
    path = r.path
    if changed:
        new = {
            "color": code.color,
            "description": code.description,
            "inclusion": code.inclusion,
            "exclusion": code.exclusion,
        }
        if new != old:
            audit.record(s, actor, "update", "code", code_id, old, new)
        report.updated.append((path, changed))
    else:
        report.unchanged.append(path)


def undo_import(project, report: CodebookImportReport) -> None:
    """Take an import back: remove the codes, fields and examples it added, and set the
    codes it updated back as they were. Refused if codings were applied to added codes
    since (delete those codes with delete_code_tree instead)."""
    with project.session() as s:
        used = s.scalar(select(m.Coding.id).where(m.Coding.code_id.in_(report.added_ids)).limit(1))
        if used is not None:
            raise ServiceError("codes added by the import have codings now; delete them explicitly")
        for eid in report.added_example_ids:
            ex = s.get(m.CodeExample, eid)
            if ex is not None:
                s.delete(ex)
        for fid in report.added_field_ids:
            f = s.get(m.CodeField, fid)
            if f is not None:
                s.delete(f)
        s.flush()
        for cid in reversed(report.added_ids):
            code = s.get(m.Code, cid)
            if code is not None:
                audit.record(
                    s,
                    project.actor,
                    "delete",
                    "code",
                    cid,
                    {"name": code.name, "parent_id": code.parent_id},
                    None,
                )
                s.delete(code)
                s.flush()
        if report.before is not None:
            restore_in(s, project.actor, report.before)
