"""Plain text and Markdown files: decoded, normalised, kept as written (not rendered)."""

from __future__ import annotations

from pathlib import Path

from desktop.core.importers.base import MAX_TEXT_FILE_BYTES, Extracted, read_bytes, require_text
from desktop.core.importers.encoding import detect_decode, encoding_label
from desktop.core.text import normalise

EMPTY = "the file contains no text (it is empty or only whitespace)"
_UNICODE = frozenset({"utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"})


def extract_plain(path: Path, kind: str) -> Extracted:
    data = read_bytes(path, MAX_TEXT_FILE_BYTES, "a text file")
    text, encoding = detect_decode(data)
    text = require_text(normalise(text), EMPTY)
    warnings = []
    if encoding not in _UNICODE:
        warnings.append(f"the file is not UTF-8; it was read as {encoding_label(encoding)}")
    return Extracted(text=text, kind=kind, metadata={}, pages=None, warnings=warnings)
