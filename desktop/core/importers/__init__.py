"""Document importers: a file on disk in, normalised text with metadata and pages out.

Pure Python (no Qt, no database). The import service calls `extract` and stores the
result; deduplication, transactions and batches are its business, not ours.

    try:
        doc = extract(path, progress=on_progress, cancelled=lambda: flag.is_set())
    except ImportFailure as exc:
        tell_user(f"{path.name}: {exc}")
"""

from __future__ import annotations

import logging
from pathlib import Path

from desktop.core.importers.base import (
    Cancelled,
    Extracted,
    ImportCancelled,
    ImportFailure,
    Progress,
    check_cancelled,
    report,
)

__all__ = [
    "SUPPORTED_SUFFIXES", "TEXT_KINDS", "Extracted", "ImportCancelled", "ImportFailure", "extract",
]  # fmt: skip

KINDS: dict[str, str] = {
    ".txt": "txt",
    ".md": "md",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".docx": "docx",
    ".rtf": "rtf",
    ".odt": "odt",
}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(KINDS)
# Kinds read as bytes in some encoding, the ones an encoding chosen by the user applies to.
TEXT_KINDS: frozenset[str] = frozenset({"txt", "md", "html"})
_NAMES = {
    "txt": "text file",
    "md": "Markdown file",
    "html": "web page",
    "pdf": "PDF",
    "docx": "Word document",
    "rtf": "RTF document",
    "odt": "OpenDocument file",
}
log = logging.getLogger(__name__)

_READABLE = "plain text (.txt), Markdown (.md), web pages (.html, .htm), PDF, Word (.docx), RTF and OpenDocument (.odt)"
_HINTS = {
    ".doc": "save it as .docx in Word first",
    ".pages": "export it as .docx or PDF first",
    ".xhtml": "rename it to .html",
    ".markdown": "rename it to .md",
}


def extract(
    path: Path,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    encoding: str | None = None,
) -> Extracted:
    """Read a document. Raises ImportFailure (reason in words) or ImportCancelled.

    `encoding` (a codec name the user chose) applies to text files and web pages without
    a BOM; other kinds say their encoding themselves."""
    path = Path(path)
    suffix = path.suffix.lower()
    kind = KINDS.get(suffix)
    if kind is None:
        shown = suffix or "(no extension)"
        hint = _HINTS.get(suffix)
        raise ImportFailure(
            f"files of type {shown} are not supported; Tessera reads {_READABLE}"
            + (f" ({hint})" if hint else "")
        )
    if path.is_dir():
        raise ImportFailure("it is a folder, not a file")
    check_cancelled(cancelled)
    try:
        return _extract(path, kind, progress, cancelled, encoding)
    except (ImportFailure, ImportCancelled, MemoryError, KeyboardInterrupt):
        raise
    except RecursionError:
        raise ImportFailure(f"the {_NAMES[kind]} is nested too deeply to be read") from None
    except Exception as exc:
        # The parsers (pdfminer, lxml, zipfile, odfpy, striprtf) raise all kinds of
        # errors on damaged files; the user needs to hear which file, not a traceback.
        log.warning("could not read %s", path, exc_info=True)
        raise ImportFailure(
            f"the {_NAMES[kind]} could not be read; it may be damaged ({type(exc).__name__})"
        ) from exc


def _extract(
    path: Path,
    kind: str,
    progress: Progress | None,
    cancelled: Cancelled | None,
    encoding: str | None = None,
) -> Extracted:
    if kind == "pdf":
        from desktop.core.importers.pdf import extract_pdf

        return extract_pdf(path, progress=progress, cancelled=cancelled)

    report(progress, 0, 1)
    if kind in ("txt", "md"):
        from desktop.core.importers.plaintext import extract_plain

        result = extract_plain(path, kind, encoding)
    elif kind == "html":
        from desktop.core.importers.html import extract_html

        result = extract_html(path, encoding)
    elif kind == "docx":
        from desktop.core.importers.office import extract_docx

        result = extract_docx(path)
    elif kind == "odt":
        from desktop.core.importers.office import extract_odt

        result = extract_odt(path)
    else:
        from desktop.core.importers.rtf import extract_rtf

        result = extract_rtf(path)
    check_cancelled(cancelled)
    report(progress, 1, 1)
    return result
