"""REFI-QDA codebooks: reading the codes of a .qdc, .qde or .qdpx, and writing a .qdc.

Reading is tolerant of what real tools write and says what it changed through warnings;
writing produces files valid against the REFI Codebook.xsd.

Normal forms of a :class:`CodeSpec` (what reading produces and writing expects):

- ``name``: the element's ``name`` attribute with control characters turned into spaces
  and surrounding whitespace stripped; ``path`` is the ancestors' names and the name
  joined with :func:`desktop.core.codepath.join_path` (a "/" in a name is escaped).
- ``color``: ``#rrggbb`` lowercase, or None.
- ``guid``: lowercase, no braces (RFC 4122 text form), or None.
- Text fields: surrounding whitespace stripped.
- ``inclusion``, ``exclusion`` and ``examples`` have no element of their own in REFI-QDA.
  They travel inside the Description as trailing paragraphs (separated by a blank line)
  that start with ``Inclusion: ``, ``Exclusion: `` or ``Example: `` (one per example);
  other tools show them as part of the description. Reading splits such paragraphs out
  of any tool's Description; a paragraph without a label after a labelled one continues it.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from desktop.core.atomic import atomic_write
from desktop.core.codepath import CodePathError, join_path, split_path
from desktop.core.exchange.refi_common import (
    KNOWN_NAMESPACES,
    NS_CODEBOOK,
    ExchangeError,
    ExchangeWarning,
    child,
    children,
    element_text,
    load_refi_xml,
    local_name,
    namespace,
    normalise_colour,
    normalise_guid,
)
from desktop.core.text import xml_safe

UNNAMED = "Unnamed code"


@dataclass
class CodeSpec:
    """One code of a codebook, independent of the database."""

    path: str
    name: str
    color: str | None = None
    description: str = ""
    guid: str | None = None
    inclusion: str = ""
    exclusion: str = ""
    examples: list[str] = field(default_factory=list)
    #: False for a category heading that is not meant to be applied (isCodable="false").
    codable: bool = True
    #: Its memo (a project's notes on the code, joined), beside its definition.
    memo: str = ""
    #: GUIDs of the notes its NoteRefs point at (a project's codebook only).
    note_refs: list[str] = field(default_factory=list)


@dataclass
class CodebookRead:
    """What :func:`read_codebook` found: the codes (parents before children, in document
    order), what was changed on the way in, and the tool that wrote the file."""

    codes: list[CodeSpec]
    warnings: list[ExchangeWarning]
    source: str
    origin: str | None = None


# ---------------------------------------------------------------------------- description

LABELS = (("Inclusion: ", "inclusion"), ("Exclusion: ", "exclusion"), ("Example: ", "examples"))


def compose_description(spec: CodeSpec) -> str:
    """The Description text that carries a code's description, criteria and examples
    (each part as XML can carry it: a part left empty gets no label)."""

    def clean(text: str) -> str:
        return xml_safe(text).strip()

    description, inclusion, exclusion = map(clean, (spec.description, spec.inclusion,
                                                    spec.exclusion))  # fmt: skip
    paras = [description] if description else []
    if inclusion:
        paras.append("Inclusion: " + inclusion)
    if exclusion:
        paras.append("Exclusion: " + exclusion)
    paras.extend("Example: " + ex for ex in map(clean, spec.examples) if ex)
    return "\n\n".join(paras)


def split_description(text: str) -> tuple[str, str, str, list[str]]:
    """(description, inclusion, exclusion, examples) out of a Description text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    paras = re.split(r"\n[ \t]*\n", text)
    fields: dict[str, list[list[str]]] = {"inclusion": [], "exclusion": [], "examples": []}
    description: list[str] = []
    current: list[str] | None = None  # the paragraphs of the labelled field being read
    for para in paras:
        label = next((lab for lab in LABELS if para.startswith(lab[0])), None)
        if label is not None:
            current = [para[len(label[0]) :]]
            fields[label[1]].append(current)
        elif current is not None:
            current.append(para)
        else:
            description.append(para)

    def joined(items: list[list[str]]) -> list[str]:
        return ["\n\n".join(item).strip() for item in items]

    return (
        "\n\n".join(description).strip(),
        "\n\n".join(joined(fields["inclusion"])),
        "\n\n".join(joined(fields["exclusion"])),
        [ex for ex in joined(fields["examples"]) if ex],
    )


# ---------------------------------------------------------------------------- reading

_SPACE_LIKE = re.compile(r"[\x00-\x1f\x7f]+")


def _clean_name(raw: str | None) -> str:
    return _SPACE_LIKE.sub(" ", raw or "").strip()


def _unique_name(name: str, taken: set[str]) -> str:
    n = 2
    while f"{name} ({n})" in taken:
        n += 1
    return f"{name} ({n})"


def _parse_bool(raw: str | None) -> bool:
    return (raw or "true").strip().lower() not in ("false", "0")


def find_codes_element(root: etree._Element, source: str) -> etree._Element | None:
    """The <Codes> of a <CodeBook> root, or of the <CodeBook> of a <Project> root."""
    kind = local_name(root)
    if kind == "CodeBook":
        book = root
    elif kind == "Project":
        book = child(root, "CodeBook")
        if book is None:
            return None
    else:
        raise ExchangeError(
            f"the root element is <{kind}>, not a REFI-QDA <CodeBook> or <Project>",
            source=source,
            line=root.sourceline,
        )
    return child(book, "Codes")


def codes_from_xml(root: etree._Element, source: str) -> CodebookRead:
    """The codes under a parsed <CodeBook> or <Project> root (see read_codebook)."""
    warnings: list[ExchangeWarning] = []
    if namespace(root) not in KNOWN_NAMESPACES:
        warnings.append(
            ExchangeWarning(
                f"unexpected namespace {namespace(root)!r}; read as REFI-QDA", root.sourceline
            )
        )
    codes_el = find_codes_element(root, source)
    result = CodebookRead([], warnings, source, root.get("origin"))
    if codes_el is None:
        warnings.append(ExchangeWarning("the file has no <Codes>: no codes imported"))
        return result
    guid_lines: dict[str, int | None] = {}

    def visit(elements: Iterable[etree._Element], parents: list[str]) -> None:
        taken: set[str] = set()
        where = f"under {join_path(parents)!r}" if parents else "at the top level"
        for el in elements:
            line = el.sourceline
            name = _clean_name(el.get("name"))
            if not name:
                name = UNNAMED
                warnings.append(ExchangeWarning(f"a <Code> {where} has no name", line))
            if name in taken:
                unique = _unique_name(name, taken)
                warnings.append(
                    ExchangeWarning(
                        f"two codes named {name!r} {where}: this one is imported as {unique!r}",
                        line,
                    )
                )
                name = unique
            taken.add(name)
            names = [*parents, name]
            path = join_path(names)
            result.codes.append(_spec_from(el, path, name, guid_lines, warnings))
            visit(children(el, "Code"), names)

    visit(children(codes_el, "Code"), [])
    return result


def _spec_from(
    el: etree._Element,
    path: str,
    name: str,
    guid_lines: dict[str, int | None],
    warnings: list[ExchangeWarning],
) -> CodeSpec:
    line = el.sourceline
    raw_guid = el.get("guid")
    guid = normalise_guid(raw_guid)
    if raw_guid is not None and guid is None:
        warnings.append(ExchangeWarning(f"code {path!r}: {raw_guid!r} is not a GUID", line))
    if guid is not None:
        if guid in guid_lines:
            warnings.append(
                ExchangeWarning(
                    f"code {path!r} has the same GUID {guid} as the code at line "
                    f"{guid_lines[guid]}: references to it go to the first; this one gets "
                    "a new GUID when exported",
                    line,
                )
            )
            guid = None
        else:
            guid_lines[guid] = line
    raw_colour = el.get("color")
    colour = normalise_colour(raw_colour)
    if raw_colour is not None and raw_colour.strip() and colour is None:
        warnings.append(
            ExchangeWarning(f"code {path!r}: colour {raw_colour!r} not understood, dropped", line)
        )
    description, inclusion, exclusion, examples = split_description(
        element_text(child(el, "Description"))
    )
    return CodeSpec(
        path=path,
        name=name,
        color=colour,
        description=description,
        guid=guid,
        inclusion=inclusion,
        exclusion=exclusion,
        examples=examples,
        codable=_parse_bool(el.get("isCodable")),
        note_refs=[g for ref in children(el, "NoteRef")
                   if (g := normalise_guid(ref.get("targetGUID")))],
    )  # fmt: skip


def read_codebook(path: Path | str) -> CodebookRead:
    """The codebook of a .qdc file, a .qde project file, or the project.qde inside a .qdpx
    archive (found at the archive's root whatever its case).

    Codes come parents before children, in document order. Raises ExchangeError when the
    file cannot be read at all; everything it reads differently from the file (renamed
    duplicate siblings, dropped colours or GUIDs) is listed in ``.warnings``."""
    xml = load_refi_xml(Path(path))
    return codes_from_xml(xml.root, xml.source)


# ---------------------------------------------------------------------------- writing


def codes_element(codes: list[CodeSpec], ns: str = NS_CODEBOOK) -> etree._Element:
    """A <Codes> element in namespace ``ns`` holding ``codes`` nested by their paths.

    Siblings keep the order of ``codes``. A code whose GUID is missing, invalid or already
    used gets a fresh uuid4. Raises ValueError for an invalid or duplicate path, a parent
    missing from the list, or a name that differs from the last part of its path."""
    by_path: dict[str, CodeSpec] = {}
    kids: dict[str | None, list[str]] = {None: []}
    for spec in codes:
        try:
            parts = split_path(spec.path)
        except CodePathError as exc:
            raise ValueError(str(exc)) from exc
        path = join_path(parts)
        if path in by_path:
            raise ValueError(f"two codes with the path {spec.path!r}")
        if parts[-1] != spec.name.strip():
            raise ValueError(f"code {spec.path!r} is named {spec.name!r}, not {parts[-1]!r}")
        by_path[path] = spec
        parent = join_path(parts[:-1]) if len(parts) > 1 else None
        kids.setdefault(parent, []).append(path)
        kids.setdefault(path, [])
    for parent in kids:
        if parent is not None and parent not in by_path:
            raise ValueError(f"code {kids[parent][0]!r} has no parent {parent!r} in the list")

    q = f"{{{ns}}}" if ns else ""
    used: set[str] = set()
    codes_el = etree.Element(f"{q}Codes", nsmap={None: ns} if ns else None)

    def emit(parent_el: etree._Element, parent: str | None) -> None:
        for path in kids[parent]:
            spec = by_path[path]
            guid = normalise_guid(spec.guid)
            if guid is None or guid in used:
                guid = str(uuid.uuid4())
            used.add(guid)
            el = etree.SubElement(parent_el, f"{q}Code")
            el.set("guid", guid)
            el.set("name", xml_safe(spec.name.strip()))
            el.set("isCodable", "true" if spec.codable else "false")
            colour = normalise_colour(spec.color)
            if colour:
                el.set("color", colour)
            description = xml_safe(compose_description(spec))
            if description:
                etree.SubElement(el, f"{q}Description").text = description
            for note in spec.note_refs:  # a project's notes on the code (not in a .qdc)
                etree.SubElement(el, f"{q}NoteRef", {"targetGUID": note})
            emit(el, path)

    emit(codes_el, None)
    return codes_el


def codebook_bytes(codes: list[CodeSpec], *, origin: str = "Tessera 0.1") -> bytes:
    """A REFI-QDA .qdc document (UTF-8) of ``codes``; see codes_element."""
    root = etree.Element(f"{{{NS_CODEBOOK}}}CodeBook", nsmap={None: NS_CODEBOOK})
    root.set("origin", origin)
    root.append(codes_element(codes))
    if not len(root[0]):
        raise ValueError("a REFI-QDA codebook needs at least one code")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_codebook_qdc(
    codes: list[CodeSpec], out: Path | str | BinaryIO, *, origin: str = "Tessera 0.1"
) -> None:
    """Write ``codes`` as a REFI-QDA .qdc file, valid against Codebook.xsd.

    A path is written atomically (a temporary file beside it, then renamed), so a failed
    export never leaves half a file. Raises ValueError for an inconsistent code list
    (see codes_element) or an empty one (the schema needs at least one code)."""
    data = codebook_bytes(codes, origin=origin)
    if not isinstance(out, (str, os.PathLike)):
        out.write(data)
        return
    with atomic_write(out, "wb") as fh:
        fh.write(data)
