"""Bounds on what pdfminer decompresses and builds while Tessera reads a PDF.

pdfminer inflates a stream whole (``zlib.decompress``, ``lzwdecode``) the first time it
is used, and keeps one layout object per character drawn: a 1.5 MB PDF whose page
inflates to 1.5 GB, or a page that draws millions of glyphs, would take gigabytes.
Here every stream pdfminer decodes (page contents, fonts, forms, object and xref
streams) is inflated incrementally and stopped one byte past
:data:`~desktop.core.limits.PDF_STREAM_MAX_BYTES`, the streams of one document share
a budget, and a page's layout is built by a device that stops past
:data:`~desktop.core.limits.PDF_PAGE_OBJECTS_MAX` objects. Past a limit,
:class:`PdfLimitExceeded` says which.

pdfminer has no setting for any of this, so :func:`install` replaces the two decoders
that ``pdfminer.pdftypes`` calls (its module-level ``zlib`` and ``lzwdecode``) with
bounded ones that behave the same below the limits. Only the PDF importer uses pdfminer.
"""

from __future__ import annotations

import threading
import zlib
from io import BytesIO
from types import SimpleNamespace

from desktop.core.limits import (
    PDF_PAGE_OBJECTS_MAX,
    PDF_STREAM_MAX_BYTES,
    PDF_STREAMS_TOTAL_MAX_BYTES,
    size,
)


class PdfLimitExceeded(Exception):
    """A stream or a page of the PDF is past one of Tessera's limits; str() says which."""


_budget = threading.local()
_CHUNK = 1 << 20


def start_document() -> None:
    """A new document is being read in this thread: its streams get a fresh budget."""
    _budget.used = 0


def _spend(n: int) -> None:
    used = getattr(_budget, "used", 0) + n
    _budget.used = used
    if used > PDF_STREAMS_TOTAL_MAX_BYTES:
        raise PdfLimitExceeded(
            f"its streams decompress to more than {size(PDF_STREAMS_TOTAL_MAX_BYTES)} in "
            "all (the limit; it may be a decompression bomb)"
        )


def _too_big() -> PdfLimitExceeded:
    return PdfLimitExceeded(
        f"a stream (a page's content, a font or a form) decompresses to more than "
        f"{size(PDF_STREAM_MAX_BYTES)} (the limit; it may be a decompression bomb)"
    )


class _BoundedDecompressor:
    """zlib's decompress object, refusing more than PDF_STREAM_MAX_BYTES of output."""

    def __init__(self, *args) -> None:
        self._d = zlib.decompressobj(*args)
        self._out = 0

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        room = PDF_STREAM_MAX_BYTES + 1 - self._out
        want = room if max_length <= 0 else min(max_length, room)
        out = self._d.decompress(data, want)
        self._out += len(out)
        if self._out > PDF_STREAM_MAX_BYTES:
            raise _too_big()
        _spend(len(out))
        return out

    def flush(self, *args) -> bytes:
        out = self._d.flush(*args)
        self._out += len(out)
        if self._out > PDF_STREAM_MAX_BYTES:
            raise _too_big()
        return out

    @property
    def eof(self) -> bool:
        return self._d.eof

    @property
    def unconsumed_tail(self) -> bytes:
        return self._d.unconsumed_tail

    @property
    def unused_data(self) -> bytes:
        return self._d.unused_data


def bounded_inflate(data: bytes) -> bytes:
    """zlib.decompress(data), refusing output past PDF_STREAM_MAX_BYTES."""
    d = _BoundedDecompressor()
    parts = [d.decompress(data)]
    while d._d.unconsumed_tail and not d.eof:
        parts.append(d.decompress(d._d.unconsumed_tail))
    if not d.eof:  # as zlib.decompress: pdfminer then tries its lenient decoder
        raise zlib.error("Error -5 while decompressing data: incomplete or truncated stream")
    return b"".join(parts)


def bounded_lzwdecode(data: bytes) -> bytes:
    """pdfminer's LZW decoder, refusing output past PDF_STREAM_MAX_BYTES."""
    from pdfminer.lzw import LZWDecoder

    parts: list[bytes] = []
    total = 0
    for chunk in LZWDecoder(BytesIO(data)).run():
        total += len(chunk)
        if total > PDF_STREAM_MAX_BYTES:
            raise _too_big()
        parts.append(chunk)
    _spend(total)
    return b"".join(parts)


_BOUNDED_ZLIB = SimpleNamespace(
    decompress=bounded_inflate, decompressobj=_BoundedDecompressor, error=zlib.error
)


def install() -> None:
    """Make pdfminer decode streams through the bounded decoders (idempotent)."""
    from pdfminer import pdftypes

    pdftypes.zlib = _BOUNDED_ZLIB  # type: ignore[attr-defined]
    pdftypes.lzwdecode = bounded_lzwdecode  # type: ignore[attr-defined]


def bounded_layout(page):
    """pdfplumber's ``page.layout``, built by a device that stops past
    PDF_PAGE_OBJECTS_MAX drawn objects; cached on the page as pdfplumber does.

    The same device puts right-to-left lines in visual order before layout analysis
    (see pdf_layout.visual_order) and draws glyphs that the PDF maps to no character
    as no text, counting them (:func:`unreadable_glyphs`), where pdfminer would write
    "(cid:N)" into the text."""
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfplumber.page import PDFPageAggregatorWithMarkedContent

    from desktop.core.importers.pdf_layout import visual_order

    class _CountingDevice(PDFPageAggregatorWithMarkedContent):
        drawn = 0
        unreadable = 0

        def handle_undefined_char(self, font, cid: int) -> str:
            self.unreadable += 1
            return ""

        def end_page(self, page_obj) -> None:
            visual_order(self.cur_item)
            super().end_page(page_obj)

        def _count(self) -> None:
            self.drawn += 1
            if self.drawn > PDF_PAGE_OBJECTS_MAX:
                raise PdfLimitExceeded(
                    f"page {page.page_number} draws more than {PDF_PAGE_OBJECTS_MAX:,} "
                    "characters and shapes (the limit)"
                )

        def render_char(self, *args, **kwargs):
            self._count()
            return super().render_char(*args, **kwargs)

        def paint_path(self, *args, **kwargs):
            self._count()
            return super().paint_path(*args, **kwargs)

        def render_image(self, *args, **kwargs):
            self._count()
            return super().render_image(*args, **kwargs)

    if hasattr(page, "_layout"):
        return page._layout
    device = _CountingDevice(page.pdf.rsrcmgr, pageno=page.page_number, laparams=page.pdf.laparams)
    PDFPageInterpreter(page.pdf.rsrcmgr, device).process_page(page.page_obj)
    page._layout = device.get_result()
    page._unreadable_glyphs = device.unreadable
    return page._layout


def unreadable_glyphs(page) -> int:
    """How many glyphs of the page (laid out by :func:`bounded_layout`) the PDF maps to
    no character."""
    return getattr(page, "_unreadable_glyphs", 0)
