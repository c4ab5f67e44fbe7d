"""Whole-project exchange with NVivo, ATLAS.ti, MAXQDA, QualCoder and others through
REFI-QDA (.qdpx): import into a project, export a project.

Import (:func:`import_qdpx`) reads the file with the core reader as a stream (offsets
already code points over normalised text) and stores it as it goes, in batches of
documents and codings (desktop.services.exchange.refi_store), in one transaction: a
failure leaves the project as it was, and memory does not grow with the file, only by
each document's name. What came in and what was skipped is in the returned
:class:`RefiImportReport`.

- users -> coders, by name: a coder with the same name is the same coder (reported). A
  new coder keeps the user's GUID as its identity (settings['coder_guids']); codings
  and journal entries name their coder / author by the user's GUID (creatingUser).
- codes -> codebook, merged by path. Codes the project lacks are added with their colour,
  description, criteria, memo (its notes) and GUID only with ``add_codes``; without it such a file is
  refused, listing them. Codes already there are left alone (reported).
- text sources -> documents, matched by the sha256 of the normalised text; new ones are
  added with their name, memo (their notes and description) and REFI GUID (in ``extra``).
- PlainTextSelection codings -> codings. A coding already in the project, or twice in
  the file, is skipped and counted (the project's unique index on codings is asked, a
  batch at a time). A selection the reader could not place (out of
  range, empty, not a text selection, in a source without text, no known code) is
  skipped with its line in the warnings and counted (``selections_skipped``).
- Variables -> document and case attributes with their types, VariableValues -> their
  values, Cases -> cases (with their documents), Sets -> sets (documents and codes):
  desktop.services.exchange.refi_study. Links and Graphs are not kept: counted by
  element in ``not_read`` (and the summary).
- Notes referenced by a coding or its selection -> the coding's memo. For a coding the
  project already has, as in a merge of coders' files (desktop.services.teams.merge):
  a memo the project's coding lacks is filled in (``codings_memo_filled``); where both
  have a memo and they differ, the project's is kept and the difference is reported
  (``memo_conflicts``, and a line in ``warnings``). Nothing is ever removed.
- Notes on codes and sources -> their memo (filled in for those the project has, where
  empty); the project's own notes -> journal entries, its Description -> the journal
  entry "Project description" (desktop.services.exchange.refi_notes).

A file that cannot be read as a REFI-QDA project (not a zip or XML, unsafe, no
<Project>) is refused as a whole: structural errors refuse, single bad selections skip.

``dry_run`` does all of it and rolls back: the report of what would come in.

Export: desktop.services.exchange.refi_export.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db import models as m
from desktop.core import wording
from desktop.core.codepath import split_path
from desktop.core.exchange.refi import (
    ExchangeError,
    RefiProject,
    RefiProjectStream,
    normalise_guid,
    open_project,
    read_project,
)
from desktop.core.exchange.refi_selections import WARNINGS_LISTED
from desktop.core.importers.base import ImportCancelled
from desktop.core.limits import ORIGINAL_FILE_MAX_BYTES
from desktop.services.codebook import codebook
from desktop.services.documents import originals
from desktop.services.errors import ServiceError
from desktop.services.exchange import refi_notes
from desktop.services.exchange.refi_notes import naive_utc as _naive_utc
from desktop.services.exchange.refi_store import BatchWriter, fill_memo
from desktop.services.exchange.refi_study import StudyImport
from desktop.services.project import audit
from desktop.services.teams.coders import PALETTE as CODER_COLOURS
from desktop.services.teams.merge_report import CodingConflict

#: Project setting {coder id as text: GUID}, shared with desktop.services.teams.teams.
CODER_GUIDS = "coder_guids"
#: The coder of codings whose file names no user.
UNKNOWN_CODER = "Unknown coder"
ORIGIN = "Tessera"

Progress = Callable[[int, int], None]


class RefiImportRefused(ServiceError):
    """Nothing was imported; ``report`` says why (``missing_codes``) and what was read."""

    def __init__(self, message: str, report: RefiImportReport) -> None:
        super().__init__(message)
        self.report = report


@dataclass
class RefiImportReport:
    path: Path
    origin: str | None = None
    offset_unit: str = ""
    coders_added: list[str] = field(default_factory=list)
    coders_matched: list[str] = field(default_factory=list)  # same name: same coder
    codes_added: list[str] = field(default_factory=list)
    codes_existing: list[str] = field(default_factory=list)  # left alone
    missing_codes: list[str] = field(default_factory=list)  # refused without add_codes
    documents_added: list[str] = field(default_factory=list)
    documents_matched: list[tuple[str, str]] = field(default_factory=list)  # (file, project)
    pdfs_kept: int = 0  # PDFSources whose PDF is kept as their document's original
    codings_in_file: int = 0
    codings_imported: int = 0
    codings_duplicate: int = 0
    codings_memo_filled: int = 0  # already here without a memo; given the file's
    memo_conflicts: list[CodingConflict] = field(default_factory=list)  # the project's kept
    codings_skipped: list[str] = field(default_factory=list)  # why, one per coding
    selections_in_file: int = 0
    selections_skipped: int = 0  # unreadable in the file: each has its warning
    warnings: list[str] = field(default_factory=list)
    attributes_added: list[str] = field(default_factory=list)  # "name (type, scope)"
    attribute_values: int = 0  # of documents and cases, stored
    cases_added: list[str] = field(default_factory=list)
    cases_matched: list[str] = field(default_factory=list)  # same name: members added
    sets_added: list[str] = field(default_factory=list)
    sets_matched: list[str] = field(default_factory=list)
    not_read: dict[str, int] = field(default_factory=dict)  # {element: count} not kept
    journal_added: int = 0  # the file's project notes, new in the journal
    journal_matched: int = 0  # already in the journal (same GUID)
    description_kept: bool = False  # as the journal entry "Project description"
    memos_filled: int = 0  # of codes and documents already here, where they had none

    def study_lines(self) -> list[str]:
        """The summary's lines on attributes, cases, sets and what was not kept."""
        out = [f"added attribute {a}" for a in self.attributes_added]
        if self.attribute_values:
            out.append(f"{wording.count(self.attribute_values, 'attribute value')} stored")
        out += [f"added case {c!r}" for c in self.cases_added]
        out += [f"same case {c!r}: its documents and values added" for c in self.cases_matched]
        out += [f"added set {x!r}" for x in self.sets_added]
        out += [f"same set {x!r}: its members added" for x in self.sets_matched]
        if self.journal_added:
            out.append(f"{wording.count(self.journal_added, 'project note')} added to the journal")
        if self.journal_matched:
            out.append(
                f"{wording.count(self.journal_matched, 'project note')} already in the journal"
            )
        if self.description_kept:
            out.append(
                f"the project's description kept as the journal entry {refi_notes.PROJECT_DESCRIPTION!r}"
            )
        if self.memos_filled:
            out.append(
                f"{wording.count(self.memos_filled, 'memo')} of codes and documents filled in"
            )
        out += [f"not kept: {n:,} <{kind}> {wording.plural(n, 'element')} of the file (Tessera has no place for them)"
                for kind, n in sorted(self.not_read.items())]  # fmt: skip
        return out

    def skipped_selections(self) -> str:
        """The summary's clause on selections the file has but the import could not read."""
        if not self.selections_skipped:
            return ""
        return (
            f"; {wording.count(self.selections_skipped, 'selection')} of {self.selections_in_file:,} "
            "in the file skipped (see the warnings)"
        )


# ---------------------------------------------------------------------------- GUIDs


def _read_settings(s: Session) -> dict:
    info = s.get(m.ProjectInfo, 1)
    if info is None:
        raise ServiceError("the project has no project row (damaged file)")
    return dict(info.settings or {})


def _coder_guids(settings: dict) -> dict[int, str]:
    """{coder id: GUID} from the settings (keys are ids written as text)."""
    out: dict[int, str] = {}
    for key, value in (settings.get(CODER_GUIDS) or {}).items():
        guid = normalise_guid(value) if isinstance(value, str) else None
        if guid and str(key).isdigit():
            out[int(key)] = guid
    return out


def _store_coder_guids(s: Session, guids: dict[int, str]) -> None:
    info = s.get(m.ProjectInfo, 1)
    settings = dict(info.settings or {})
    kept = dict(settings.get(CODER_GUIDS) or {})
    kept.update({str(k): v for k, v in guids.items()})
    settings[CODER_GUIDS] = dict(sorted(kept.items(), key=lambda kv: (len(kv[0]), kv[0])))
    info.settings = settings


# ---------------------------------------------------------------------------- import


class _RollBack(Exception):
    """Raised inside the import's transaction to undo it (a dry run)."""


class _Import:
    def __init__(self, project, path: Path, stream: RefiProjectStream, add_codes: bool) -> None:
        self.project = project
        self.path = path
        self.stream = stream
        self.add_codes = add_codes
        self.report = RefiImportReport(
            path=path,
            origin=stream.origin,
            offset_unit=str(stream.offset_unit),
            selections_in_file=stream.selections_in_file,
        )
        self.own_warnings: list[str] = []
        self.own_unlisted = 0
        self.coder_of: dict[str | None, int] = {}
        self.by_name: dict[str, int] = {}
        self.unknown_coder: int | None = None
        self.unnamed = 0
        self.pdfs: list[str] = []  # sha256 of the PDFs kept

    def warn(self, message: str) -> None:
        if len(self.own_warnings) < WARNINGS_LISTED:
            self.own_warnings.append(message)
        else:
            self.own_unlisted += 1

    def finish_report(self) -> None:
        """The reader's warnings and counts (final once its sources are read), then the
        import's own."""
        self.report.warnings = [str(w) for w in self.stream.warnings] + self.own_warnings
        if self.own_unlisted:
            self.report.warnings.append(f"... and {self.own_unlisted:,} more warnings not listed")
        self.report.selections_skipped = self.stream.selections_skipped
        self.report.not_read = dict(self.stream.not_read)

    def plan_codes(self) -> None:
        existing = {tuple(split_path(c.path)) for c in codebook.list_codes(self.project)}
        for spec in self.stream.codes:
            if tuple(split_path(spec.path)) in existing:
                self.report.codes_existing.append(spec.path)
            else:
                self.report.missing_codes.append(spec.path)
        # into an empty codebook there is nothing to protect: the file's codes are added
        if self.report.missing_codes and not self.add_codes and existing:
            n = len(self.report.missing_codes)
            shown = ", ".join(repr(p) for p in self.report.missing_codes[:5])
            more = f" and {n - 5} more" if n > 5 else ""
            self.finish_report()
            raise RefiImportRefused(
                f"{self.path.name}: the file has {wording.count(n, 'code')} the project lacks ({shown}{more}); "
                "import with 'add codes' (--add-codes) to add them. Nothing was imported.",
                self.report,
            )

    def store(self, progress: Progress | None, dry_run: bool) -> None:
        try:
            with self.project.session() as s:
                self._coders(s)
                code_of = self._codes(s)
                study = StudyImport(s, self.project.actor, self.stream, self.report, self.warn)
                study.attributes()
                self._documents_and_codings(s, code_of, progress, study)
                study.cases_and_sets(code_of)
                refi_notes.import_journal(s, self.project.actor, self.stream, self.report,
                                          self.warn)  # fmt: skip
                audit.record(
                    s, self.project.actor, "import", "refi", None, None,
                    {
                        "file": str(self.path),
                        "origin": self.stream.origin,
                        "coders": len(self.report.coders_added),
                        "codes": len(self.report.codes_added),
                        "documents": len(self.report.documents_added),
                        "codings": self.report.codings_imported,
                        "memos_filled": self.report.codings_memo_filled,
                        "memo_conflicts": len(self.report.memo_conflicts),
                        "attributes": len(self.report.attributes_added),
                        "attribute_values": self.report.attribute_values,
                        "cases": len(self.report.cases_added),
                        "sets": len(self.report.sets_added),
                        "journal_entries": self.report.journal_added,
                        "code_document_memos_filled": self.report.memos_filled,
                    },
                )  # fmt: skip
                if dry_run:
                    raise _RollBack
        except _RollBack:
            pass
        except IntegrityError as exc:
            self.finish_report()
            raise RefiImportRefused(
                f"{self.path.name}: the project changed while the file was being imported "
                f"({exc.orig}); nothing was imported, try again",
                self.report,
            ) from None
        self.finish_report()

    # -- coders ------------------------------------------------------------------
    def _coders(self, s: Session) -> None:
        """{user GUID in the file: coder id}; codings naming no user of the file go to
        the unknown coder, made when the first one is met (:meth:`_coder`)."""
        by_name = self.by_name = dict(s.execute(select(m.Coder.name, m.Coder.id)).all())
        guids = _coder_guids(_read_settings(s))
        taken = {g: cid for cid, g in guids.items()}
        new_guids: dict[int, str] = {}
        out = self.coder_of
        seen_names: dict[str, str] = {}
        for user in self.stream.users:
            name = user.name.strip() or user.guid
            if name in seen_names:
                self.warn(
                    f"two users are named {name!r} in the file ({seen_names[name]} and "
                    f"{user.guid}): their codings go to the one coder {name!r}"
                )
                out[user.guid] = by_name[name]
                continue
            seen_names[name] = user.guid
            coder_id = by_name.get(name)
            if coder_id is None:
                coder_id = self._add_coder(s, name)
                self.report.coders_added.append(name)
            else:
                self.report.coders_matched.append(name)
            out[user.guid] = coder_id
            if coder_id not in guids and user.guid not in taken:
                new_guids[coder_id] = taken[user.guid] = user.guid
                guids[coder_id] = user.guid
            elif taken.get(user.guid, coder_id) != coder_id:
                other = next((n for n, i in by_name.items() if i == taken[user.guid]), "?")
                self.warn(
                    f"user {name!r} has the identity (GUID) of coder {other!r} in this project; "
                    f"matched by name to {name!r}"
                )
        if new_guids:
            _store_coder_guids(s, new_guids)

    def _coder(self, s: Session, guid: str | None) -> int:
        coder_id = self.coder_of.get(guid)
        if coder_id is not None:
            return coder_id
        self.unnamed += 1
        if self.unknown_coder is None:
            self.unknown_coder = self.by_name.get(UNKNOWN_CODER)
            if self.unknown_coder is None:
                self.unknown_coder = self._add_coder(s, UNKNOWN_CODER)
                self.report.coders_added.append(UNKNOWN_CODER)
        return self.unknown_coder

    def _add_coder(self, s: Session, name: str) -> int:
        by_name = self.by_name
        coder = m.Coder(name=name, color=CODER_COLOURS[len(by_name) % len(CODER_COLOURS)])
        s.add(coder)
        s.flush()
        by_name[name] = coder.id
        audit.record(s, self.project.actor, "create", "coder", coder.id, None, {"name": name})
        return coder.id

    # -- codes -------------------------------------------------------------------
    def _codes(self, s: Session) -> dict[str, int]:
        """{code GUID in the file: code id} for every code of the file. New codes go in
        one statement each (parents first), not through the ORM: a codebook of thousands
        of codes takes a moment, not minutes."""
        ids = {tuple(split_path(c.path)): c.id for c in codebook._tree(s)}
        used_guids = {g for g in s.scalars(select(m.Code.guid)) if g}
        next_order: dict[int | None, int] = {}
        for parent_id, order in s.execute(
            select(m.Code.parent_id, func.max(m.Code.sort_order)).group_by(m.Code.parent_id)
        ):
            next_order[parent_id] = (order or 0) + 1
        count = len(ids)
        table = m.Code.__table__
        out: dict[str, int] = {}
        missing = set(self.report.missing_codes)
        for spec in self.stream.codes:
            names = tuple(split_path(spec.path))
            if spec.path in missing:
                parent = ids[names[:-1]] if len(names) > 1 else None
                guid = spec.guid if spec.guid and spec.guid not in used_guids else None
                used_guids.add(guid)
                values = {
                    "parent_id": parent,
                    "name": names[-1],
                    "color": codebook.normalise_color(spec.color)
                    or codebook.PALETTE[count % len(codebook.PALETTE)],
                    "description": spec.description,
                    "inclusion": spec.inclusion,
                    "exclusion": spec.exclusion,
                    "sort_order": next_order.get(parent, 0),
                    "guid": guid,
                    "is_codable": spec.codable,
                    "memo": spec.memo,
                }
                next_order[parent] = values["sort_order"] + 1
                code_id = s.execute(insert(table).values(**values)).inserted_primary_key[0]
                count += 1
                ids[names] = code_id
                for i, example in enumerate(spec.examples):
                    s.add(m.CodeExample(code_id=code_id, text=example, sort_order=i))
                del values["guid"]
                audit.record(s, self.project.actor, "create", "code", code_id, None, values)
                self.report.codes_added.append(spec.path)
            else:
                fill_memo(s, self.project.actor, m.Code, ids[names], spec.memo,
                                     f"code {spec.path!r}", self.report, self.warn)  # fmt: skip
            if spec.guid:
                out[spec.guid] = ids[names]
        return out

    # -- documents and codings -------------------------------------------------------
    def _pdf(self, s: Session, src) -> tuple[str, list | None, str | None]:
        """(kind, pages, original) of a PDFSource: its PDF kept in the project, and its
        pages read again from the PDF when the PDF gives the very text of the file."""
        data = self.stream.read_original(src, ORIGINAL_FILE_MAX_BYTES)
        if data is None:
            return "pdf", None, None
        name = src.name if src.name.lower().endswith(".pdf") else f"{src.name}.pdf"
        sha = originals.keep_bytes(s, data, name)
        self.pdfs.append(sha)
        self.report.pdfs_kept += 1
        pages, why = originals.pdf_pages(data, src.text, f"source {src.name!r}")
        if why:
            self.warn(why)
        return "pdf", pages, sha

    def _documents_and_codings(
        self, s: Session, code_of: dict[str, int], progress: Progress | None, study: StudyImport
    ) -> None:
        writer = BatchWriter(
            s, actor=self.project.actor, path=self.path, origin=self.stream.origin,
            report=self.report, warn=self.warn, coder_name=self._coder_name,
            on_document=lambda src, did, name: study.document(src.guid, did, name, src.values),
        )  # fmt: skip
        total = self.stream.text_sources
        now = m.utcnow()
        for i, src in enumerate(self.stream.sources()):
            if progress:
                progress(min(i, total), total)
            if not src.text:
                self.warn(f"source {src.name!r} has an empty text; skipped")
                continue
            sha = writer.source(src, *self._pdf(s, src)) if src.pdf_path else writer.source(src)
            for c in src.codings:
                self.report.codings_in_file += 1
                where = f"source {src.name!r} [{c.file_start}, {c.file_end})"
                code_id = code_of.get(c.code_guid)
                if not (0 <= c.start < c.end <= len(src.text)):
                    self.report.codings_skipped.append(f"{where}: outside the text")
                elif src.text[c.start : c.end] != c.quote:
                    self.report.codings_skipped.append(f"{where}: the quote differs from the text")
                elif code_id is None:
                    self.report.codings_skipped.append(f"{where}: its code is not in the codebook")
                else:
                    coder_id = self._coder(s, c.coder_guid)
                    writer.coding(src, sha, c, code_id, coder_id, _naive_utc(c.created_at) or now)
            writer.source_done()
        writer.finish()
        # the PDFs of sources that were not stored (the same text twice) go again
        originals.drop_unused(s, self.pdfs)
        if self.unnamed:
            self.warn(
                f"{wording.count(self.unnamed, 'coding')} name no user of the file: they go to coder "
                f"{UNKNOWN_CODER!r}"
            )
        if progress:
            progress(total, total)

    def _coder_name(self, coder_id: int) -> str:
        return next((name for name, cid in self.by_name.items() if cid == coder_id), "?")


@contextmanager
def _opened(path: Path) -> Iterator[RefiProjectStream]:
    """The file opened as a stream; unreadable (now or while its sources are read): the
    import is refused, nothing stored."""
    try:
        with open_project(path) as stream:
            yield stream
    except ExchangeError as exc:
        raise RefiImportRefused(
            f"{exc}. Nothing was imported.", RefiImportReport(path=path)
        ) from exc


def read_qdpx(path: Path | str) -> RefiProject:
    """The REFI-QDA project in ``path``, all in memory; RefiImportRefused if it cannot be
    read."""
    path = Path(path)
    try:
        return read_project(path)
    except ExchangeError as exc:
        raise RefiImportRefused(
            f"{exc}. Nothing was imported.", RefiImportReport(path=path)
        ) from exc


def import_qdpx(
    project,
    path: Path | str,
    *,
    add_codes: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> RefiImportReport:
    """Import a REFI-QDA project (.qdpx, or a .qde without texts) into ``project`` in one
    transaction; see the module's docstring. Raises RefiImportRefused (nothing changed)
    for an unreadable file, or for codes the project lacks when not ``add_codes``, and
    ImportCancelled (nothing changed) when ``cancelled()`` turns true: it is looked at
    with each source.

    With ``dry_run`` everything is done and then rolled back: the report says what the
    import would bring (for a confirmation dialog) and the project is unchanged."""
    path = Path(path)
    with _opened(path) as stream:
        job = _Import(project, path, stream, add_codes)
        job.plan_codes()
        job.store(_stopping(progress, cancelled), dry_run)
    return job.report


def _stopping(progress: Progress | None, cancelled: Callable[[], bool] | None):
    """``progress``, first raising ImportCancelled once ``cancelled()`` is true."""
    if cancelled is None:
        return progress

    def report(done: int, total: int) -> None:
        if cancelled():
            raise ImportCancelled("the import was cancelled; nothing was imported")
        if progress is not None:
            progress(done, total)

    return report
