"""What the REFI-QDA readers share: errors and warnings, loading the XML of a .qdc, .qde
or .qdpx safely (a project's head only, up to its codebook), and the normal forms of
GUIDs and colours."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from desktop.core import limits
from desktop.core.safe_files import (
    XML_MAX_BYTES,
    MalformedFileError,
    RejectedFileError,
    ZipLimits,
    find_member,
    iterparse_xml,
    open_member,
    open_zip,
)

NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
NS_PROJECT = "urn:QDA-XML:project:1.0"
KNOWN_NAMESPACES = {NS_CODEBOOK, NS_PROJECT, None}

PROJECT_MEMBER = "project.qde"

#: A .qdpx: its project.qde is streamed, every other member is read under its own cap.
REFI_ZIP_LIMITS = ZipLimits(
    max_member_size=max(limits.REFI_PROJECT_XML_MAX_BYTES, limits.ARCHIVE_MEMBER_MAX_BYTES),
    max_total_size=limits.REFI_ARCHIVE_TOTAL_MAX_BYTES,
)


class ExchangeError(Exception):
    """A file that cannot be imported. The message names the file and, when known, the
    line and the element that is wrong."""

    def __init__(self, message: str, *, source: str = "", line: int | None = None) -> None:
        prefix = source
        if line:
            prefix = f"{source}, line {line}" if source else f"line {line}"
        super().__init__(f"{prefix}: {message}" if prefix else message)
        self.source = source
        self.line = line


@dataclass(frozen=True)
class ExchangeWarning:
    """Something imported differently from how the file has it (a renamed duplicate, a
    dropped colour, ...). ``line`` is the line of the element in the XML, if known."""

    message: str
    line: int | None = None

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


def local_name(el: etree._Element) -> str:
    tag = el.tag
    return tag[tag.rfind("}") + 1 :] if isinstance(tag, str) else ""


def namespace(el: etree._Element) -> str | None:
    return etree.QName(el).namespace if isinstance(el.tag, str) else None


def children(el: etree._Element, name: str) -> list[etree._Element]:
    """Child elements called ``name`` in any namespace (tools differ on namespaces)."""
    return [c for c in el if isinstance(c.tag, str) and local_name(c) == name]


def child(el: etree._Element, name: str) -> etree._Element | None:
    found = children(el, name)
    return found[0] if found else None


def element_text(el: etree._Element | None) -> str:
    return "".join(el.itertext()) if el is not None else ""


# ---------------------------------------------------------------------------- loading


@dataclass
class RefiXml:
    """The parsed XML of a REFI file. ``source`` names it in messages: the file, or
    ``file.qdpx!project.qde`` for the project inside an archive."""

    root: etree._Element
    source: str


def project_member(zf: zipfile.ZipFile, source: str) -> zipfile.ZipInfo:
    info = find_member(zf, PROJECT_MEMBER)
    if info is not None:
        return info
    # Some tools name the inner file after the project; accept a single .qde at the root.
    qdes = [
        i for i in zf.infolist() if "/" not in i.filename and i.filename.lower().endswith(".qde")
    ]
    if len(qdes) == 1:
        return qdes[0]
    listing = ", ".join(i.filename for i in zf.infolist()[:8]) or "nothing"
    raise ExchangeError(
        f"no {PROJECT_MEMBER} at the root of the archive (it holds: {listing})", source=source
    )


def load_refi_xml(path: Path) -> RefiXml:
    """Parse a .qdc file, or the head of a .qde file or of the project.qde inside a .qdpx
    archive (recognised by its content, not its extension): a <Project> is read up to the
    end of its <CodeBook> and no further, so that reading the codebook of a project of any
    size holds only its users and codes. Raises ExchangeError for anything that is not
    readable, not well-formed or refused as unsafe."""
    path = Path(path)
    source = str(path)
    try:
        if zipfile.is_zipfile(path):
            with open_zip(path, limits=REFI_ZIP_LIMITS) as zf:
                info = project_member(zf, source)
                source = f"{path}!{info.filename}"
                with open_member(zf, info) as fh:
                    root = _codebook_head(fh, source)
        else:
            with open(path, "rb") as fh:
                root = _codebook_head(fh, source)
    except RejectedFileError as exc:
        raise exchange_error(exc, source) from exc
    except OSError as exc:
        raise ExchangeError(f"cannot be read: {exc.strerror or exc}", source=source) from exc
    return RefiXml(root, source)


def _codebook_head(fh: BinaryIO, source: str) -> etree._Element:
    """The root of the XML in ``fh``: a <CodeBook> whole; a <Project> up to the end of
    its <CodeBook> (its other parts are dropped as they are read); anything else as it
    starts (it is refused by the caller)."""
    root = None
    depth = 0
    for event, el in iterparse_xml(fh, source=source, max_bytes=XML_MAX_BYTES):
        if event == "start":
            if root is None:
                root = el
                if local_name(el) not in ("Project", "CodeBook"):
                    break
            depth += 1
            continue
        depth -= 1
        if depth == 1 and local_name(root) == "Project":
            if local_name(el) == "CodeBook":
                break
            el.clear()
            while el.getprevious() is not None:
                del root[0]
    if root is None:
        raise MalformedFileError("the file is empty, not an XML document", source=source)
    return root


def exchange_error(exc: RejectedFileError, source: str) -> ExchangeError:
    """The ExchangeError for a file safe_files refused (its reason already says "line N,
    column M" when the parser knew them; ``.line`` carries the line too)."""
    error = ExchangeError(exc.reason, source=exc.source or source)
    error.line = getattr(exc, "line", None)
    return error


# ---------------------------------------------------------------------------- normal forms

_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def normalise_guid(raw: str | None) -> str | None:
    """A GUID in its canonical form (RFC 4122 text: lowercase hex, no braces), or None if
    ``raw`` is not a GUID. ``{ABC...}`` and ``ABC...`` are the same GUID."""
    if raw is None:
        return None
    text = raw.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1].strip()
    text = text.lower()
    return text if _GUID.fullmatch(text) else None


# The CSS basic colour keywords: the only names a tool is likely to write.
NAMED_COLOURS = {
    "black": "#000000",
    "silver": "#c0c0c0",
    "gray": "#808080",
    "grey": "#808080",
    "white": "#ffffff",
    "maroon": "#800000",
    "red": "#ff0000",
    "purple": "#800080",
    "fuchsia": "#ff00ff",
    "magenta": "#ff00ff",
    "green": "#008000",
    "lime": "#00ff00",
    "olive": "#808000",
    "yellow": "#ffff00",
    "navy": "#000080",
    "blue": "#0000ff",
    "teal": "#008080",
    "aqua": "#00ffff",
    "cyan": "#00ffff",
    "orange": "#ffa500",
}

_HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def normalise_colour(raw: str | None) -> str | None:
    """``#rrggbb`` in lowercase, from ``#RRGGBB``, ``#RGB``, ``RRGGBB`` without '#', or a
    basic CSS colour name; None for anything else (the caller warns)."""
    if raw is None:
        return None
    text = raw.strip()
    named = NAMED_COLOURS.get(text.lower())
    if named:
        return named
    m = _HEX.fullmatch(text)
    if not m:
        return None
    digits = m.group(1).lower()
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return "#" + digits
