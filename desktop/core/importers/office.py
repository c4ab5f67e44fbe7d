"""Word (.docx) and OpenDocument (.odt) files: paragraphs and tables in order, metadata.

Both are zip archives: before a parser sees one we check its directory, so a damaged
file gets a clear message and a zip bomb is refused without being unpacked."""

from __future__ import annotations

import zipfile
import zlib
from datetime import date, datetime
from pathlib import Path

from desktop.core.importers.base import (
    MAX_UNZIPPED_BYTES,
    MAX_ZIP_MEMBERS,
    MB,
    Extracted,
    ImportFailure,
    check_size,
    clean_metadata,
)
from desktop.core.text import normalise

# The compressed file itself: a text document over this is not a text document.
MAX_OFFICE_FILE_BYTES = 200 * MB
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# What the zip, XML and document libraries raise on a truncated or damaged file.
_DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    KeyError,
    ValueError,
    EOFError,
    NotImplementedError,
)


def check_zip(path: Path, label: str, required: str) -> None:
    """Refuse a damaged archive, a zip bomb, or a zip that is not a `label` document."""
    check_size(path, MAX_OFFICE_FILE_BYTES, label)
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(_OLE):
        raise ImportFailure(
            f"the file is not a {label} document in the current format: it is either "
            "password-protected (encrypted) or an old binary file (.doc); open it in your "
            "word processor and save it again without a password"
        )
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {info.filename for info in infos}
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError):
        raise ImportFailure(
            f"the {label} document is damaged or incomplete (it is not a readable zip archive)"
        ) from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise ImportFailure(f"the {label} document contains too many parts ({len(infos)})")
    unpacked = sum(info.file_size for info in infos)
    if unpacked > MAX_UNZIPPED_BYTES:
        raise ImportFailure(
            f"the {label} document would unpack to {unpacked / MB:,.0f} MB, over the "
            f"{MAX_UNZIPPED_BYTES // MB} MB limit (it may be a 'zip bomb'); it was not opened"
        )
    if required not in names:
        raise ImportFailure(f"the file is a zip archive but not a {label} document")


def _iso_date(value: object) -> str | None:
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        return value[:10]
    return None


def _finish(blocks: list[str], kind: str, label: str, metadata: dict[str, str]) -> Extracted:
    text = normalise("\n\n".join(b for b in blocks if b.strip())).strip("\n")
    if not text.strip():
        raise ImportFailure(f"the {label} document contains no text")
    return Extracted(text=text, kind=kind, metadata=metadata, pages=None)


# --- docx ------------------------------------------------------------------------------


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_W_CHARS = {_W + "tab": "\t", _W + "br": "\n", _W + "cr": "\n", _W + "noBreakHyphen": "-"}


def _paragraph_text(p) -> str:
    """All the text a reader sees in a w:p element.

    python-docx's Paragraph.text reads only the paragraph's direct runs and links, so it
    drops tracked insertions (w:ins), simple fields, smart tags and text boxes; here we
    take every w:t below the paragraph. Deleted text (w:delText) and field codes
    (w:instrText) are other elements and stay out; mc:Fallback repeats the drawing it
    stands in for (text boxes would come out twice)."""
    parts: list[str] = []

    def walk(el, nested: bool) -> None:
        tag = el.tag
        if tag == _MC_FALLBACK:
            return
        if tag == _W + "t":
            parts.append(el.text or "")
            return
        if tag in _W_CHARS:
            parts.append(_W_CHARS[tag])
            return
        if tag == _W + "p" and nested and parts and not parts[-1].endswith("\n"):
            parts.append("\n")  # a paragraph inside a text box
        for child in el:
            if isinstance(child.tag, str):
                walk(child, True)

    walk(p, False)
    return "".join(parts)


def _docx_blocks(doc) -> list[str]:
    from docx.table import Table

    blocks: list[str] = []

    def table_text(table: Table) -> str:
        rows: list[str] = []
        for row in table.rows:
            seen: set[int] = set()
            cells: list[str] = []
            for cell in row.cells:  # a merged cell appears once per grid column it spans
                if id(cell._tc) in seen:
                    continue
                seen.add(id(cell._tc))
                texts = (_paragraph_text(p._p) for p in cell.paragraphs)
                parts = [t for t in texts if t.strip()]
                for inner in cell.tables:
                    parts.append(table_text(inner))
                cells.append("\n".join(parts).strip())
            if any(cells):
                rows.append("\t".join(cells))
        return "\n".join(rows)

    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            blocks.append(_paragraph_text(child))
        elif tag == "tbl":
            blocks.append(table_text(Table(child, doc)))
        elif tag == "sdt":  # content controls wrap ordinary paragraphs
            for p in child.iter(_W + "p"):
                blocks.append(_paragraph_text(p))
    return blocks


def _docx_notes(doc) -> list[str]:
    """Footnotes and endnotes ('1 text'), numbered in order as Word shows them."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    notes: list[str] = []
    for name, tag in (("/word/footnotes.xml", "footnote"), ("/word/endnotes.xml", "endnote")):
        part = next((p for p in doc.part.package.iter_parts() if p.partname == name), None)
        if part is None:
            continue
        root = etree.fromstring(part.blob, parser)
        number = 0
        for note in root.iter(_W + tag):
            if note.get(_W + "type") in (
                "separator",
                "continuationSeparator",
                "continuationNotice",
            ):
                continue
            number += 1
            text = "\n".join(
                t for t in (_paragraph_text(p) for p in note.iter(_W + "p")) if t.strip()
            )
            if text.strip():
                notes.append(f"{number} {text.strip()}")
    return notes


def extract_docx(path: Path) -> Extracted:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree

    check_zip(path, "Word", "word/document.xml")
    try:
        doc = docx.Document(str(path))
        blocks = _docx_blocks(doc) + _docx_notes(doc)
        props = doc.core_properties
        metadata = clean_metadata(
            {"title": props.title, "author": props.author, "date": _iso_date(props.created)}
        )
    except PackageNotFoundError:
        raise ImportFailure("the file is not a Word (.docx) document") from None
    except _DAMAGED as exc:
        raise ImportFailure(
            f"the Word document is damaged or incomplete ({type(exc).__name__})"
        ) from None
    except etree.XMLSyntaxError:
        raise ImportFailure(
            "the Word document is damaged (its contents are not valid XML)"
        ) from None
    return _finish(blocks, "docx", "Word", metadata)


# --- odt -------------------------------------------------------------------------------


def _odt_blocks(doc) -> list[str]:
    from odf.namespaces import OFFICENS, TABLENS, TEXTNS

    blocks: list[str] = []
    notes: list[str] = []
    paragraph = {(TEXTNS, "p"), (TEXTNS, "h")}
    skip = {(TEXTNS, "tracked-changes"), (TEXTNS, "sequence-decls"), (TEXTNS, "variable-decls")}
    unseen = {(OFFICENS, "annotation"), (OFFICENS, "annotation-end")}  # comments

    def inline_text(node) -> str:
        """Like odf.teletype.extractText, but a footnote's body goes to the end of the
        document instead of into the middle of the sentence, and comments stay out."""
        parts: list[str] = []
        for child in node.childNodes:
            if child.nodeType == child.TEXT_NODE:
                parts.append(child.data)
                continue
            if child.nodeType != child.ELEMENT_NODE:
                continue
            qname = child.qname
            if qname == (TEXTNS, "line-break"):
                parts.append("\n")
            elif qname == (TEXTNS, "tab"):
                parts.append("\t")
            elif qname == (TEXTNS, "s"):
                parts.append(" " * int(child.getAttribute("c") or 1))
            elif qname == (TEXTNS, "note"):
                note(child)
            elif qname in unseen:
                continue
            elif qname in paragraph and parts:  # a paragraph in a frame or text box
                parts.append("\n" + inline_text(child))
            else:
                parts.append(inline_text(child))
        return "".join(parts)

    def note(node) -> None:
        mark = body = ""
        for child in node.childNodes:
            qname = getattr(child, "qname", None)
            if qname == (TEXTNS, "note-citation"):
                mark = inline_text(child).strip()
            elif qname == (TEXTNS, "note-body"):
                body = "\n".join(
                    t
                    for t in (
                        inline_text(p)
                        for p in child.childNodes
                        if getattr(p, "qname", None) in paragraph
                    )
                    if t.strip()
                )
        if body.strip():
            notes.append(f"{mark} {body}".strip())

    def cell_text(cell) -> str:
        inner = [inline_text(p) for p in cell.childNodes if getattr(p, "qname", None) in paragraph]
        return "\n".join(t for t in inner if t.strip())

    def table_rows(node) -> list[str]:
        """Rows (cells joined by tabs), also inside header-row and row groups."""
        rows: list[str] = []
        for child in node.childNodes:
            qname = getattr(child, "qname", None)
            if qname == (TABLENS, "table-row"):
                cells = [
                    cell_text(c)
                    for c in child.childNodes
                    if getattr(c, "qname", None) == (TABLENS, "table-cell")
                ]
                if any(cells):
                    rows.append("\t".join(cells))
            elif child.nodeType == child.ELEMENT_NODE:
                rows.extend(table_rows(child))
        return rows

    def walk(node) -> None:
        for child in node.childNodes:
            qname = getattr(child, "qname", None)
            if qname in paragraph:
                blocks.append(inline_text(child))
            elif qname == (TABLENS, "table"):
                blocks.append("\n".join(table_rows(child)))
            elif qname not in skip and child.nodeType == child.ELEMENT_NODE:
                walk(child)

    walk(doc.text)
    return blocks + notes


def _odt_meta(doc) -> dict[str, str]:
    from odf.namespaces import DCNS, METANS

    found: dict[tuple[str, str], str] = {}
    for node in doc.meta.childNodes:
        qname = getattr(node, "qname", None)
        if qname:
            found[qname] = "".join(str(t) for t in node.childNodes if t.nodeType == t.TEXT_NODE)
    author = found.get((METANS, "initial-creator")) or found.get((DCNS, "creator"))
    return clean_metadata(
        {
            "title": found.get((DCNS, "title")),
            "author": author,
            "date": _iso_date(found.get((METANS, "creation-date"), "")),
        }
    )


def extract_odt(path: Path) -> Extracted:
    from xml.sax import SAXException

    from odf.opendocument import load

    check_zip(path, "OpenDocument", "content.xml")
    try:
        doc = load(str(path))
        blocks = _odt_blocks(doc)
        metadata = _odt_meta(doc)
    except _DAMAGED as exc:
        raise ImportFailure(
            f"the OpenDocument file is damaged or incomplete ({type(exc).__name__})"
        ) from None
    except SAXException:
        raise ImportFailure(
            "the OpenDocument file is damaged (its contents are not valid XML)"
        ) from None
    return _finish(blocks, "odt", "OpenDocument", metadata)
