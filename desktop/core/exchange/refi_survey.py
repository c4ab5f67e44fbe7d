"""The first pass over a REFI-QDA project's XML (:meth:`ProjectSurvey.survey`): the users,
the codebook, the Variables, Cases and Sets, the project's Description, the notes the
codings, sources and codes refer to (kept in the scratch store of refi_notes), which
unit the selections' offsets count (see refi_offsets) and whether the Codings carry an
export stamp, all in bounded memory.

:class:`ProjectSurvey` is the base class of the project stream (RefiProjectStream in
refi_project, which reads the sources in the second pass) and holds what both passes
use: the XML read as events, and the texts of sources and notes read from the archive.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import BinaryIO

from lxml import etree

from desktop.core import limits
from desktop.core.exchange.refi_codebook import CodeSpec, codes_from_xml
from desktop.core.exchange.refi_common import (
    ExchangeError,
    child,
    children,
    element_text,
    exchange_error,
    local_name,
    normalise_guid,
)
from desktop.core.exchange.refi_notes import NoteStore, join_memos, note_from_xml
from desktop.core.exchange.refi_offsets import ASTRAL, OffsetMap, OffsetUnit, UnitEvidence
from desktop.core.exchange.refi_pdf import INTERNAL, in_source, representation
from desktop.core.exchange.refi_selections import (
    ReadingSource,
    RefiUser,
    SelectionReader,
    memo_text,
    positions,
    source_guid,
)
from desktop.core.exchange.refi_study import (
    CaseSpec,
    SetSpec,
    VariableSpec,
    case_from_xml,
    set_from_xml,
    value_from_xml,
    variable_from_xml,
)
from desktop.core.limits import REFI_NOTE_TEXT_MAX_BYTES, REFI_SOURCE_TEXT_MAX_BYTES
from desktop.core.safe_files import (
    RejectedFileError,
    find_member,
    iterparse_xml,
    member_name_problem,
    read_member,
)

#: Largest plain text of one source read from an archive.
SOURCE_TEXT_MAX_BYTES = REFI_SOURCE_TEXT_MAX_BYTES
#: Largest plain text of one note read from an archive (a bigger one is skipped, warned).
NOTE_TEXT_MAX_BYTES = REFI_NOTE_TEXT_MAX_BYTES

KEPT_IN_SOURCE = ("Description", "PlainTextContent")  # read when the source's text is
#: Parts of a project Tessera has no place for: counted by element for the summary.
_NOT_KEPT_PARTS = ("Links", "Graphs")


def drop(el: etree._Element) -> None:
    """Forget an element the stream has read, and the siblings read before it."""
    el.clear()
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]


@dataclass
class _Survey:
    """What the first pass gathers from the selections of sources with a text, in
    bounded memory."""

    evidence: UnitEvidence = field(default_factory=UnitEvidence)
    astral: bool = False  # a text with characters outside the BMP
    codings: int = 0
    stamps: set[tuple[str | None, str | None]] = field(default_factory=set)  # up to 2
    selection_users: set[str] = field(default_factory=set)  # up to 2

    def stamped(self) -> bool:
        """True when every Coding has the same creatingUser and creationDateTime while
        the selections were made by different users: NVivo for Windows stamps its
        Codings with the exporting user and the export time, and the coder is the
        selection's creator."""
        return self.codings > 1 and len(self.stamps) == 1 and len(self.selection_users) > 1


class ProjectSurvey(SelectionReader):
    """A REFI-QDA project being read: what :meth:`survey` finds, and the reading of the
    XML and of the archive's texts."""

    def __init__(
        self, source: str, zf: zipfile.ZipFile | None, open_xml: Callable[[], BinaryIO],
        notes: NoteStore,
    ) -> None:  # fmt: skip
        self.source = source
        self.zf = zf
        self._open_xml = open_xml
        super().__init__(notes)
        self.name = ""
        self.origin: str | None = None
        self.users: list[RefiUser] = []
        self.codes: list[CodeSpec] = []
        #: TextSources in the file (the sources() to come, with or without a text).
        self.text_sources = 0
        self.selections_in_file = 0
        self.variables: list[VariableSpec] = []
        self.cases: list[CaseSpec] = []
        self.sets: list[SetSpec] = []
        #: GUIDs of the variables that sources have values of.
        self.source_variables: set[str] = set()
        #: Elements of the file the import does not keep: {element: how many}.
        self.not_read: dict[str, int] = {}
        #: The project's <Description> (its notes: :meth:`project_notes`).
        self.description = ""

    def _events(self) -> Iterator[tuple[str, etree._Element, list[str], str]]:
        """(event, element, local names of its ancestors, its local name) of one pass
        over the XML."""
        path: list[str] = []
        with self._open_xml() as fh:
            events = iterparse_xml(
                fh, source=self.source, max_bytes=limits.REFI_PROJECT_XML_MAX_BYTES
            )
            for event, el in events:
                if event == "start":
                    kind = local_name(el)
                    yield event, el, path, kind
                    path.append(kind)
                else:
                    kind = path.pop()
                    yield event, el, path, kind

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Refusals of safe_files and unreadable files as ExchangeError naming the file."""
        try:
            yield
        except RejectedFileError as exc:
            raise exchange_error(exc, self.source) from exc
        except OSError as exc:
            raise ExchangeError(
                f"cannot be read: {exc.strerror or exc}", source=self.source
            ) from exc

    # -- the first pass: what every source needs --------------------------------------
    def survey(self) -> None:
        """Users, codebook, the notes codings refer to, the offset unit, the stamp."""
        seen = _Survey()
        sources = 0
        book_read = False
        root: etree._Element | None = None
        src: ReadingSource | None = None
        holder: etree._Element | None = None  # the PDFSource being read
        with self._reading():
            for event, el, path, kind in self._events():
                depth = len(path)
                if event == "start":
                    if root is None:
                        root = self._check_root(el)
                    elif depth == 2 and path[1] == "Sources":
                        sources += 1
                        if sources > limits.REFI_SOURCES_MAX:
                            raise ExchangeError(
                                f"the project has more than {limits.REFI_SOURCES_MAX:,} "
                                "sources, the limit", source=self.source,
                            )  # fmt: skip
                        src = ReadingSource(el) if kind == "TextSource" else None
                        self.text_sources += src is not None
                        holder = el if kind == "PDFSource" else None
                    elif (rep := representation(el, path, kind, holder)) is not None:
                        src = rep
                        self.text_sources += 1
                    continue
                if depth == 1:  # a part of the project
                    if kind == "Description":
                        self.description = memo_text(element_text(el))
                    if kind == "CodeBook" and not book_read:
                        self._codebook(root)
                        book_read = True
                        for holder in children(el, "Sets"):  # Codebook.xsd's place for sets
                            for item in children(holder, "Set"):
                                self._study_part("Sets", item)
                    drop(el)
                elif depth == 2 and path[1] == "Users":
                    self._user(el)
                    drop(el)
                elif depth == 2 and path[1] == "Sources":
                    src = None
                    drop(el)
                elif depth == 2 and path[1] == "Notes":
                    if kind == "Note":
                        self._survey_note(el)
                    drop(el)
                elif depth == 2 and path[1] in ("Variables", "Cases", "Sets"):
                    self._study_part(path[1], el)
                    drop(el)
                elif depth == 3 and path[1] == "Notes" and kind.endswith("Selection"):
                    what = f"{kind} in a Note"
                    self.not_read[what] = self.not_read.get(what, 0) + 1
                elif depth == 2 and path[1] != "CodeBook":
                    if path[1] in _NOT_KEPT_PARTS:
                        self.not_read[kind] = self.not_read.get(kind, 0) + 1
                    drop(el)
                elif in_source(depth, path):
                    self.selections_in_file += kind.endswith("Selection")
                    if holder is not None and src is None and kind in KEPT_IN_SOURCE:
                        continue  # a PDFSource's Description, read with its text
                    if kind == "VariableValue" and src is not None:
                        got = value_from_xml(el)
                        if got:
                            self.source_variables.add(got[0])
                    # the source's notes: its memo; the notes of a source that is not
                    # imported (a picture, audio, video, a PDF with no text) stay
                    # unreferenced, so they are kept as project notes, not lost with it
                    if kind == "NoteRef" and src is not None:
                        self.notes.refer(normalise_guid(el.get("targetGUID")), source_guid(el))
                    if src is not None and kind in KEPT_IN_SOURCE:
                        continue
                    if src is not None and not src.opened:  # before its text is dropped
                        self._open_quietly(src)
                        seen.astral = seen.astral or src.omap is not None
                    if src is not None and src.has_text and kind == "PlainTextSelection":
                        self._survey_selection(src, el, seen)
                    drop(el)
        if root is None:  # iterparse raises first; kept for type checkers
            raise ExchangeError("no XML root element", source=self.source)
        self.name, self.origin = root.get("name") or "", root.get("origin")
        if not book_read:
            self._codebook(root)
        self.offset_unit, from_texts = seen.evidence.unit(origin=self.origin)
        if self.offset_unit is OffsetUnit.UTF16 and seen.astral:
            how = "judged from the texts" if from_texts else "as its origin writes them"
            self.warn(f"selection offsets read as UTF-16 code units ({how}) and converted")
        self.coder_from_selection = seen.stamped()
        if self.coder_from_selection:
            self.warn(
                "every coding carries the same user and time (an export stamp): the coder "
                "of a coding is taken from its selection's creatingUser"
            )
        self._user_names = {u.guid: u.name for u in self.users}
        self._code_paths = {c.guid: c.path for c in self.codes if c.guid}
        for spec in self.codes:
            spec.memo = join_memos(self._noted(spec.note_refs, f"code {spec.path!r}"))

    def _study_part(self, part: str, el: etree._Element) -> None:
        """A Variable, Case or Set (read whole: they are few and small)."""
        kind = local_name(el)
        read = {"Variable": variable_from_xml, "Case": case_from_xml, "Set": set_from_xml}
        if read.get(kind) is None:
            return
        got = read[kind](el)
        if got is None:
            self.warn(f"{kind} {el.get('name')!r} has no valid GUID or name; skipped", el)
            return
        {"Variable": self.variables, "Case": self.cases, "Set": self.sets}[kind].append(got)

    def _survey_selection(self, src: ReadingSource, sel: etree._Element, seen: _Survey) -> None:
        span = positions(sel)
        if span is None:
            return
        if src.omap is not None:
            seen.evidence.add(src.omap, *span, sel.get("name") or "")
        user = normalise_guid(sel.get("creatingUser"))
        if user and len(seen.selection_users) < 2:
            seen.selection_users.add(user)
        for coding in children(sel, "Coding"):
            seen.codings += 1
            if len(seen.stamps) < 2:
                seen.stamps.add((coding.get("creatingUser"), coding.get("creationDateTime")))
            for ref in children(coding, "NoteRef"):
                self.notes.refer(normalise_guid(ref.get("targetGUID")))
        for ref in children(sel, "NoteRef"):
            self.notes.refer(normalise_guid(ref.get("targetGUID")))

    def _check_root(self, root: etree._Element) -> etree._Element:
        if local_name(root) != "Project":
            raise ExchangeError(
                f"the root element is <{local_name(root)}>, not a REFI-QDA <Project>",
                source=self.source,
                line=root.sourceline,
            )
        return root

    def _codebook(self, root: etree._Element) -> None:
        book = codes_from_xml(root, self.source)
        self.warnings.extend(w for w in book.warnings if "no <Codes>" not in w.message)
        self.codes = book.codes
        for spec in self.codes:
            for guid in spec.note_refs:
                self.notes.refer(guid)

    def _user(self, el: etree._Element) -> None:
        if local_name(el) != "User":
            return
        guid = normalise_guid(el.get("guid"))
        if guid is None:
            self.warn(f"user {el.get('name')!r} has no valid GUID; skipped", el)
            return
        self.users.append(RefiUser(guid, (el.get("name") or "").strip() or guid))

    def _open_quietly(self, src: ReadingSource) -> None:
        """Open a source in the first pass: its warnings are given in the second, and
        only a text with characters outside the BMP is mapped (they alone tell the unit)."""
        self._quiet = True
        try:
            src.opened = True
            raw = self._source_text(src.el, "")
            src.has_text = raw is not None
            src.omap = OffsetMap(raw) if raw is not None and ASTRAL.search(raw) else None
        finally:
            self._quiet = False

    def _source_text(self, el: etree._Element, name: str) -> str | None:
        inline = child(el, "PlainTextContent")
        if inline is not None:
            return element_text(inline)
        path = (el.get("plainTextPath") or "").strip()
        if not path:
            self.warn(f"source {name!r} has no plain text (only rich text); skipped", el)
            return None
        return self._archive_text(el, path, f"source {name!r}", SOURCE_TEXT_MAX_BYTES)

    def _archive_text(
        self, el: etree._Element, path: str, what: str, limit: int, *, skip_too_big: bool = False
    ) -> str | None:
        """The text at ``internal://`` ``path`` (under sources/ or at the archive's top),
        None with a warning when it is elsewhere or missing. An unsafe path refuses the
        file; a text past ``limit`` too, unless ``skip_too_big`` (then it is a warning)."""
        if path.lower().startswith(INTERNAL):
            member = path[len(INTERNAL) :]
        elif "://" not in path and not path.startswith(("/", "\\")) and ":" not in path[:3]:
            # a path with no scheme (some exporters write "doc.txt"): it is found in the
            # archive's sources/ when it is there
            member = path
            if self.zf is None or not (
                find_member(self.zf, f"sources/{member}") or find_member(self.zf, member)
            ):
                self.warn(f"{what} points to {path}, which is not in the archive; skipped", el)
                return None
        else:
            self.warn(f"{what} points outside the project ({path}); skipped", el)
            return None
        if self.zf is None:
            self.warn(f"the text of {what} ({path}) is not in a lone .qde file", el)
            return None
        problem = member_name_problem(member)
        if problem:
            raise ExchangeError(f"{problem}: {path!r}", source=self.source, line=el.sourceline)
        info = find_member(self.zf, f"sources/{member}") or find_member(self.zf, member)
        if info is None:
            self.warn(f"the text of {what} ({path}) is missing from the archive", el)
            return None
        if skip_too_big:
            try:
                data = read_member(self.zf, info, limit)
            except RejectedFileError as exc:
                self.warn(f"the text of {what} ({path}) is not read: {exc.reason}", el)
                return None
        else:
            data = read_member(self.zf, info, limit)
        return self._decode_text(data, f"the text of {what}", el)

    def _decode_text(self, data: bytes, what: str, el: etree._Element) -> str:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            self.warn(f"{what} is not valid UTF-8; undecodable bytes replaced", el)
            return data.decode("utf-8-sig", errors="replace")

    # -- notes ------------------------------------------------------------------------
    def _read_note(self, el: etree._Element) -> str | None:
        what = f"note {(el.get('name') or '').strip() or el.get('guid')!r}"
        memo, readable = note_from_xml(
            el,
            lambda path: self._archive_text(el, path, what, NOTE_TEXT_MAX_BYTES, skip_too_big=True),
        )  # None (warned) when its text cannot be read
        if memo is None and readable:
            self.warn(f"{what} has no plain text or description", el)
        return memo
