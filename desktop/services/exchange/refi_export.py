"""Export of a whole project as REFI-QDA (.qdpx), for NVivo, ATLAS.ti, MAXQDA,
QualCoder and others; the import is desktop.services.exchange.refi_import.

:func:`export_qdpx` writes users (coders with a stable GUID each, kept in
``settings['coder_guids']`` as {coder id as text: GUID}, the format of
desktop.services.teams.teams), the codebook (a GUID per code, kept in ``code.guid``), every
document as a TextSource and the codings as PlainTextSelections, in code points over LF
text, valid against Project.xsd; a document whose original file is a PDF is a PDFSource
carrying that PDF, with its text as the Representation the selections are made on. Coding memos go out as Notes, referenced by their
Coding, and come back in as memos. Document and case attributes go out as Variables
with each document's and case's VariableValues, cases as Cases and sets as Sets
(desktop.services.exchange.refi_study).

Memos of documents and codes go out as Notes too, referenced by what they are about (a
document's also as its Description); the journal goes out as the project's Notes and its
"Project description" entry as the project's Description
(desktop.services.exchange.refi_notes). Coders and journal authors are the Users."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import models as m
from desktop.core.exchange.refi import (
    CodeSpec,
    normalise_guid,
)
from desktop.core.exchange.refi_project_writer import (
    CodingOut,
    SourceOut,
    UserOut,
    derived_guid,
    write_qdpx,
)
from desktop.services.codebook import codebook
from desktop.services.documents import attributes, originals
from desktop.services.errors import NotFound, ServiceError
from desktop.services.exchange.refi_import import (
    ORIGIN,
    Progress,
    _coder_guids,
    _read_settings,
    _store_coder_guids,
)
from desktop.services.exchange.refi_notes import journal_for_export
from desktop.services.exchange.refi_study import document_guid, study_for_export, variable_guid

#: Documents whose texts and codings are read in one go while exporting: at most this
#: many, and at most this many characters of text (a longer document goes alone).
CHUNK_DOCUMENTS = 500
CHUNK_CHARACTERS = 8_000_000


@dataclass(frozen=True)
class RefiExportReport:
    path: Path | None
    coders: list[str]
    codes: int
    documents: int
    selections: int
    codings: int
    guids_assigned: int  # codes and coders that received a GUID now
    notes: int = 0  # memos and journal entries, written as Notes
    variables: int = 0
    cases: int = 0
    sets: int = 0
    pdfs: int = 0  # documents written as a PDFSource carrying their original PDF


# ---------------------------------------------------------------------------- export


def _ensure_guids(s: Session, coder_ids: list[int]) -> int:
    """Give every code a distinct GUID and every coder in ``coder_ids`` one (kept)."""
    assigned = 0
    seen: set[str] = set()
    for code in s.scalars(select(m.Code).order_by(m.Code.id)):
        guid = normalise_guid(code.guid)
        if guid is None or guid in seen:
            guid = str(uuid.uuid4())
            assigned += 1
        if code.guid != guid:
            code.guid = guid
        seen.add(guid)
    guids = _coder_guids(_read_settings(s))
    used = set(guids.values())
    new: dict[int, str] = {}
    for cid in coder_ids:
        if cid not in guids:
            guid = str(uuid.uuid4())
            while guid in used:
                guid = str(uuid.uuid4())
            new[cid] = guid
            used.add(guid)
    if new:
        _store_coder_guids(s, new)
    return assigned + len(new)


def _select_coders(s: Session, names: list[str] | None) -> list[tuple[int, str]]:
    all_coders = list(s.execute(select(m.Coder.id, m.Coder.name).order_by(m.Coder.name)).all())
    if names is None:
        return [(cid, name) for cid, name in all_coders]
    by_name = {name: cid for cid, name in all_coders}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        known = ", ".join(repr(n) for n in by_name) or "none"
        raise NotFound(f"no coder named {', '.join(map(repr, unknown))} (coders: {known})")
    return [(by_name[n], n) for n in dict.fromkeys(names)]


def _code_specs(project) -> list[CodeSpec]:
    return [
        CodeSpec(
            path=c.path,
            name=c.name,
            color=c.color,
            description=c.description,
            guid=c.guid,
            inclusion=c.inclusion,
            exclusion=c.exclusion,
            examples=list(c.examples),
            codable=c.is_codable,
            memo=c.memo,
        )  # fmt: skip
        for c in codebook.list_codes(project)
    ]


class RefiExportCancelled(ServiceError):
    def __init__(self) -> None:
        super().__init__("the export was cancelled; nothing was written")


def _stopping(progress: Progress | None, cancelled: Callable[[], bool] | None, total: int):
    """write_qdpx's progress (documents written): ``progress`` out of ``total``, first
    raising RefiExportCancelled once ``cancelled()`` is true."""
    if progress is None and cancelled is None:
        return None

    def report(done: int) -> None:
        if cancelled is not None and cancelled():
            raise RefiExportCancelled
        if progress is not None:
            progress(done, total)

    return report


def export_qdpx(
    project,
    out: Path | str | BinaryIO,
    *,
    coders: list[str] | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> RefiExportReport:
    """Write the project as a REFI-QDA .qdpx: every document, the codebook, and the
    codings of ``coders`` (names; None: everyone's). Codes without a GUID get one
    (stored in the code), coders too (stored in settings['coder_guids']), so a second
    export names them the same. A path is written atomically: RefiExportCancelled, when
    ``cancelled()`` turns true (it is looked at with each document), leaves nothing
    there."""
    with project.session() as s:
        chosen = _select_coders(s, coders)
        authors = set(s.scalars(select(m.JournalEntry.author).distinct()))
        author_ids = [cid for cid, name in _select_coders(s, None)
                      if name in authors and (cid, name) not in chosen]  # fmt: skip
        assigned = _ensure_guids(s, [cid for cid, _ in chosen] + author_ids)
        coder_guid = _coder_guids(_read_settings(s))
        code_guid = dict(s.execute(select(m.Code.id, m.Code.guid)).all())
        total = s.scalar(select(func.count()).select_from(m.Document)) or 0
        variables, case_specs, set_specs = study_for_export(s, code_guid)
    chosen_ids = {cid for cid, _ in chosen}
    seen: set[str] = set()
    for cid, name in chosen:
        if coder_guid[cid] in seen:  # two coders recorded as one person: two users here
            coder_guid[cid] = derived_guid("coder", coder_guid[cid], name)
        seen.add(coder_guid[cid])
    users = [UserOut(coder_guid[cid], name) for cid, name in chosen]
    with project.session() as s:
        journal, description, authors = journal_for_export(s, users, coder_guid)
    users += authors
    specs = _code_specs(project)

    def chunks() -> Iterator[list]:
        """The documents in id order, in runs of at most CHUNK_DOCUMENTS and
        CHUNK_CHARACTERS of text (a longer document alone): their texts and codings are
        read a run at a time, so memory does not grow with the project."""
        last = 0
        while True:
            with project.session() as s:
                heads = s.execute(
                    select(m.Document.id, m.Document.name, m.Document.sha256, m.Document.memo,
                           m.Document.extra, m.Document.imported_at, m.Document.length)
                    .where(m.Document.id > last).order_by(m.Document.id).limit(CHUNK_DOCUMENTS)
                ).all()  # fmt: skip
            if not heads:
                return
            last = heads[-1].id
            run, size = [], 0
            for doc in heads:
                if run and size + doc.length > CHUNK_CHARACTERS:
                    yield run
                    run, size = [], 0
                run.append(doc)
                size += doc.length
            yield run

    def sources() -> Iterator[SourceOut]:
        used: set[str] = set()
        for run in chunks():
            ids = [doc.id for doc in run]
            with project.session() as s:
                values = attributes.values_in(s, ids, "document")
                texts = dict(
                    s.execute(
                        select(m.Document.id, m.Document.text).where(m.Document.id.in_(ids))
                    ).all()
                )
                # documents whose original is a PDF: written as a PDFSource with it
                pdfs = set(s.scalars(
                    select(m.Document.id)
                    .join(m.OriginalFile, m.OriginalFile.sha256 == m.Document.original_sha256)
                    .where(m.Document.id.in_(ids), m.OriginalFile.suffix == ".pdf")
                ))  # fmt: skip
                coded: dict[int, list] = {}
                # the coders are chosen here, not in SQL: a coder condition lets SQLite
                # scan that coder's codings (the whole project) for every run
                for did, code, coder, *rest in s.execute(
                    select(m.Coding.document_id, m.Coding.code_id, m.Coding.coder_id,
                           m.Coding.start, m.Coding.end, m.Coding.created_at, m.Coding.memo)
                    .where(m.Coding.document_id.in_(ids))
                    .order_by(m.Coding.document_id, m.Coding.start, m.Coding.end,
                              m.Coding.coder_id, m.Coding.code_id)
                ):  # fmt: skip
                    if coder in chosen_ids:
                        coded.setdefault(did, []).append((code, coder, *rest))
            for did, name, sha, memo, extra, imported_at, _ in run:
                guid = document_guid(sha, extra, used)
                yield SourceOut(
                    guid=guid, name=name, text=texts.pop(did, None) or "", description=memo or "",
                    created_at=imported_at,
                    pdf=partial(_original, project, did) if did in pdfs else None,
                    values=[(variable_guid("document", k), v)
                            for k, v in sorted(values.get(did, {}).items())],
                    codings=[
                        CodingOut(a, b, code_guid[code], coder_guid[coder], created, memo or "")
                        for code, coder, a, b, created, memo in coded.pop(did, ())
                    ],
                )  # fmt: skip

    try:
        summary = write_qdpx(
            out, name=project.name, users=users, codes=specs, sources=sources(),
            origin=f"{ORIGIN} {_version()}", variables=variables, cases=case_specs,
            sets=set_specs, journal=journal, description=description,
            progress=_stopping(progress, cancelled, total),
        )  # fmt: skip
    except ValueError as exc:
        raise ServiceError(f"cannot export as REFI-QDA: {exc}") from exc
    except OSError as exc:
        raise ServiceError(f"cannot write {out}: {exc.strerror or exc}") from exc
    return RefiExportReport(
        path=Path(out) if isinstance(out, (str, Path)) else None,
        coders=[name for _, name in chosen],
        codes=summary.codes,
        documents=summary.sources,
        selections=summary.selections,
        codings=summary.codings,
        guids_assigned=assigned,
        notes=summary.notes,
        variables=summary.variables,
        cases=summary.cases,
        sets=summary.sets,
        pdfs=summary.pdfs,
    )


def _original(project, document_id: int) -> bytes | None:
    data = originals.read_original(project, document_id)
    return bytes(data) if data is not None else None


def _version() -> str:
    import desktop

    return desktop.__version__
