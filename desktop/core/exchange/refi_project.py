"""A whole REFI-QDA project (.qdpx, or a .qde with inline texts): users, codes, text
sources and their coded selections, as plain dataclasses in Tessera's terms.

Texts are normalised as at any import (:func:`desktop.core.text.normalise`) and every
selection's offsets are converted to code points over that text (see refi_offsets: NVivo
for Windows writes UTF-16 units over CRLF text). Only what lies inside the archive is
read: ``internal://`` texts and inline ``PlainTextContent``; sources that point at files
elsewhere on the disk (``relative://``, ``absolute://``) are reported and skipped, as are
non-text sources (PDF, pictures, audio, video) and selections other than plain text.

Notes (``<Notes><Note>``) referenced by a ``NoteRef`` of a ``Coding`` or of its
``PlainTextSelection`` become the coding's ``memo``. A note's text is its
``PlainTextContent``, else its ``internal://`` plain text file (read with a size cap),
else its ``Description``; line ends are made LF and the text is stripped. Several notes
on one coding (its own first, then its selection's) are joined by a blank line. A
reference to no note, or a note that cannot be read, is a warning with its line; the
coding is kept without that memo. Notes attached to anything else are not read.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from lxml import etree

from desktop.core.exchange.refi_codebook import CodeSpec, codes_from_xml
from desktop.core.exchange.refi_common import (
    ExchangeError,
    ExchangeWarning,
    child,
    children,
    element_text,
    exchange_error,
    local_name,
    normalise_guid,
    project_member,
)
from desktop.core.exchange.refi_offsets import OffsetMap, OffsetUnit, guess_unit
from desktop.core.limits import REFI_NOTE_TEXT_MAX_BYTES, REFI_SOURCE_TEXT_MAX_BYTES
from desktop.core.safe_files import (
    XML_MAX_BYTES,
    RejectedFileError,
    find_member,
    member_name_problem,
    open_zip,
    parse_xml_bytes,
    read_file_capped,
    read_member,
)
from desktop.core.text import normalise

#: Largest plain text of one source read from an archive.
SOURCE_TEXT_MAX_BYTES = REFI_SOURCE_TEXT_MAX_BYTES
#: Largest plain text of one note read from an archive (a bigger one is skipped, warned).
NOTE_TEXT_MAX_BYTES = REFI_NOTE_TEXT_MAX_BYTES

INTERNAL = "internal://"
NON_TEXT_SOURCES = ("PDFSource", "PictureSource", "AudioSource", "VideoSource")


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


@dataclass
class RefiSource:
    guid: str | None
    name: str
    text: str
    description: str = ""
    codings: list[RefiCoding] = field(default_factory=list)


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


@dataclass
class _Selection:
    el: etree._Element
    file_start: int
    file_end: int
    quote: str


@dataclass
class _PendingSource:
    el: etree._Element
    source: RefiSource
    omap: OffsetMap
    selections: list[_Selection]


def _parse_datetime(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw.strip())
    except ValueError:
        return None


def _decode_text(data: bytes, what: str, warnings: list[ExchangeWarning], line: int | None) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        warnings.append(
            ExchangeWarning(f"{what} is not valid UTF-8; undecodable bytes replaced", line)
        )
        return data.decode("utf-8-sig", errors="replace")


def _memo_text(raw: str) -> str:
    """A note's text as a memo: no BOM or NUL, LF line ends, no surrounding whitespace."""
    return (
        raw.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    )


class _ProjectReader:
    def __init__(self, source: str, zf: zipfile.ZipFile | None) -> None:
        self.source = source
        self.zf = zf
        self.warnings: list[ExchangeWarning] = []
        self.coder_from_selection = False
        self.notes: dict[str, etree._Element] = {}
        self._note_texts: dict[str, str | None] = {}
        self.selections_in_file = 0
        self.selections_skipped = 0

    def warn(self, message: str, el: etree._Element | None = None) -> None:
        self.warnings.append(ExchangeWarning(message, el.sourceline if el is not None else None))

    def read(self, root: etree._Element) -> RefiProject:
        if local_name(root) != "Project":
            raise ExchangeError(
                f"the root element is <{local_name(root)}>, not a REFI-QDA <Project>",
                source=self.source,
                line=root.sourceline,
            )
        book = codes_from_xml(root, self.source)
        self.warnings.extend(w for w in book.warnings if "no <Codes>" not in w.message)
        users = self._users(root)
        pending = self._sources(root)
        self.notes = self._notes(root)
        unit, from_texts = guess_unit(
            [
                (p.omap, [(s.file_start, s.file_end, s.quote) for s in p.selections])
                for p in pending
            ],
            origin=root.get("origin"),
        )
        if unit is OffsetUnit.UTF16 and any(p.omap.has_astral for p in pending):
            how = "judged from the texts" if from_texts else "as its origin writes them"
            self.warn(f"selection offsets read as UTF-16 code units ({how}) and converted")
        code_paths = {c.guid: c.path for c in book.codes if c.guid}
        user_names = {u.guid: u.name for u in users}
        self.coder_from_selection = self._codings_carry_an_export_stamp(pending)
        for p in pending:
            for sel in p.selections:
                self._codings(p, sel, unit, code_paths, user_names)
        return RefiProject(
            source=self.source,
            name=root.get("name") or "",
            origin=root.get("origin"),
            users=users,
            codes=book.codes,
            sources=[p.source for p in pending],
            warnings=self.warnings,
            offset_unit=unit,
            selections_in_file=self.selections_in_file,
            selections_skipped=self.selections_skipped,
        )

    def _codings_carry_an_export_stamp(self, pending: list[_PendingSource]) -> bool:
        """True when every Coding has the same creatingUser and creationDateTime while the
        selections were made by different users: NVivo for Windows stamps its Codings with
        the exporting user and the export time, and the coder is the selection's creator."""
        stamps: set[tuple[str | None, str | None]] = set()
        selection_users: set[str | None] = set()
        count = 0
        for p in pending:
            for sel in p.selections:
                selection_users.add(normalise_guid(sel.el.get("creatingUser")))
                for coding in children(sel.el, "Coding"):
                    count += 1
                    stamps.add((coding.get("creatingUser"), coding.get("creationDateTime")))
        stamped = count > 1 and len(stamps) == 1 and len(selection_users - {None}) > 1
        if stamped:
            self.warn(
                "every coding carries the same user and time (an export stamp): the coder "
                "of a coding is taken from its selection's creatingUser"
            )
        return stamped

    def _users(self, root: etree._Element) -> list[RefiUser]:
        users: list[RefiUser] = []
        holder = child(root, "Users")
        for el in children(holder, "User") if holder is not None else []:
            guid = normalise_guid(el.get("guid"))
            if guid is None:
                self.warn(f"user {el.get('name')!r} has no valid GUID; skipped", el)
                continue
            users.append(RefiUser(guid, (el.get("name") or "").strip() or guid))
        return users

    def _sources(self, root: etree._Element) -> list[_PendingSource]:
        holder = child(root, "Sources")
        out: list[_PendingSource] = []
        for el in holder if holder is not None else []:
            if not isinstance(el.tag, str):
                continue
            kind = local_name(el)
            selections = sum(
                1
                for sel in el
                if isinstance(sel.tag, str) and local_name(sel).endswith("Selection")
            )
            self.selections_in_file += selections
            if kind == "TextSource":
                pending = self._text_source(el)
                if pending is not None:
                    out.append(pending)
                else:  # no text: its selections cannot be placed
                    self.selections_skipped += selections
            elif kind in NON_TEXT_SOURCES:
                self.warn(f"{kind} {el.get('name')!r} is not a text source; skipped", el)
                self.selections_skipped += selections
        return out

    def _text_source(self, el: etree._Element) -> _PendingSource | None:
        name = (el.get("name") or "").strip() or "Untitled source"
        raw = self._source_text(el, name)
        if raw is None:
            return None
        omap = OffsetMap(raw)
        source = RefiSource(
            guid=normalise_guid(el.get("guid")),
            name=name,
            text=omap.text,
            description=element_text(child(el, "Description")).strip(),
        )
        selections: list[_Selection] = []
        for sel in el:
            if not isinstance(sel.tag, str) or not local_name(sel).endswith("Selection"):
                continue
            if local_name(sel) != "PlainTextSelection":
                self.warn(f"{local_name(sel)} in source {name!r} is not imported", sel)
                self.selections_skipped += 1
                continue
            try:
                start, end = int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
            except ValueError:
                self.warn(f"a selection in source {name!r} has no valid positions; skipped", sel)
                self.selections_skipped += 1
                continue
            selections.append(_Selection(sel, start, end, sel.get("name") or ""))
        return _PendingSource(el, source, omap, selections)

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
        return _decode_text(data, f"the text of {what}", self.warnings, el.sourceline)

    # -- notes ------------------------------------------------------------------------
    def _notes(self, root: etree._Element) -> dict[str, etree._Element]:
        """{GUID: Note element} of the project's <Notes>; their texts are read when a
        coding refers to them."""
        out: dict[str, etree._Element] = {}
        holder = child(root, "Notes")
        for el in children(holder, "Note") if holder is not None else []:
            guid = normalise_guid(el.get("guid"))
            if guid is None:
                self.warn(f"note {el.get('name')!r} has no valid GUID; skipped", el)
            elif guid in out:
                self.warn(f"two notes have the GUID {guid}; the second is skipped", el)
            else:
                out[guid] = el
        return out

    def _note_text(self, ref: etree._Element, where: str) -> str | None:
        """The text of the note a NoteRef points at (None, warned, when there is none)."""
        guid = normalise_guid(ref.get("targetGUID"))
        if guid is None or guid not in self.notes:
            target = ref.get("targetGUID")
            self.warn(f"a note reference in {where} points at no note ({target!r}); skipped", ref)
            return None
        if guid not in self._note_texts:
            self._note_texts[guid] = self._read_note(self.notes[guid])
        return self._note_texts[guid]

    def _read_note(self, el: etree._Element) -> str | None:
        what = f"note {(el.get('name') or '').strip() or el.get('guid')!r}"
        text: str | None = ""
        inline = child(el, "PlainTextContent")
        path = (el.get("plainTextPath") or "").strip()
        if inline is not None:
            text = element_text(inline)
        elif path:  # None (warned) when it cannot be read
            text = self._archive_text(el, path, what, NOTE_TEXT_MAX_BYTES, skip_too_big=True)
        memo = _memo_text(text or "") or _memo_text(element_text(child(el, "Description")))
        if not memo and text is not None:
            self.warn(f"{what} has no plain text or description; skipped", el)
        return memo or None

    def _memo(self, holder: etree._Element, where: str) -> list[str]:
        texts = (self._note_text(ref, where) for ref in children(holder, "NoteRef"))
        return [t for t in texts if t]

    def _codings(
        self,
        pending: _PendingSource,
        sel: _Selection,
        unit: OffsetUnit,
        code_paths: dict[str, str],
        user_names: dict[str, str],
    ) -> None:
        name = pending.source.name
        span = pending.omap.span(sel.file_start, sel.file_end, unit)
        if span is None:
            self.warn(
                f"selection [{sel.file_start}, {sel.file_end}) in source {name!r} is empty or "
                f"outside its text; skipped",
                sel.el,
            )
            self.selections_skipped += 1
            return
        start, end = span
        quote = pending.source.text[start:end]
        # XML attribute values turn line breaks into spaces: compare with whitespace folded
        if sel.quote and " ".join(normalise(sel.quote).split()) != " ".join(quote.split()):
            self.warn(
                f"selection [{sel.file_start}, {sel.file_end}) in source {name!r} names the "
                f"text {sel.quote[:40]!r} but covers {quote[:40]!r}",
                sel.el,
            )
        sel_user = normalise_guid(sel.el.get("creatingUser"))
        sel_notes = self._memo(sel.el, f"a selection of source {name!r}")
        # QualCoder and MAXQDA keep a coding's memo in the selection's Description
        sel_description = _memo_text(element_text(child(sel.el, "Description")))
        codings = children(sel.el, "Coding")
        unknown = 0
        for coding in codings:
            ref = child(coding, "CodeRef")
            code_guid = normalise_guid(ref.get("targetGUID") if ref is not None else None)
            if code_guid is None or code_guid not in code_paths:
                self.warn(f"a coding in source {name!r} refers to no code of the codebook", coding)
                unknown += 1
                continue
            notes = self._memo(coding, f"a coding of source {name!r}") + sel_notes
            if not notes and sel_description:
                notes = [sel_description]
            coding_user = normalise_guid(coding.get("creatingUser"))
            if self.coder_from_selection:
                coder_guid = sel_user or coding_user
            else:
                coder_guid = coding_user or sel_user
            pending.source.codings.append(
                RefiCoding(
                    code_guid=code_guid,
                    code_path=code_paths[code_guid],
                    start=start,
                    end=end,
                    quote=quote,
                    coder_guid=coder_guid,
                    coder=user_names.get(coder_guid) if coder_guid else None,
                    selection_guid=normalise_guid(sel.el.get("guid")),
                    created_at=_parse_datetime(
                        (sel.el if self.coder_from_selection else coding).get("creationDateTime")
                        or coding.get("creationDateTime")
                        or sel.el.get("creationDateTime")
                    ),
                    file_start=sel.file_start,
                    file_end=sel.file_end,
                    memo="\n\n".join(dict.fromkeys(notes)),
                )
            )
        if codings and unknown == len(codings):
            self.selections_skipped += 1


def read_project(path: Path | str) -> RefiProject:
    """Users, codes, text sources and codings of a .qdpx archive (or of a .qde file, whose
    sources can only carry inline text). Raises ExchangeError for a file that cannot be
    read; what was skipped or changed is in ``.warnings``."""
    path = Path(path)
    source = str(path)
    try:
        if zipfile.is_zipfile(path):
            with open_zip(path) as zf:
                info = project_member(zf, source)
                source = f"{path}!{info.filename}"
                tree = parse_xml_bytes(read_member(zf, info, XML_MAX_BYTES), source=source)
                return _ProjectReader(source, zf).read(tree.getroot())
        tree = parse_xml_bytes(read_file_capped(path, XML_MAX_BYTES), source=source)
        return _ProjectReader(source, None).read(tree.getroot())
    except RejectedFileError as exc:
        raise exchange_error(exc, source) from exc
    except OSError as exc:
        raise ExchangeError(f"cannot be read: {exc.strerror or exc}", source=source) from exc
