"""Writing a whole REFI-QDA project (.qdpx): users, codebook, text sources and their
coded selections, valid against the REFI Project.xsd.

The archive holds ``project.qde`` and one ``sources/<guid>.txt`` per text source (UTF-8
without BOM, LF line ends: the text exactly as Tessera stores it). A source read from a
PDF whose file is kept is a ``PDFSource`` carrying ``sources/<guid>.pdf``, with that text
as its ``Representation`` (the selections are made on it). Selections count code
points over that text, half-open, as REFI-QDA says; every selection carries its quote in
``name`` (when XML can carry it) so that a reader can check the offsets.

Sources are written one at a time and their selections are streamed, so a project of
any size needs the memory of its largest document: ``sources`` may be a generator that
loads each text and its codings only when it is reached.

Memos go out as ``<Note>``s, each referred to by a ``NoteRef`` of what it is about: a
coding's, a source's (also its ``Description``) and a code's (its ``Description`` holds
its definition). The project's journal entries are Notes referred to by the project
itself, and its description is the project's ``<Description>``.

Codings of the same passage by the same coder share one ``PlainTextSelection``. GUIDs
of selections and codings are derived from what they stand for (uuid5), so exporting
the same project twice gives the same file apart from its timestamps.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path
from typing import BinaryIO, TextIO

from lxml import etree

from desktop.core.atomic import atomic_write
from desktop.core.exchange.refi_codebook import CodeSpec, codes_element
from desktop.core.exchange.refi_common import NS_PROJECT, normalise_guid
from desktop.core.exchange.refi_study import (
    CaseSpec,
    SetSpec,
    VariableSpec,
    cases_element,
    sets_element,
    value_element,
    variables_element,
)
from desktop.core.text import normalise, xml_safe

ORIGIN = "Tessera 0.1"
PROJECT_MEMBER = "project.qde"
SOURCES_FOLDER = "sources"

#: The namespace of the uuid5 GUIDs given to selections and codings.
GUID_NAMESPACE = uuid.UUID("5f0c9a52-3f7e-4c55-9a3c-7d1b2e6a4f10")
_NAMESPACE_BYTES = GUID_NAMESPACE.bytes

_Q = f"{{{NS_PROJECT}}}"


@dataclass(frozen=True)
class UserOut:
    guid: str
    name: str


@dataclass(frozen=True)
class CodingOut:
    """One code applied by one user to [start, end) of a source (code points, LF text)."""

    start: int
    end: int
    code_guid: str
    user_guid: str | None
    created_at: datetime | None = None
    memo: str = ""


@dataclass(frozen=True)
class NoteOut:
    """A note of the project as a whole (a journal entry): ``title`` is its name (none
    when empty), ``user_guid`` its creatingUser."""

    guid: str
    title: str
    text: str
    user_guid: str | None = None
    created_at: datetime | None = None


@dataclass
class SourceOut:
    """A text source. ``text`` must be normalised (desktop.core.text.normalise); the
    codings may come in any order and may be a generator."""

    guid: str
    name: str
    text: str
    codings: Iterable[CodingOut] = ()
    #: Its memo: written as its Description and as a Note its NoteRef points at.
    description: str = ""
    created_at: datetime | None = None
    #: (variable GUID, value as Tessera's canonical text) of its attributes.
    values: list[tuple[str, str]] = field(default_factory=list)
    #: The PDF the text was read from, read when the source is written (None: it has
    #: none after all): the source is then a PDFSource carrying it, with ``text`` as its
    #: plain text Representation.
    pdf: Callable[[], bytes] | None = None


@dataclass(frozen=True)
class WriteSummary:
    users: int
    codes: int
    sources: int
    selections: int
    codings: int
    notes: int
    variables: int = 0
    cases: int = 0
    sets: int = 0
    pdfs: int = 0  # sources written as a PDFSource with their PDF


def derived_guid(*parts: object) -> str:
    """A GUID that stands for ``parts`` (the same parts give the same GUID): the uuid5 of
    their text, computed without uuid.UUID objects (an export makes one per coding)."""
    name = "\x1f".join(map(str, parts)).encode("utf-8")
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + name).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_ATTR = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;",
     "\t": "&#9;"}
)  # fmt: skip
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def _attr(value: str) -> str:
    """An attribute value that XML gives back unchanged (line ends and tabs as references)."""
    return xml_safe(value).translate(_ATTR)


def _text(value: str) -> str:
    return xml_safe(value).translate(_TEXT)


def _attrs(attrs: dict[str, str]) -> str:
    return "".join(f' {k}="{_attr(v)}"' for k, v in attrs.items())


def _serialise(el: etree._Element) -> str:
    """An element, its namespace declared on it, as text for the open document."""
    return etree.tostring(el, encoding="unicode", pretty_print=True)


def xml_datetime(value: datetime | None) -> str | None:
    """xsd:dateTime in UTC with a Z; naive datetimes are taken as UTC (as stored)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat() + "Z"


def _guid(raw: str | None, what: str) -> str:
    guid = normalise_guid(raw)
    if guid is None:
        raise ValueError(f"{what} has no valid GUID ({raw!r})")
    return guid


def _set(el_attrs: dict[str, str], key: str, value: str | None) -> None:
    if value:
        el_attrs[key] = value


class _Writer:
    def __init__(
        self, users: list[UserOut], codes: list[CodeSpec], progress: Callable[[int], None] | None
    ) -> None:
        self.user_guids: set[str] = set()
        for u in users:
            guid = _guid(u.guid, f"user {u.name!r}")
            if guid in self.user_guids:
                raise ValueError(f"two users with the GUID {guid}")
            self.user_guids.add(guid)
        self.users = users
        self.code_guids: set[str] = set()
        for c in codes:
            guid = _guid(c.guid, f"code {c.path!r}")
            if guid in self.code_guids:
                raise ValueError(f"two codes with the GUID {guid}")
            self.code_guids.add(guid)
        self.codes = codes
        self.progress = progress
        self.variables: list[VariableSpec] = []
        self.cases: list[CaseSpec] = []
        self.sets: list[SetSpec] = []
        self.journal: list[str] = []  # GUIDs of the project's own notes
        self.note_names: dict[str, str] = {}  # of those notes: their title ("": none)
        self.description = ""
        self.source_guids: set[str] = set()
        self.notes: list[tuple[str, str, str | None, str | None]] = []
        self.counts = {"sources": 0, "selections": 0, "codings": 0, "pdfs": 0}
        self._guid_cache: dict[str, str | None] = {}

    def _code_memo(self, spec: CodeSpec) -> CodeSpec:
        memo = xml_safe(spec.memo.strip())
        if not memo:
            return spec
        guid = derived_guid("note", "code", _guid(spec.guid, f"code {spec.path!r}"))
        self.notes.append((guid, memo, None, None))
        return replace(spec, note_refs=[guid])

    def add_journal(self, notes: Iterable[NoteOut]) -> None:
        for n in notes:
            guid = _guid(n.guid, f"journal entry {n.title!r}")
            user = self._norm(n.user_guid)
            if user is not None and user not in self.user_guids:
                raise ValueError(f"journal entry {n.title!r} refers to no user ({n.user_guid})")
            self.notes.append((guid, xml_safe(n.text), user, xml_datetime(n.created_at)))
            self.note_names[guid] = xml_safe(n.title.strip())
            self.journal.append(guid)

    # -- the XML --------------------------------------------------------------------
    # Small parts (users, codebook, notes) are lxml elements; the sources, which hold
    # nearly all of a big project, are written as text with the same escaping lxml uses
    # (the tests validate the result against Project.xsd).
    def project(self, fh: BinaryIO, zf: zipfile.ZipFile, name: str, origin: str, sources) -> None:
        attrs = {"name": name.strip() or "Tessera project", "origin": origin}
        _set(attrs, "creationDateTime", xml_datetime(datetime.now(UTC)))
        out = io.TextIOWrapper(fh, encoding="utf-8", newline="\n", write_through=False)
        out.write("<?xml version='1.0' encoding='UTF-8'?>\n")
        out.write(f'<Project xmlns="{NS_PROJECT}"{_attrs(attrs)}>\n')
        if self.users:
            out.write(_serialise(self._users_element()))
        self.codes = [self._code_memo(c) for c in self.codes]
        if self.codes:
            book = etree.Element(f"{_Q}CodeBook", nsmap={None: NS_PROJECT})
            book.append(codes_element(self.codes, NS_PROJECT))
            out.write(_serialise(book))
        self._variables = {v.guid: v for v in self.variables}
        if self.variables:
            out.write(_serialise(variables_element(self.variables, NS_PROJECT)))
        if self.cases:
            out.write(_serialise(cases_element(self.cases, self._variables, NS_PROJECT)))
        it = iter(sources)
        first = next(it, None)
        if first is not None:
            out.write("<Sources>\n")
            self._source(out, zf, first)
            for source in it:
                self._source(out, zf, source)
            out.write("</Sources>\n")
        if self.notes:
            out.write(_serialise(self._notes_element()))
        if self.sets:
            out.write(_serialise(sets_element(self.sets, NS_PROJECT)))
        description = xml_safe(self.description.strip())
        if description:
            out.write(f"<Description>{_text(description)}</Description>\n")
        for guid in self.journal:  # the notes on the project as a whole
            out.write(f'<NoteRef targetGUID="{guid}"/>\n')
        out.write("</Project>\n")
        out.flush()
        out.detach()

    def _users_element(self) -> etree._Element:
        holder = etree.Element(f"{_Q}Users", nsmap={None: NS_PROJECT})
        for u in self.users:
            etree.SubElement(
                holder, f"{_Q}User", {"guid": _guid(u.guid, "user"), "name": xml_safe(u.name)}
            )
        return holder

    def _source(self, out: TextIO, zf: zipfile.ZipFile, src: SourceOut) -> None:
        guid = _guid(src.guid, f"source {src.name!r}")
        if guid in self.source_guids:
            raise ValueError(f"two sources with the GUID {guid}")
        self.source_guids.add(guid)
        if normalise(src.text) != src.text:
            raise ValueError(
                f"the text of source {src.name!r} is not normalised (it has CR, NUL, a "
                "BOM or ligatures), so offsets over it would not survive a round trip"
            )
        zf.writestr(f"{SOURCES_FOLDER}/{guid}.txt", src.text.encode("utf-8"))
        attrs = {"guid": guid, "name": src.name, "plainTextPath": f"internal://{guid}.txt"}
        _set(attrs, "creationDateTime", xml_datetime(src.created_at))
        description = xml_safe(src.description.strip())
        pdf = src.pdf() if src.pdf is not None else None
        as_pdf = pdf is not None
        if as_pdf:
            # REFI-QDA 9.1.4: the PDF itself, and its plain text as a Representation
            # (a TextSource of its own GUID) on which the selections are made
            with zf.open(f"{SOURCES_FOLDER}/{guid}.pdf", "w", force_zip64=True) as member:
                member.write(pdf)
            del pdf
            self.counts["pdfs"] += 1
            outer = {"guid": guid, "name": src.name, "path": f"internal://{guid}.pdf"}
            _set(outer, "creationDateTime", attrs.get("creationDateTime"))
            out.write(f"<PDFSource{_attrs(outer)}>\n")
            if description:
                out.write(f"<Description>{_text(description)}</Description>\n")
            attrs["guid"] = derived_guid("representation", guid)
            out.write(f"<Representation{_attrs(attrs)}>\n")
        else:
            out.write(f"<TextSource{_attrs(attrs)}>\n")
            if description:
                out.write(f"<Description>{_text(description)}</Description>\n")
        chunk: list[str] = []
        for part in chain(self._selections(src, guid), self._source_note(src, guid)):
            chunk.append(part)
            if len(chunk) >= 2000:
                out.write("".join(chunk))
                chunk.clear()
        out.write("".join(chunk))
        if as_pdf:
            out.write("</Representation>\n")
        if src.values:
            holder = etree.Element(f"{_Q}TextSource", nsmap={None: NS_PROJECT})
            for var_guid, value in src.values:
                value_element(holder, NS_PROJECT, self._variables[var_guid], value)
            for el in holder:
                out.write(
                    etree.tostring(el, encoding="unicode").replace(f' xmlns="{NS_PROJECT}"', "")
                )
                out.write("\n")
        out.write("</PDFSource>\n" if as_pdf else "</TextSource>\n")
        self.counts["sources"] += 1
        if self.progress:
            self.progress(self.counts["sources"])

    def _source_note(self, src: SourceOut, guid: str) -> Iterator[str]:
        """The NoteRef to the Note holding a source's memo (after its codings)."""
        memo = xml_safe(src.description.strip())
        if memo:
            note_guid = derived_guid("note", "source", guid)
            self.notes.append((note_guid, memo, None, None))
            yield f'<NoteRef targetGUID="{note_guid}"/>\n'

    def _norm(self, raw: str | None) -> str | None:
        if raw is None:
            return None
        guid = self._guid_cache.get(raw, "")
        if guid == "":
            guid = self._guid_cache[raw] = normalise_guid(raw)
        return guid

    def _selections(self, src: SourceOut, source_guid: str) -> Iterator[str]:
        """One PlainTextSelection per (start, end, user), holding its codings, as XML."""
        text, length = src.text, len(src.text)
        groups: dict[tuple[int, int, str | None], list[tuple[str, CodingOut]]] = {}
        for c in src.codings:
            if not (0 <= c.start < c.end <= length):
                raise ValueError(
                    f"a coding of source {src.name!r} at [{c.start}, {c.end}) is outside its "
                    f"text (0 to {length} characters) or empty"
                )
            code = self._norm(c.code_guid)
            if code not in self.code_guids:
                raise ValueError(
                    f"a coding of source {src.name!r} refers to no code ({c.code_guid})"
                )
            user = self._norm(c.user_guid) if c.user_guid else None
            if c.user_guid and user not in self.user_guids:
                raise ValueError(
                    f"a coding of source {src.name!r} refers to no user ({c.user_guid})"
                )
            groups.setdefault((c.start, c.end, user), []).append((code, c))
        for (start, end, user), codings in sorted(groups.items(), key=_selection_order):
            quote = text[start:end]
            sel_guid = derived_guid("selection", source_guid, start, end, user)
            who = f' creatingUser="{user}"' if user else ""
            times = [c.created_at for _, c in codings if c.created_at is not None]
            first = f' creationDateTime="{xml_datetime(min(times))}"' if times else ""
            named = f' name="{_attr(quote)}"' if xml_safe(quote) == quote else ""
            parts = [
                f'<PlainTextSelection guid="{sel_guid}"{named} startPosition="{start}" '
                f'endPosition="{end}"{who}{first}>\n'
            ]
            # The memo also goes in the selection's Description (where QualCoder, MAXQDA
            # and NVivo look) when every coding of the passage carries the same one.
            memos = {xml_safe(c.memo.strip()) for _, c in codings}
            if len(memos) == 1 and (shared := memos.pop()):
                parts.append(f"  <Description>{_text(shared)}</Description>\n")
            seen: set[str] = set()
            for code, c in codings:
                if code in seen:  # the same code twice on one passage by one user
                    continue
                seen.add(code)
                coding_guid = derived_guid("coding", sel_guid, code)
                when = xml_datetime(c.created_at)
                at = f' creationDateTime="{when}"' if when else ""
                parts.append(
                    f'  <Coding guid="{coding_guid}"{who}{at}>\n'
                    f'    <CodeRef targetGUID="{code}"/>\n'
                )
                memo = xml_safe(c.memo.strip())
                if memo:
                    note_guid = derived_guid("note", coding_guid)
                    parts.append(f'    <NoteRef targetGUID="{note_guid}"/>\n')
                    self.notes.append((note_guid, memo, user, when))
                parts.append("  </Coding>\n")
                self.counts["codings"] += 1
            parts.append("</PlainTextSelection>\n")
            self.counts["selections"] += 1
            yield "".join(parts)

    def _notes_element(self) -> etree._Element:
        holder = etree.Element(f"{_Q}Notes", nsmap={None: NS_PROJECT})
        for guid, text, user, created in self.notes:
            attrs = {"guid": guid}
            _set(attrs, "name", self.note_names.get(guid, _note_name(text)))
            _set(attrs, "creatingUser", user)
            _set(attrs, "creationDateTime", created)
            note = etree.SubElement(holder, f"{_Q}Note", attrs)
            etree.SubElement(note, f"{_Q}PlainTextContent").text = text
        return holder


def _selection_order(item) -> tuple[int, int, str]:
    (start, end, user), _ = item
    return start, end, user or ""


def _note_name(text: str) -> str:
    first = text.split("\n", 1)[0].strip()
    return first if len(first) <= 60 else first[:59] + "…"


def write_qdpx(
    out: Path | str | BinaryIO,
    *,
    name: str,
    users: list[UserOut],
    codes: list[CodeSpec],
    sources: Iterable[SourceOut],
    origin: str = ORIGIN,
    progress: Callable[[int], None] | None = None,
    variables: list[VariableSpec] = (),
    cases: list[CaseSpec] = (),
    sets: list[SetSpec] = (),
    journal: Iterable[NoteOut] = (),
    description: str = "",
) -> WriteSummary:
    """Write a .qdpx archive: ``project.qde`` (valid against Project.xsd) and the plain
    texts of ``sources`` under ``sources/``.

    ``codes`` are as for :func:`codes_element` and must all carry distinct GUIDs (the
    codings refer to them); users and sources too. ``progress`` is called with the number
    of sources written so far. ``variables`` (those of sources and of cases), ``cases``
    and ``sets`` are written as refi_study says; a source's ``values`` and a case's refer
    to the variables by GUID. ``journal`` are the project's own notes and
    ``description`` its Description; memos of codes (CodeSpec.memo), sources and codings
    are written as Notes too. A path is written atomically (a temporary file beside it,
    then renamed): a failed export leaves no half file. Raises ValueError for
    inconsistent input (a coding outside its text, a reference to no code or user, a
    duplicate GUID, a text that is not normalised)."""
    writer = _Writer(users, codes, progress)
    writer.variables, writer.cases, writer.sets = list(variables), list(cases), list(sets)
    writer.add_journal(journal)
    writer.description = description
    if isinstance(out, (str, os.PathLike)):
        with atomic_write(out, "w+b") as fh:
            _write_archive(fh, writer, name, origin, sources)
    else:
        _write_archive(out, writer, name, origin, sources)
    return WriteSummary(
        users=len(users),
        codes=len(codes),
        sources=writer.counts["sources"],
        selections=writer.counts["selections"],
        codings=writer.counts["codings"],
        notes=len(writer.notes),
        variables=len(writer.variables),
        cases=len(writer.cases),
        sets=len(writer.sets),
        pdfs=writer.counts["pdfs"],
    )


def _write_archive(fh: BinaryIO, writer: _Writer, name: str, origin: str, sources) -> None:
    # The texts go into the archive while project.qde is being written: a zip takes one
    # member at a time, so the XML is spooled to a temporary file and added last.
    with (
        zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf,
        tempfile.TemporaryFile() as xml,
    ):
        writer.project(xml, zf, name, origin, sources)
        xml.seek(0)
        with zf.open(PROJECT_MEMBER, "w", force_zip64=True) as member:
            shutil.copyfileobj(xml, member, 1024 * 1024)
