"""Web pages: the article's text (not menus, scripts, banners or footers) and its metadata.

trafilatura finds the main content; we walk its result so that paragraphs, headings,
list items and table rows come out as blocks separated by blank lines."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from desktop.core.importers.base import (
    MAX_TEXT_FILE_BYTES,
    Extracted,
    ImportFailure,
    clean_metadata,
    read_bytes,
)
from desktop.core.importers.encoding import NOT_TEXT, binary_kind, decode_text, encoding_label
from desktop.core.text import normalise

NO_TEXT = "the web page contains no readable text"

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_BLOCKS = {"p", "head", "quote", "code", "list", "table", "item", "row", "div", "section"}
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WS = re.compile(r"[ \t\r\f\v\u00a0]+")


# Browsers read a page declared in a standard as the encoding that extends it (WHATWG
# encoding spec), and pages rely on it: latin-1 pages written by Word have its quotes, and
# gb2312, shift_jis and euc-kr pages hold GBK's, Windows-932's and Windows-949's extra
# characters.
_AS_BROWSERS_READ = {
    **dict.fromkeys(("iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii"), "cp1252"),
    **dict.fromkeys(("gb2312", "gbk", "x-gbk", "gb_2312-80", "chinese"), "gb18030"),
    **dict.fromkeys(
        ("shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "windows-31j"), "cp932"
    ),
    **dict.fromkeys(("euc-kr", "ks_c_5601-1987", "korean", "windows-949"), "cp949"),
    **dict.fromkeys(("big5", "big5-hkscs", "cn-big5", "x-x-big5"), "big5hkscs"),
}


def decode_html(data: bytes, encoding: str | None = None) -> tuple[str, str | None]:
    """Decode with the BOM, else the encoding the user chose, else the charset the page
    declares, else as a text file. Returns (text, what to tell the user about it)."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode_text(data).text, None
    if encoding is not None:
        decoded = decode_text(data, encoding)
        return decoded.text, decoded.note()
    if binary_kind(data) or (b"\x00" in data[:65536] and not _utf16(data)):
        raise ImportFailure(NOT_TEXT)
    match = _META_CHARSET.search(data[:8192])
    if match:
        declared = match.group(1).decode("ascii").lower()
        declared = _AS_BROWSERS_READ.get(declared, declared)
        try:
            codec = codecs.lookup(declared).name
            text = data.decode(codec)
            if codec in ("utf-8", "ascii"):
                return text, None
            return text, f"not UTF-8; read as {encoding_label(codec)}, as the page declares"
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration is common; detect instead
    decoded = decode_text(data)
    return decoded.text, decoded.note()


def _utf16(data: bytes) -> bool:
    try:
        return decode_text(data).encoding.startswith("utf-16")
    except ImportFailure:
        return False


def _collapse(text: str) -> str:
    lines = [_WS.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def _inline_text(el) -> str:
    """Text of an element with <lb/> (line breaks) kept as newlines."""
    parts: list[str] = []

    def walk(node) -> None:
        if node.tag == "lb":
            parts.append("\n")
        elif node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return _collapse("".join(parts))


def _blocks(el) -> list[str]:
    """Paragraph-level blocks of trafilatura's XML body, in document order."""
    out: list[str] = []
    if el.tag == "list":
        items = [_inline_text(item) for item in el.iter("item")]
        text = "\n".join(f"• {item}" for item in items if item)
        return [text] if text else []
    if el.tag == "table":
        rows = []
        for row in el.iter("row"):
            cells = [_inline_text(cell) for cell in row.iter("cell")]
            cells = [c for c in cells if c]
            if cells:
                rows.append("\t".join(cells))
        return ["\n".join(rows)] if rows else []
    has_block_children = any(child.tag in _BLOCKS for child in el)
    if not has_block_children:
        text = _inline_text(el)
        return [text] if text else []
    if el.text and el.text.strip():
        out.append(_collapse(el.text))
    for child in el:
        out.extend(_blocks(child))
        if child.tail and child.tail.strip():
            out.append(_collapse(child.tail))
    return out


_NAV_TOKENS = frozenset(
    {"nav", "navbar", "navigation", "menu", "menubar", "breadcrumb", "breadcrumbs", "topnav",
     "sitenav", "skip", "skiplink", "pagination"}
)  # fmt: skip
_NAV_ROLES = frozenset({"navigation", "menu", "menubar", "menuitem"})
_TOKEN = re.compile(r"[^a-z0-9]+")
_SEPARATORS = re.compile(r"[\s|·•/»›>\-–—:]+")
_SHORT_LINK_WORDS = 4


def _is_navigation(el) -> bool:
    """A menu: <nav>, a navigation role or class, or a block of nothing but short links
    ('Home | World | Politics'). A linked headline has more words and stays."""
    if el.tag in ("body", "main", "article"):  # <body class="has-navbar"> is the page
        return False
    if el.tag == "nav" or (el.get("role") or "").lower() in _NAV_ROLES:
        return True
    names = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    if _NAV_TOKENS.intersection(_TOKEN.split(names)):
        return True
    if el.tag not in ("ul", "ol", "div", "p"):
        return False
    links = [a.text_content() for a in el.iter("a")]
    if not links or any(len(link.split()) > _SHORT_LINK_WORDS for link in links):
        return False
    rest = el.text_content()
    for link in links:
        rest = rest.replace(link, " ", 1)
    return not _SEPARATORS.sub("", rest)


def without_navigation(html: str) -> str:
    """The page without its menus and link bars, which are no part of what it says."""
    import lxml.html

    try:
        tree = lxml.html.document_fromstring(html)
    except Exception:  # lxml raises ParserError or ValueError on empty/odd input
        return html
    body = tree.find("body")
    if body is None:
        return html
    for el in list(body.iter()):
        if el.getparent() is not None and isinstance(el.tag, str) and _is_navigation(el):
            el.drop_tree()
    return lxml.html.tostring(tree, encoding="unicode")


def _fallback_text(html: str) -> str:
    """All visible text of a page trafilatura found no article in (e.g. a short page)."""
    import lxml.html
    from lxml_html_clean import Cleaner

    try:
        tree = lxml.html.document_fromstring(html)
    except Exception:  # lxml raises ParserError or ValueError on empty/odd input
        return ""
    cleaner = Cleaner(scripts=True, javascript=True, style=True, comments=True, forms=False)
    tree = cleaner.clean_html(tree)
    for bad in tree.xpath("//nav|//footer|//header|//aside|//noscript|//template"):
        bad.drop_tree()
    blocks: list[str] = []
    block_tags = {
        "p",
        "div",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "blockquote",
        "pre",
        "section",
        "article",
        "main",
        "td",
        "th",
        "dd",
        "dt",
    }
    for br in tree.iter("br"):
        br.tail = "\n" + (br.tail or "")
    body = tree.find("body") if tree.find("body") is not None else tree
    for el in body.iter():
        if el.tag in block_tags and not any(c.tag in block_tags for c in el):
            text = _collapse(el.text_content())
            if text:
                blocks.append(text)
    if not blocks:
        text = _collapse(body.text_content())
        if text:
            blocks.append(text)
    return "\n\n".join(blocks)


def extract_html(path: Path, encoding: str | None = None) -> Extracted:
    import trafilatura

    data = read_bytes(path, MAX_TEXT_FILE_BYTES, "a web page")
    if not data.strip():
        raise ImportFailure("the file is empty")
    # C0 control characters are invalid in HTML, and lxml refuses strings holding them.
    html, note = decode_html(data, encoding)
    html = without_navigation(_CONTROLS.sub("", html))
    warnings: list[str] = [note] if note else []
    doc = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_formatting=False,
        include_links=False,
        deduplicate=False,
    )
    text = ""
    if doc is not None and doc.body is not None:
        text = "\n\n".join(_blocks(doc.body))
    if not text.strip():
        text = _fallback_text(html)
        if text.strip():
            warnings.append(
                "no main article was recognised on the page; all of its visible text was imported"
            )
    text = normalise(text).strip()
    if not text:
        raise ImportFailure(NO_TEXT)

    meta = doc if doc is not None else trafilatura.extract_metadata(html)
    metadata = {}
    if meta is not None:
        metadata = clean_metadata(
            {
                "title": meta.title,
                "author": meta.author,
                "date": meta.date,
                "source": meta.sitename,
                "url": meta.url,
            }
        )
    return Extracted(text=text, kind="html", metadata=metadata, pages=None, warnings=warnings)
