"""Merging coders' project files into one (``tessera merge``, File > Merge).

What is matched, and how:

- documents by the sha256 of their text, never by name; a document of the source that
  the target lacks is added with its metadata and pages;
- codes by path (``Actors/Armed groups``); codes the target lacks are listed and the
  source is refused, unless ``add_codes`` (then they come with colours, definitions,
  criteria, examples and typed fields); typed fields by code path + field name;
- coders by identity (``teams`` module docstring): the same identity is the same
  coder, whatever the name. The same name with a different identity is a clash: the
  source is refused, unless ``rename_clashing`` (the incoming coder is added as
  ``name (2)``). A coder with no recorded identity on either side is matched by name,
  and the report says so;
- codings on (document, code, coder, start, end). A coding the target already has is
  "present"; merging the same file twice adds nothing. Merging never removes anything:
  a memo or field value the target lacks is filled in; where both have a different
  one, that is a conflict, reported, and the target's is kept unless
  ``prefer_source``.

Each source is merged in one transaction: a source that fails or is refused changes
nothing. The source file is only read: it is copied to a temporary file, checked there
(``db.project_file.check_file``, then SQLite's quick_check) and upgraded there if it comes
from an older schema; a newer schema is refused. One audit entry is recorded
per merged source.

``merge_projects`` may run in a worker thread: it calls ``progress`` with a
``MergeProgress`` and polls ``cancelled`` between batches; cancelling rolls back the
source in progress and keeps those merged before it."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from alembic import command
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from db import models as m
from db.engine import make_engine
from db.project_file import (
    SCHEMA_VERSION,
    SQLITE_MAGIC,
    ProjectFileError,
    alembic_config,
    check_file,
)
from desktop.core.codepath import join_path
from desktop.core.fields import FieldValueError, canonical_value
from desktop.core.text import sha256_text
from desktop.services import audit, teams
from desktop.services.errors import ServiceError

BATCH = 5000
SHOW = 20  # items of a long list shown in an error message


class MergeRefused(ServiceError):
    """The source cannot be merged as it stands; the message says what to do."""


class _Cancelled(Exception):
    pass


class _DryRun(Exception):
    pass


@dataclass(frozen=True)
class MergeProgress:
    source_index: int  # 0-based
    sources_total: int
    source: str  # file name
    stage: str  # reading | checking | codings | done
    done: int = 0
    total: int = 0


@dataclass(frozen=True)
class CodingConflict:
    document: str
    code: str
    coder: str
    start: int
    end: int
    what: str  # "memo" or the field's name
    target_value: str
    source_value: str
    kept: str  # "target" or "source"


@dataclass
class SourceReport:
    path: Path
    status: str = "pending"  # merged | dry run | refused | failed | cancelled | skipped
    error: str = ""
    documents_added: list[str] = field(default_factory=list)
    documents_matched: int = 0
    codes_added: list[str] = field(default_factory=list)
    codes_missing: list[str] = field(default_factory=list)
    fields_added: list[str] = field(default_factory=list)  # "code path: field"
    fields_missing: list[str] = field(default_factory=list)
    coders_added: list[str] = field(default_factory=list)
    coders_matched: list[str] = field(default_factory=list)
    coders_matched_by_name: list[str] = field(default_factory=list)  # no identity to compare
    coders_renamed: list[tuple[str, str]] = field(default_factory=list)  # (in source, in target)
    coder_clashes: list[str] = field(default_factory=list)
    codings_in_source: int = 0
    codings_added: int = 0
    codings_present: int = 0
    codings_filled: int = 0  # present, and a memo or value the target lacked was added
    conflicts: list[CodingConflict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in ("merged", "dry run")

    def describe(self, limit: int = SHOW) -> list[str]:
        """The report as lines of text, for the CLI to print and the window to show."""
        if self.status == "skipped":
            return [f"skipped {self.path} (cancelled)"]
        if self.status == "cancelled":
            return [f"cancelled {self.path}: nothing of it was merged"]
        if not self.ok:
            return [f"{self.status} {self.error or self.path}"]
        out = [f"{'would merge' if self.status == 'dry run' else 'merged'} {self.path}"]
        out.append(
            f"  documents: {len(self.documents_added)} added, {self.documents_matched} already here"
            + _listed(self.documents_added, limit)
        )
        if self.codes_added:
            out.append(f"  codes: {len(self.codes_added)} added{_listed(self.codes_added, limit)}")
        if self.fields_added:
            out.append(
                f"  typed fields: {len(self.fields_added)} added{_listed(self.fields_added, limit)}"
            )
        parts = []
        if self.coders_added:
            parts.append(f"{len(self.coders_added)} added ({', '.join(self.coders_added)})")
        if self.coders_matched:
            parts.append(f"{', '.join(self.coders_matched)} already here")
        if self.coders_matched_by_name:
            names = ", ".join(self.coders_matched_by_name)
            parts.append(f"{names} matched by name only (no identity recorded)")
        parts.extend(f"{old} is {new} here" for old, new in self.coders_renamed)
        if parts:
            out.append("  coders: " + "; ".join(parts))
        line = f"  codings: {self.codings_added} added, {self.codings_present} already present"
        if self.codings_filled:
            line += f" ({self.codings_filled} given a memo or value they lacked)"
        if self.conflicts:
            line += f", {len(self.conflicts)} conflicting (kept the {self.conflicts[0].kept}'s)"
        out.append(line)
        for c in self.conflicts[:limit]:
            out.append(
                f"    {c.document} [{c.start}, {c.end}) {c.code} by {c.coder}: {c.what} "
                f"{c.target_value!r} here, {c.source_value!r} there"
            )
        if len(self.conflicts) > limit:
            out.append(f"    ... and {len(self.conflicts) - limit} more")
        return out


@dataclass
class MergeReport:
    sources: list[SourceReport] = field(default_factory=list)
    dry_run: bool = False
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return not self.cancelled and all(r.ok for r in self.sources)

    @property
    def codings_added(self) -> int:
        return sum(r.codings_added for r in self.sources if r.ok)


def merge_projects(
    target,
    source_paths: Iterable[Path | str],
    *,
    add_codes: bool = False,
    rename_clashing: bool = False,
    prefer_source: bool = False,
    dry_run: bool = False,
    progress: Callable[[MergeProgress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> MergeReport:
    """Merge each source project file into ``target`` (an open Project), one transaction
    per source. Refusals and failures are reported per source, never raised; with
    ``dry_run`` everything is checked and counted and nothing is written."""
    paths = [Path(p) for p in source_paths]
    report = MergeReport(dry_run=dry_run)
    opts = _Options(add_codes, rename_clashing, prefer_source, dry_run)
    for i, path in enumerate(paths):
        sr = SourceReport(path)
        report.sources.append(sr)
        if report.cancelled or (cancelled and cancelled()):
            report.cancelled = True
            sr.status = "skipped"
            continue

        def step(stage: str, done: int = 0, total: int = 0, _i=i, _name=path.name) -> None:
            if cancelled and cancelled():
                raise _Cancelled
            if progress:
                progress(MergeProgress(_i, len(paths), _name, stage, done, total))

        try:
            if _same_file(path, target.path):
                raise MergeRefused(f"{path}: is the target project itself")
            step("reading")
            with _open_source(path) as engine:
                src = _read_source(engine)
            _merge_one(target, path, src, sr, opts, step)
            sr.status = "merged"
        except _DryRun:
            sr.status = "dry run"
        except _Cancelled:
            sr.status = "cancelled"
            report.cancelled = True
        except (MergeRefused, ProjectFileError) as exc:
            sr.status, sr.error = "refused", str(exc)
        except (ServiceError, SQLAlchemyError, sqlite3.Error, OSError) as exc:
            sr.status, sr.error = "failed", f"{path}: {_reason(exc)}"
        except Exception as exc:  # a bug must not hide what the other sources did
            sr.status = "failed"
            sr.error = (
                f"{path}: unexpected error ({type(exc).__name__}: {exc}); nothing of it was merged"
            )
        if progress and not report.cancelled:
            progress(MergeProgress(i, len(paths), path.name, "done", 1, 1))
    return report


@dataclass(frozen=True)
class _Options:
    add_codes: bool
    rename_clashing: bool
    prefer_source: bool
    dry_run: bool


def _reason(exc: Exception) -> str:
    if isinstance(exc, SQLAlchemyError) and getattr(exc, "orig", None) is not None:
        return f"the database cannot be read or written ({exc.orig})"
    return str(exc)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and a.samefile(b)
    except OSError:
        return False


# -- reading the source -----------------------------------------------------------


@contextmanager
def _open_source(path: Path) -> Iterator[Engine]:
    """A private, current-schema copy of the source. The source is only read, with plain
    file reads: even a read-only SQLite connection leaves -wal and -shm files beside a
    WAL-mode database, so SQLite only ever sees the copy."""
    try:
        with path.open("rb") as fh:
            is_sqlite = fh.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        is_sqlite = False
    if not is_sqlite:
        check_file(path)  # raises, saying why, before any SQLite connection
        raise MergeRefused(f"{path}: not a Tessera project")
    with tempfile.TemporaryDirectory(prefix="tessera-merge-") as tmp:
        copy = Path(tmp) / path.name
        shutil.copyfile(path, copy)
        wal = Path(f"{path}-wal")
        if wal.is_file() and wal.stat().st_size:  # open elsewhere: its latest commits
            shutil.copyfile(wal, Path(f"{copy}-wal"))
        try:
            version = check_file(copy)
        except ProjectFileError as exc:
            raise ProjectFileError(str(exc).replace(str(copy), str(path))) from None
        try:
            conn = sqlite3.connect(copy)
            try:
                problems = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            raise MergeRefused(f"{path}: the file is damaged and cannot be read ({exc})") from exc
        if problems != ["ok"]:
            raise MergeRefused(f"{path}: the file is damaged ({problems[0]})")
        engine = make_engine(copy)
        try:
            if version < SCHEMA_VERSION:
                command.upgrade(alembic_config(engine), "head")
            yield engine
        finally:
            engine.dispose()


@dataclass
class _Source:
    settings: dict
    coders: dict[int, tuple[str, str]]  # id -> (name, color)
    documents: list[dict]
    pages: dict[int, list[dict]]
    codes: dict[int, dict]
    paths: dict[int, str]  # code id -> path
    examples: dict[int, list[str]]
    fields: dict[int, dict]  # field id -> row
    codings: list[
        tuple
    ]  # (id, document_id, code_id, coder_id, start, end, quote, memo, created, updated)
    values: dict[int, dict[int, str]]  # coding id -> {field id: value}


def _read_source(engine: Engine) -> _Source:
    with Session(engine) as s:
        settings = teams.read_settings(s)
        coders_ = {
            r.id: (r.name, r.color)
            for r in s.execute(select(m.Coder.id, m.Coder.name, m.Coder.color))
        }
        documents = [dict(r._mapping) for r in s.execute(select(m.Document.__table__))]
        pages: dict[int, list[dict]] = {}
        for r in s.execute(select(m.Page.__table__).order_by(m.Page.document_id, m.Page.number)):
            pages.setdefault(r.document_id, []).append(dict(r._mapping))
        codes = {r.id: dict(r._mapping) for r in s.execute(select(m.Code.__table__))}
        examples: dict[int, list[str]] = {}
        for code_id, text in s.execute(
            select(m.CodeExample.code_id, m.CodeExample.text).order_by(
                m.CodeExample.sort_order, m.CodeExample.id
            )
        ):
            examples.setdefault(code_id, []).append(text)
        fields = {r.id: dict(r._mapping) for r in s.execute(select(m.CodeField.__table__))}
        t = m.Coding.__table__.c
        codings = [
            tuple(r)
            for r in s.execute(
                select(t.id, t.document_id, t.code_id, t.coder_id, t.start, t.end, t.quote, t.memo,
                       t.created_at, t.updated_at).order_by(t.id)
            )
        ]  # fmt: skip
        values: dict[int, dict[int, str]] = {}
        for cid, fid, v in s.execute(
            select(m.CodingValue.coding_id, m.CodingValue.field_id, m.CodingValue.value)
        ):
            values.setdefault(cid, {})[fid] = v
    return _Source(
        settings, coders_, documents, pages, codes, _paths(codes), examples, fields, codings, values
    )


def _paths(codes: dict[int, dict]) -> dict[int, str]:
    """{code id: path} of a table of code rows."""
    names: dict[int, list[str]] = {}

    def walk(cid: int) -> None:
        chain: list[int] = []
        cur: int | None = cid
        while cur is not None and cur not in names:
            if cur in chain or cur not in codes:
                raise MergeRefused(
                    "the codebook is damaged (a code's parent is missing or circular)"
                )
            chain.append(cur)
            cur = codes[cur]["parent_id"]
        prefix = [] if cur is None else names[cur]
        for c in reversed(chain):
            prefix = [*prefix, codes[c]["name"]]
            names[c] = prefix

    for cid in codes:
        walk(cid)
    return {cid: join_path(n) for cid, n in names.items()}


# -- merging one source -------------------------------------------------------------


def _merge_one(target, path: Path, src: _Source, sr: SourceReport, opts: _Options, step) -> None:
    sr.codings_in_source = len(src.codings)
    step("checking")
    for d in src.documents:
        if sha256_text(d["text"]) != d["sha256"]:
            raise MergeRefused(
                f"{path}: the text of {d['name']!r} does not match its checksum (damaged file)"
            )
    with target.session() as s:
        # Take the write lock first: a read transaction that later writes could fail
        # with SQLITE_BUSY if the window wrote in between.
        info = m.ProjectInfo.__table__
        s.execute(update(info).where(info.c.id == 1).values(name=info.c.name))
        plan = _Plan(s, src, sr, opts, path, target.actor)
        plan.check()
        plan.write_documents()
        plan.write_codes()
        plan.write_coders()
        plan.write_codings(step)
        audit.record(
            s, target.actor, "merge", "project", 1, None,
            {
                "source": str(path), "documents_added": sr.documents_added,
                "codes_added": sr.codes_added, "fields_added": sr.fields_added,
                "coders_added": sr.coders_added, "coders_renamed": sr.coders_renamed,
                "codings_added": sr.codings_added, "codings_present": sr.codings_present,
                "codings_filled": sr.codings_filled, "conflicts": len(sr.conflicts),
                "prefer_source": opts.prefer_source,
            },
        )  # fmt: skip
        if opts.dry_run:
            raise _DryRun


class _Plan:
    """The matching of one source against the target, then its writing, inside the
    target's open transaction."""

    def __init__(
        self, s: Session, src: _Source, sr: SourceReport, opts: _Options, path: Path, actor: str
    ):
        self.s, self.src, self.sr, self.opts, self.path, self.actor = s, src, sr, opts, path, actor
        self.doc_map: dict[int, int] = {}
        self.code_map: dict[int, int] = {}
        self.field_map: dict[int, int] = {}
        self.coder_map: dict[int, int] = {}

        self.t_docs = {sha: (did, name) for did, sha, name in s.execute(
            select(m.Document.id, m.Document.sha256, m.Document.name))}  # fmt: skip
        t_codes = {r.id: dict(r._mapping) for r in s.execute(select(m.Code.__table__))}
        self.t_paths = {p: cid for cid, p in _paths(t_codes).items()}
        self.t_fields = {
            (r.code_id, r.name): dict(r._mapping) for r in s.execute(select(m.CodeField.__table__))
        }
        self.t_coders = {name: cid for cid, name in s.execute(select(m.Coder.id, m.Coder.name))}
        self.settings = teams.read_settings(s)
        self.t_guids = teams.guids_in(self.settings)
        self.src_guids = teams.guids_in(src.settings)
        self.new_coders: list[tuple[int, str, str, str]] = []  # (source id, name, color, guid)
        self.adopt: dict[int, str] = {}  # target coder id -> identity learnt from the source

    # -- matching ---------------------------------------------------------------
    def check(self) -> None:
        src, sr = self.src, self.sr
        for d in src.documents:
            if d["sha256"] in self.t_docs:
                self.doc_map[d["id"]] = self.t_docs[d["sha256"]][0]
                sr.documents_matched += 1
        for cid, p in src.paths.items():
            if p in self.t_paths:
                self.code_map[cid] = self.t_paths[p]
            else:
                sr.codes_missing.append(p)
        sr.codes_missing.sort()
        for fid, f in src.fields.items():
            label = f"{src.paths[f['code_id']]}: {f['name']}"
            tcode = self.code_map.get(f["code_id"])
            tf = self.t_fields.get((tcode, f["name"])) if tcode is not None else None
            if tf is None:
                sr.fields_missing.append(label)
            elif tf["type"] != f["type"]:
                raise MergeRefused(
                    f"{self.path}: the field {label!r} is of type {f['type']} there and "
                    f"{tf['type']} here; change one of them, then merge again"
                )
            else:
                self.field_map[fid] = tf["id"]
        sr.fields_missing.sort()
        self._match_coders()
        problems = []
        if sr.codes_missing and not self.opts.add_codes:
            problems.append(
                f"{len(sr.codes_missing)} code(s) are not in the target: {_some(sr.codes_missing)} "
                "(merge with --add-codes to add them)"
            )
        if sr.fields_missing and not self.opts.add_codes:
            missing = [f for f in sr.fields_missing if f.rsplit(": ", 1)[0] not in sr.codes_missing]
            if missing:
                problems.append(
                    f"{len(missing)} typed field(s) are not in the target: {_some(missing)} "
                    "(merge with --add-codes to add them)"
                )
        if sr.coder_clashes and not self.opts.rename_clashing:
            problems.append(
                f"coder(s) {_some(sr.coder_clashes)} in the source are different people from "
                "the coder(s) of the same name here (merge with --rename-clashing to add them "
                "under another name)"
            )
        if problems:
            raise MergeRefused(f"{self.path}: " + "; ".join(problems))

    def _match_coders(self) -> None:
        src, sr = self.src, self.sr
        by_guid = {g: cid for cid, g in self.t_guids.items()}
        used = {c[3] for c in src.codings}
        taken = set(self.t_coders)
        for sid in sorted(used):
            if sid not in src.coders:
                raise MergeRefused(
                    f"{self.path}: a coding refers to a coder that is not there (damaged file)"
                )
            name, color = src.coders[sid]
            guid = self.src_guids.get(sid)
            if guid and guid in by_guid:
                tid = by_guid[guid]
                self.coder_map[sid] = tid
                tname = next(n for n, i in self.t_coders.items() if i == tid)
                sr.coders_matched.append(name)
                if tname != name:
                    sr.coders_renamed.append((name, tname))
                continue
            tid = self.t_coders.get(name)
            if tid is None:
                self.new_coders.append((sid, name, color, guid or teams.new_guid()))
                taken.add(name)
                sr.coders_added.append(name)
                continue
            tguid = self.t_guids.get(tid)
            if guid and tguid and guid != tguid:
                sr.coder_clashes.append(name)
                if self.opts.rename_clashing:
                    new = _free_name(name, taken)
                    taken.add(new)
                    self.new_coders.append((sid, new, color, guid))
                    sr.coders_added.append(new)
                    sr.coders_renamed.append((name, new))
                continue
            self.coder_map[sid] = tid
            sr.coders_matched_by_name.append(name)
            if guid and not tguid:
                self.adopt[tid] = guid

    # -- writing ----------------------------------------------------------------
    def write_documents(self) -> None:
        s = self.s
        names = set(s.scalars(select(m.Document.name)))
        cols = {c.name for c in m.Document.__table__.c} - {"id"}
        for d in self.src.documents:
            if d["id"] in self.doc_map:
                continue
            row = {k: v for k, v in d.items() if k in cols}
            row["name"] = _free_name(d["name"], names, keep_ext=True)
            names.add(row["name"])
            did = s.execute(
                insert(m.Document.__table__).values(**row).returning(m.Document.id)
            ).scalar_one()
            pages = [
                {
                    "document_id": did,
                    "number": p["number"],
                    "char_start": p["char_start"],
                    "char_end": p["char_end"],
                }
                for p in self.src.pages.get(d["id"], [])
            ]
            if pages:
                s.execute(insert(m.Page.__table__), pages)
            self.doc_map[d["id"]] = did
            self.sr.documents_added.append(row["name"])

    def write_codes(self) -> None:
        if not self.sr.codes_missing and not self.sr.fields_missing:
            return
        s, src = self.s, self.src
        for cid in sorted(
            (c for c in src.codes if c not in self.code_map), key=lambda c: src.paths[c].count("/")
        ):
            c = src.codes[cid]
            parent = None if c["parent_id"] is None else self.code_map[c["parent_id"]]
            order = s.scalar(
                select(m.Code.sort_order).where(
                    m.Code.parent_id.is_(None) if parent is None else m.Code.parent_id == parent
                ).order_by(m.Code.sort_order.desc()).limit(1)
            )  # fmt: skip
            code = m.Code(
                parent_id=parent, name=c["name"], color=c["color"], description=c["description"] or "",
                inclusion=c["inclusion"] or "", exclusion=c["exclusion"] or "",
                sort_order=(order + 1) if order is not None else 0, guid=c["guid"],
            )  # fmt: skip
            s.add(code)
            s.flush()
            for i, text in enumerate(src.examples.get(cid, [])):
                s.add(m.CodeExample(code_id=code.id, text=text, sort_order=i))
            self.code_map[cid] = code.id
            self.sr.codes_added.append(src.paths[cid])
            audit.record(
                s,
                self.actor,
                "create",
                "code",
                code.id,
                None,
                {"path": src.paths[cid], "merged_from": str(self.path)},
            )
        for fid, f in sorted(
            src.fields.items(), key=lambda kv: (kv[1]["code_id"], kv[1]["sort_order"])
        ):
            if fid in self.field_map:
                continue
            tcode = self.code_map[f["code_id"]]
            order = s.scalar(
                select(m.CodeField.sort_order).where(m.CodeField.code_id == tcode)
                .order_by(m.CodeField.sort_order.desc()).limit(1)
            )  # fmt: skip
            tf = m.CodeField(
                code_id=tcode, name=f["name"], type=f["type"], choices=list(f["choices"] or []),
                required=bool(f["required"]), sort_order=(order + 1) if order is not None else 0,
            )  # fmt: skip
            s.add(tf)
            s.flush()
            self.field_map[fid] = tf.id
            self.t_fields[(tcode, f["name"])] = {
                "id": tf.id,
                "name": tf.name,
                "type": tf.type,
                "choices": tf.choices,
            }
            self.sr.fields_added.append(f"{src.paths[f['code_id']]}: {f['name']}")

    def write_coders(self) -> None:
        s = self.s
        guids = dict(self.t_guids)
        for sid, name, color, guid in self.new_coders:
            c = m.Coder(name=name, color=color)
            s.add(c)
            s.flush()
            self.coder_map[sid] = c.id
            guids[c.id] = guid
        guids.update(self.adopt)
        if guids != self.t_guids:
            teams.write_settings(s, teams.with_guids(teams.read_settings(s), guids))

    def write_codings(self, step) -> None:
        s, src, sr = self.s, self.src, self.sr
        texts = {d["id"]: d["text"] for d in src.documents}
        doc_names = {d["id"]: d["name"] for d in src.documents}
        coder_ids = sorted(set(self.coder_map.values()))
        c = m.Coding.__table__.c
        existing: dict[tuple, tuple[int, str]] = {}
        for chunk in _chunks(coder_ids, 500):
            for r in s.execute(
                select(c.id, c.document_id, c.code_id, c.coder_id, c.start, c.end, c.memo).where(
                    c.coder_id.in_(chunk)
                )
            ):
                existing[(r[1], r[2], r[3], r[4], r[5])] = (r[0], r[6] or "")
        self.t_values: dict[int, dict[int, str]] = {}
        v = m.CodingValue.__table__.c
        for chunk in _chunks(coder_ids, 500):
            for cid, fid, value in s.execute(
                select(v.coding_id, v.field_id, v.value).join(m.Coding.__table__, c.id == v.coding_id)
                .where(c.coder_id.in_(chunk))
            ):  # fmt: skip
                self.t_values.setdefault(cid, {})[fid] = value
        field_info = {f["id"]: f for f in self.t_fields.values()}
        new_rows: list[dict] = []
        new_values: list[tuple[tuple, dict[int, str]]] = []
        total = len(src.codings)
        seen: set[tuple] = set()
        for n, (sid, doc, code, coder, start, end, quote, memo, created, updated) in enumerate(
            src.codings
        ):
            if n % BATCH == 0:
                step("codings", n, total)
            text = texts.get(doc)
            if text is None or code not in self.code_map or coder not in self.coder_map:
                raise MergeRefused(
                    f"{self.path}: coding {sid} refers to a missing document, code or coder (damaged file)"
                )
            if not (0 <= start < end <= len(text)) or text[start:end] != quote:
                raise MergeRefused(
                    f"{self.path}: a coding of {doc_names[doc]!r} at [{start}, {end}) does not match "
                    "the document's text (damaged file)"
                )
            key = (self.doc_map[doc], self.code_map[code], self.coder_map[coder], start, end)
            values = self._values(sid, field_info, doc_names[doc], start, end)
            if key in existing or key in seen:
                sr.codings_present += 1
                if key in existing:
                    self._reconcile(key, existing[key], memo or "", values, field_info,
                                    (doc_names[doc], src.paths[code], src.coders[coder][0], start, end))  # fmt: skip
                continue
            seen.add(key)
            new_rows.append({
                "document_id": key[0], "code_id": key[1], "coder_id": key[2], "start": start, "end": end,
                "quote": quote, "memo": memo or "", "created_at": created, "updated_at": updated,
            })  # fmt: skip
            if values:
                new_values.append((key, values))
            if len(new_rows) >= BATCH:
                s.execute(insert(m.Coding.__table__), new_rows)
                sr.codings_added += len(new_rows)
                new_rows = []
        if new_rows:
            s.execute(insert(m.Coding.__table__), new_rows)
            sr.codings_added += len(new_rows)
        step("codings", total, total)
        if new_values:
            ids: dict[tuple, int] = {}
            for chunk in _chunks(coder_ids, 500):
                for r in s.execute(
                    select(c.id, c.document_id, c.code_id, c.coder_id, c.start, c.end).where(
                        c.coder_id.in_(chunk)
                    )
                ):
                    ids[tuple(r[1:])] = r[0]
            rows = [
                {"coding_id": ids[key], "field_id": fid, "value": v}
                for key, values in new_values
                for fid, v in values.items()
            ]
            for chunk in _chunks(rows, BATCH):
                s.execute(insert(m.CodingValue.__table__), chunk)

    def _values(
        self, coding_id: int, field_info: dict, doc: str, start: int, end: int
    ) -> dict[int, str]:
        out = {}
        for sfid, v in self.src.values.get(coding_id, {}).items():
            tfid = self.field_map.get(sfid)
            if tfid is None:
                raise MergeRefused(
                    f"{self.path}: a value refers to a field that is not there (damaged file)"
                )
            f = field_info[tfid]
            try:
                out[tfid] = canonical_value(f["type"], v, f["choices"] or [])
            except FieldValueError as exc:
                raise MergeRefused(
                    f"{self.path}: the value {v!r} of field {self.src.fields[sfid]['name']!r} on a coding "
                    f"of {doc!r} at [{start}, {end}) does not fit this project's field: {exc}"
                ) from exc
        return out

    def _reconcile(
        self, key, existing, memo: str, values: dict[int, str], field_info, where
    ) -> None:
        s, sr, prefer = self.s, self.sr, self.opts.prefer_source
        cid, t_memo = existing
        changed = False
        if memo and memo != t_memo:
            if not t_memo:
                changed = True
                s.execute(
                    update(m.Coding.__table__)
                    .where(m.Coding.id == cid)
                    .values(memo=memo, updated_at=m.utcnow())
                )
            else:
                sr.conflicts.append(
                    CodingConflict(*where, "memo", t_memo, memo, "source" if prefer else "target")
                )
                if prefer:
                    s.execute(
                        update(m.Coding.__table__)
                        .where(m.Coding.id == cid)
                        .values(memo=memo, updated_at=m.utcnow())
                    )
        if values:
            t_values = self.t_values.get(cid, {})
            for fid, v in values.items():
                if fid not in t_values:
                    changed = True
                    s.execute(
                        insert(m.CodingValue.__table__).values(coding_id=cid, field_id=fid, value=v)
                    )
                elif t_values[fid] != v:
                    name = field_info[fid]["name"]
                    sr.conflicts.append(
                        CodingConflict(
                            *where, name, t_values[fid], v, "source" if prefer else "target"
                        )
                    )
                    if prefer:
                        s.execute(
                            update(m.CodingValue.__table__)
                            .where(m.CodingValue.coding_id == cid, m.CodingValue.field_id == fid)
                            .values(value=v)
                        )
        if changed:
            sr.codings_filled += 1


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _some(items: list[str], limit: int = SHOW) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _listed(items: list[str], limit: int) -> str:
    return f": {_some(items, limit)}" if items else ""


def _free_name(name: str, taken: set[str], *, keep_ext: bool = False) -> str:
    if name not in taken:
        return name
    stem, ext = name, ""
    if keep_ext and "." in name.strip(".")[1:]:
        stem, _, ext = name.rpartition(".")
        ext = "." + ext
    n = 2
    while f"{stem} ({n}){ext}" in taken:
        n += 1
    return f"{stem} ({n}){ext}"
