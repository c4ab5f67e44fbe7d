"""Plain text and Markdown files: decoded, normalised, kept as written (not rendered)."""

from __future__ import annotations

from pathlib import Path

from desktop.core.importers.base import MAX_TEXT_FILE_BYTES, Extracted, read_bytes, require_text
from desktop.core.importers.encoding import decode_text
from desktop.core.text import normalise

EMPTY = "the file contains no text (it is empty or only whitespace)"


def extract_plain(path: Path, kind: str, encoding: str | None = None) -> Extracted:
    """`encoding`, when the user chose one, overrides the guess (a BOM still wins)."""
    data = read_bytes(path, MAX_TEXT_FILE_BYTES, "a text file")
    decoded = decode_text(data, encoding)
    text = require_text(normalise(decoded.text), EMPTY)
    note = decoded.note()  # a file not in UTF-8 always says how it was read
    warnings = [note] if note else []
    return Extracted(text=text, kind=kind, metadata={}, pages=None, warnings=warnings)
