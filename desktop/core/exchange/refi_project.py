"""A whole REFI-QDA project (.qdpx, or a .qde with inline texts): users, codes, text
sources and their coded selections, as plain dataclasses in Tessera's terms.

Texts are normalised as at any import (:func:`desktop.core.text.normalise`) and every
selection's offsets are converted to code points over that text (see refi_offsets: NVivo
for Windows writes UTF-16 units over CRLF text). Only what lies inside the archive is
read: ``internal://`` texts and inline ``PlainTextContent``; sources that point at files
elsewhere on the disk (``relative://``, ``absolute://``) are reported and skipped, as are
non-text sources (pictures, audio, video) and selections other than plain text. A
``PDFSource`` with a text ``Representation`` is read as a text source: its name, GUID,
Description and VariableValues are the PDFSource's, its text and selections the
Representation's, and ``pdf_path`` says where its PDF is (a PDFSource without one is
reported and skipped).

Notes (``<Notes><Note>``, read as refi_notes says) referenced by a ``NoteRef`` of a
``Coding`` or of its ``PlainTextSelection`` become the coding's ``memo`` (with the
selection's ``Description``); those of a source its ``memo`` (with its ``Description``);
those of a code its ``memo``. Several texts of one thing are joined by a blank line, each
once. The notes none of these refer to (the project's own, those of Links, Sets, ...) are
the project's ``notes`` (its journal); the project's ``Description`` is ``description``.
A reference to no note, or a note that cannot be read, is a warning with its line; the
thing is kept without that memo. Selections coded inside a note are counted in
``not_read``.

Variables, Cases and Sets (in the project or in its CodeBook) are read whole in the
first pass (desktop.core.exchange.refi_study); a source's VariableValues, which follow
its selections, are added to its ``values`` as they are read. Links and Graphs, which
Tessera has no place for, are counted in ``not_read`` by element.

The project is read as a stream (:func:`open_project`), so that a project of any size
needs the memory of one source and one selection at a time: a first pass over the XML
(refi_survey, the base class of the stream) reads the users and the codebook, the notes
the codings refer to (kept in a scratch SQLite file, see refi_notes), which unit the
offsets count and whether the codings carry an export stamp; the second pass yields the
sources one by one, each text read from the archive when its source is reached, and
each source's codings one selection at a time.
:func:`read_project` collects the whole project in memory (for small files and tests).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from desktop.core import wording
from desktop.core.exchange.refi_codebook import CodeSpec
from desktop.core.exchange.refi_common import (
    REFI_ZIP_LIMITS,
    ExchangeError,
    ExchangeWarning,
    child,
    element_text,
    exchange_error,
    normalise_guid,
    project_member,
)
from desktop.core.exchange.refi_notes import NoteStore, RefiNote
from desktop.core.exchange.refi_offsets import OffsetMap, OffsetUnit
from desktop.core.exchange.refi_pdf import in_source, read_pdf, representation
from desktop.core.exchange.refi_selections import ReadingSource, RefiCoding, RefiUser
from desktop.core.exchange.refi_study import CaseSpec, SetSpec, VariableSpec, value_from_xml
from desktop.core.exchange.refi_survey import KEPT_IN_SOURCE, ProjectSurvey, drop
from desktop.core.safe_files import (
    RejectedFileError,
    open_member,
    open_zip,
)

NON_TEXT_SOURCES = ("PDFSource", "PictureSource", "AudioSource", "VideoSource")


@dataclass
class RefiSource:
    """A text source. ``codings`` is a list from :func:`read_project`; from
    :meth:`RefiProjectStream.sources` it is an iterator, read before the next source."""

    guid: str | None
    name: str
    text: str
    #: Its memo: the notes it points at and its Description, joined (once read).
    description: str = ""
    codings: list[RefiCoding] | Iterator[RefiCoding] = field(default_factory=list)
    #: (variable GUID, value) of its VariableValues: complete once its codings are read.
    values: list[tuple[str, str]] = field(default_factory=list)
    #: A PDFSource read through its text Representation: the PDF's path in the file
    #: (read with :meth:`RefiProjectStream.read_original`).
    pdf_path: str | None = None


@dataclass
class RefiProject:
    source: str
    name: str
    origin: str | None
    users: list[RefiUser]
    codes: list[CodeSpec]
    sources: list[RefiSource]
    warnings: list[ExchangeWarning]
    #: How the file counted its offsets (converted to code points in RefiCoding).
    offset_unit: OffsetUnit = OffsetUnit.CODE_POINTS
    #: Selections in the file (of any source), and those none of whose codings could be
    #: read (not a text selection, no text, no valid or in-range positions, no known
    #: code): each has its warning; the counts are for the import's summary.
    selections_in_file: int = 0
    selections_skipped: int = 0
    variables: list[VariableSpec] = field(default_factory=list)
    cases: list[CaseSpec] = field(default_factory=list)
    sets: list[SetSpec] = field(default_factory=list)
    not_read: dict[str, int] = field(default_factory=dict)
    description: str = ""
    notes: list[RefiNote] = field(default_factory=list)


class RefiProjectStream(ProjectSurvey):
    """A REFI-QDA project opened by :func:`open_project`. Everything but the sources is
    known at once; :meth:`sources` reads them one at a time (once)."""

    # -- the second pass: sources and codings -----------------------------------------
    def sources(self) -> Iterator[RefiSource]:
        """The text sources that have a text, in file order. Each one's ``codings`` is an
        iterator over the same reading: what is not read of it is skipped (and still
        counted and warned) when the next source is asked for."""
        items = self._read_sources()
        item = next(items, None)
        while isinstance(item, RefiSource):
            after: list[RefiSource | RefiCoding | None] = []
            rest = _until_next_source(items, after)
            item.codings = rest
            self._source_memo(item)
            yield item
            for _ in rest:
                pass
            item = after[0] if after else None

    def _read_sources(self) -> Iterator[RefiSource | RefiCoding]:
        src: ReadingSource | None = None
        holder: etree._Element | None = None  # the PDFSource being read
        other_selections = 0
        with self._reading():
            for event, el, path, kind in self._events():
                depth = len(path)
                if event == "start":
                    if depth == 2 and path[1] == "Sources":
                        src = ReadingSource(el) if kind == "TextSource" else None
                        holder = el if kind == "PDFSource" else None
                        other_selections = 0
                    elif (rep := representation(el, path, kind, holder)) is not None:
                        src = rep
                    continue
                if in_source(depth, path):
                    if src is None:
                        other_selections += kind.endswith("Selection")
                        if holder is not None and kind in KEPT_IN_SOURCE:
                            continue  # a PDFSource's Description, read with its text
                    elif kind in KEPT_IN_SOURCE:
                        continue
                    else:
                        if not src.opened:  # before its text is dropped
                            yield from self._opened(src)
                        if kind == "VariableValue" and src.out is not None:
                            got = value_from_xml(el)
                            if got:
                                src.out.values.append(got)
                        if kind.endswith("Selection"):
                            yield from self._selection(src, el)
                    drop(el)
                elif depth == 2 and path[1] == "Sources":
                    if src is not None and not src.opened:
                        yield from self._opened(src)
                    elif src is None and kind == "PDFSource":
                        self.warn(
                            f"PDFSource {el.get('name')!r} has no text Representation; skipped", el
                        )
                        self.selections_skipped += other_selections
                    elif src is None and kind in NON_TEXT_SOURCES:
                        self.warn(f"{kind} {el.get('name')!r} is not a text source; skipped", el)
                        self.selections_skipped += other_selections
                    if src is not None and other_selections:  # a PDFSource's own
                        n = wording.count(other_selections, "selection")
                        self.warn(f"{n} on the pages of PDFSource {el.get('name')!r} (areas, "
                                  "not text) not imported", el)  # fmt: skip
                        self.selections_skipped += other_selections
                    src = None
                    drop(el)
                elif depth in (1, 2):
                    drop(el)
        if self.warnings_unlisted:
            self.warnings.append(
                ExchangeWarning(f"... and {self.warnings_unlisted:,} more warnings not listed")
            )
            self.warnings_unlisted = 0

    def _opened(self, src: ReadingSource) -> Iterator[RefiSource]:
        self._open(src)
        if src.omap is not None:
            named = src.holder if src.holder is not None else src.el
            description = element_text(child(named, "Description")).strip()
            if src.holder is not None and not description:
                description = element_text(child(src.el, "Description")).strip()
            src.out = RefiSource(
                guid=normalise_guid(named.get("guid")), name=src.name, text=src.omap.text,
                description=description,
                pdf_path=(src.holder.get("path") or "").strip() or None
                if src.holder is not None else None,
            )  # fmt: skip
            yield src.out

    def _open(self, src: ReadingSource) -> None:
        src.opened = True
        named = src.holder if src.holder is not None else src.el
        src.name = (named.get("name") or src.el.get("name") or "").strip() or "Untitled source"
        raw = self._source_text(src.el, src.name)
        src.has_text = raw is not None
        src.omap = OffsetMap(raw) if raw is not None else None

    def read_original(self, src: RefiSource, limit: int) -> bytes | None:
        """The PDF a source read through its Representation stands for (see refi_pdf)."""
        with self._reading():
            return read_pdf(self, src, limit)


def _until_next_source(
    items: Iterator[RefiSource | RefiCoding], after: list[RefiSource | RefiCoding | None]
) -> Iterator[RefiCoding]:
    """The codings in ``items`` up to the next source, which goes into ``after`` (None
    when there is none)."""
    for got in items:
        if isinstance(got, RefiSource):
            after.append(got)
            return
        yield got
    after.append(None)


@contextmanager
def open_project(path: Path | str) -> Iterator[RefiProjectStream]:
    """A .qdpx archive (or a .qde file, whose sources can only carry inline text) opened
    for reading as a stream: users, codes, offset unit at once, sources from
    ``.sources()``. Raises ExchangeError for a file that cannot be read (also while the
    sources are read); what was skipped or changed is in ``.warnings``."""
    path = Path(path)
    source = str(path)
    zf: zipfile.ZipFile | None = None
    try:
        if zipfile.is_zipfile(path):
            zf = open_zip(path, limits=REFI_ZIP_LIMITS)
            info = project_member(zf, source)
            source = f"{path}!{info.filename}"

            def open_xml() -> BinaryIO:
                return open_member(zf, info)
        else:

            def open_xml() -> BinaryIO:
                return open(path, "rb")
    except RejectedFileError as exc:
        if zf is not None:
            zf.close()
        raise exchange_error(exc, source) from exc
    except OSError as exc:
        raise ExchangeError(f"cannot be read: {exc.strerror or exc}", source=source) from exc
    try:
        with NoteStore() as notes:
            stream = RefiProjectStream(source, zf, open_xml, notes)
            stream.survey()
            yield stream
    finally:
        if zf is not None:
            zf.close()


def read_project(path: Path | str) -> RefiProject:
    """Users, codes, text sources and codings of a .qdpx archive (or of a .qde file, whose
    sources can only carry inline text), all in memory. Raises ExchangeError for a file
    that cannot be read; what was skipped or changed is in ``.warnings``."""
    with open_project(path) as stream:
        sources = []
        for src in stream.sources():
            src.codings = list(src.codings)
            sources.append(src)
        return RefiProject(
            source=stream.source,
            name=stream.name,
            origin=stream.origin,
            users=stream.users,
            codes=stream.codes,
            sources=sources,
            warnings=stream.warnings,
            offset_unit=stream.offset_unit,
            selections_in_file=stream.selections_in_file,
            selections_skipped=stream.selections_skipped,
            variables=stream.variables,
            cases=stream.cases,
            sets=stream.sets,
            not_read=dict(stream.not_read),
            description=stream.description,
            notes=list(stream.project_notes()),
        )
