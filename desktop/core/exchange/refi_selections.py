"""Reading the coded selections of a REFI-QDA text source, one selection at a time.

:class:`SelectionReader` turns a ``<PlainTextSelection>`` (read by the project stream of
refi_project, whose base class it is, through refi_survey) into :class:`RefiCoding`
objects: its offsets in the project's unit converted to code points over the normalised
text, its coder (the Coding's user, or the selection's when the Codings carry an export
stamp), its memo (the notes its Coding and the selection refer to, and the selection's
Description, each once). What cannot be placed is a warning with its line, and counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from desktop.core.exchange.refi_common import (
    ExchangeWarning,
    child,
    children,
    element_text,
    local_name,
    normalise_guid,
)
from desktop.core.exchange.refi_notes import NoteStore, RefiNote, join_memos, memo_text
from desktop.core.exchange.refi_notes import parse_datetime as _parse_datetime
from desktop.core.exchange.refi_offsets import OffsetMap, OffsetUnit
from desktop.core.text import normalise

#: Warnings listed one by one; past this they are counted in one last line (a file of a
#: million bad selections gives a report a person can read, in bounded memory).
WARNINGS_LISTED = 1000


@dataclass
class RefiUser:
    guid: str
    name: str


@dataclass
class RefiCoding:
    """One code applied to one selection. ``start``/``end`` are code points, half-open,
    over the normalised text of its source; ``file_start``/``file_end`` are as written."""

    code_guid: str
    code_path: str
    start: int
    end: int
    quote: str
    coder_guid: str | None
    coder: str | None
    selection_guid: str | None = None
    created_at: datetime | None = None
    file_start: int = 0
    file_end: int = 0
    #: The text of the notes linked to the coding or to its selection ("" for none).
    memo: str = ""


def source_guid(el: etree._Element) -> str | None:
    """The GUID of the source (a child of <Sources>) that ``el`` is inside."""
    while (parent := el.getparent()) is not None and local_name(parent) != "Sources":
        el = parent
    return normalise_guid(el.get("guid"))


def positions(sel: etree._Element) -> tuple[int, int] | None:
    try:
        return int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
    except ValueError:
        return None


@dataclass
class ReadingSource:
    """A TextSource being read: its text is looked up when its first selection (or its
    end) is reached, after its Description and PlainTextContent."""

    el: etree._Element
    opened: bool = False
    has_text: bool = False  # once opened; without a text its selections are skipped
    #: In the first pass only for a text with characters outside the BMP (the evidence
    #: of the offsets' unit); in the second for every text.
    omap: OffsetMap | None = None
    name: str = ""
    #: The RefiSource yielded for it (the second pass): its VariableValues, which
    #: follow the selections, are added to it as they are read.
    out: object = None
    #: The PDFSource whose text Representation ``el`` is (it names the source and
    #: carries the PDF); None for a TextSource.
    holder: etree._Element | None = None


class SelectionReader:
    """Warnings, notes and the codings of one selection (see the module docstring)."""

    def __init__(self, notes: NoteStore) -> None:
        self.notes = notes
        self.warnings: list[ExchangeWarning] = []
        self.warnings_unlisted = 0
        self.offset_unit = OffsetUnit.CODE_POINTS
        #: Selections none of whose codings could be read (final once all are read).
        self.selections_skipped = 0
        self.coder_from_selection = False
        self._quiet = False
        self._user_names: dict[str, str] = {}
        self._code_paths: dict[str, str] = {}

    def warn(self, message: str, el: etree._Element | None = None) -> None:
        if self._quiet:
            return
        if len(self.warnings) >= WARNINGS_LISTED:
            self.warnings_unlisted += 1
            return
        self.warnings.append(ExchangeWarning(message, el.sourceline if el is not None else None))

    def _memo(self, holder: etree._Element, where: str) -> list[str]:
        """The texts of the notes ``holder``'s NoteRefs point at (warned when none)."""
        return self._memo_of(children(holder, "NoteRef"), where)

    def _memo_of(self, refs: list[etree._Element], where: str) -> list[str]:
        """The texts of the notes the NoteRefs ``refs`` point at (warned when none)."""
        out = []
        for ref in refs:
            guid = normalise_guid(ref.get("targetGUID"))
            if guid is None or not self.notes.found(guid):
                target = ref.get("targetGUID")
                self.warn(
                    f"a note reference in {where} points at no note ({target!r}); skipped", ref
                )
                continue
            text = self.notes.get(guid)
            if text:
                out.append(text)
        return out

    def _noted(self, guids: list[str], what: str, el: etree._Element | None = None) -> list[str]:
        """The texts of the notes ``guids`` (a warning for each that is not in the file)."""
        out = []
        for guid in guids:
            if not self.notes.found(guid):
                self.warn(f"a note reference of {what} points at no note ({guid}); skipped", el)
            elif text := self.notes.get(guid):
                out.append(text)
        return out

    def _survey_note(self, el: etree._Element) -> None:
        """A <Note> of the first pass, kept with its text (``_read_note`` of the stream)."""
        guid = normalise_guid(el.get("guid"))
        if guid is None:
            self.warn(f"note {el.get('name')!r} has no valid GUID; skipped", el)
        elif self.notes.found(guid):
            self.warn(f"two notes have the GUID {guid}; the second is skipped", el)
        else:
            self.notes.put(guid, self._read_note(el), el)

    def _source_memo(self, src) -> None:
        """A RefiSource's memo: the notes it points at, then its Description (once)."""
        if src.guid:
            notes = self._noted(self.notes.owned(src.guid), f"source {src.name!r}")
            src.description = join_memos([*notes, memo_text(src.description)])

    def project_notes(self) -> Iterator[RefiNote]:
        """The notes no coding, source or code refers to, in file order (after survey)."""
        return self.notes.project_notes()

    def user_name(self, guid: str | None) -> str:
        return self._user_names.get(guid, "") if guid else ""

    # -- codings ----------------------------------------------------------------------
    def _selection(self, src: ReadingSource, sel: etree._Element) -> Iterator[RefiCoding]:
        name = src.name
        if src.omap is None:  # the source has no text
            self.selections_skipped += 1
            return
        if local_name(sel) != "PlainTextSelection":
            self.warn(f"{local_name(sel)} in source {name!r} is not imported", sel)
            self.selections_skipped += 1
            return
        span_in_file = positions(sel)
        if span_in_file is None:
            self.warn(f"a selection in source {name!r} has no valid positions; skipped", sel)
            self.selections_skipped += 1
            return
        file_start, file_end = span_in_file
        span = src.omap.span(file_start, file_end, self.offset_unit)
        if span is None:
            self.warn(
                f"selection [{file_start}, {file_end}) in source {name!r} is empty or "
                f"outside its text; skipped",
                sel,
            )
            self.selections_skipped += 1
            return
        start, end = span
        quote = src.omap.text[start:end]
        named = sel.get("name") or ""
        # XML attribute values turn line breaks into spaces: compare with whitespace folded
        if named and " ".join(normalise(named).split()) != " ".join(quote.split()):
            self.warn(
                f"selection [{file_start}, {file_end}) in source {name!r} names the "
                f"text {named[:40]!r} but covers {quote[:40]!r}",
                sel,
            )
        sel_user = normalise_guid(sel.get("creatingUser"))
        sel_notes = self._memo(sel, f"a selection of source {name!r}")
        # QualCoder and MAXQDA keep a coding's memo in the selection's Description
        sel_description = memo_text(element_text(child(sel, "Description")))
        codings = children(sel, "Coding")
        unknown = 0
        for coding in codings:
            ref = child(coding, "CodeRef")
            code_guid = normalise_guid(ref.get("targetGUID") if ref is not None else None)
            if code_guid is None or code_guid not in self._code_paths:
                self.warn(f"a coding in source {name!r} refers to no code of the codebook", coding)
                unknown += 1
                continue
            # both, once each: Tessera writes the same memo in the two places
            notes = [*self._memo(coding, f"a coding of source {name!r}"), *sel_notes,
                     sel_description]  # fmt: skip
            coding_user = normalise_guid(coding.get("creatingUser"))
            if self.coder_from_selection:
                coder_guid = sel_user or coding_user
            else:
                coder_guid = coding_user or sel_user
            yield RefiCoding(
                code_guid=code_guid,
                code_path=self._code_paths[code_guid],
                start=start,
                end=end,
                quote=quote,
                coder_guid=coder_guid,
                coder=self._user_names.get(coder_guid) if coder_guid else None,
                selection_guid=normalise_guid(sel.get("guid")),
                created_at=_parse_datetime(
                    (sel if self.coder_from_selection else coding).get("creationDateTime")
                    or coding.get("creationDateTime")
                    or sel.get("creationDateTime")
                ),
                file_start=file_start,
                file_end=file_end,
                memo=join_memos(notes),
            )
        if codings and unknown == len(codings):
            self.selections_skipped += 1
