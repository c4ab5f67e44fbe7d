"""What every importer returns or raises, and the limits they share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

MB = 1024 * 1024
# Text-like files (txt, md, html, rtf) are read whole into memory; above this we refuse.
MAX_TEXT_FILE_BYTES = 50 * MB
# A docx/odt is a zip: refuse one that would unpack to more than this (zip bomb).
MAX_UNZIPPED_BYTES = 300 * MB
MAX_ZIP_MEMBERS = 10_000
# No sane article or report is bigger; a PDF this size is most likely scanned images.
MAX_PDF_FILE_BYTES = 1024 * MB

METADATA_KEYS = ("title", "author", "date", "source", "url")


@dataclass
class Extracted:
    """A document as read from a file. `pages[i]` is the half-open range of `text`
    (in code points) that page i+1 became; text between two ranges belongs to no page."""

    text: str  # already normalised with desktop.core.text.normalise
    kind: str  # 'txt','md','html','pdf','docx','rtf','odt'
    metadata: dict[str, str]  # only keys among METADATA_KEYS
    pages: list[tuple[int, int]] | None  # [char_start, char_end) per page; None if not paged
    warnings: list[str] = field(default_factory=list)


class ImportFailure(Exception):
    """The reason a file cannot be imported, in words a researcher understands.

    The caller adds the file name."""


class ImportCancelled(Exception):
    """The user cancelled the import while it was running."""


def clean_metadata(raw: dict[str, object]) -> dict[str, str]:
    """Keep the known keys whose values are non-empty strings (whitespace collapsed)."""
    out: dict[str, str] = {}
    for key in METADATA_KEYS:
        value = raw.get(key)
        if value is None:
            continue
        text = " ".join(str(value).replace("\x00", "").split())
        if text:
            out[key] = text
    return out


def check_size(path: Path, limit: int, what: str) -> int:
    """Refuse a file above `limit` bytes from its size on disk, before reading it."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ImportFailure("the file does not exist (it may have been moved or deleted)") from None
    except OSError as exc:
        raise ImportFailure(f"the file cannot be read ({exc.strerror or exc})") from None
    if size > limit:
        raise ImportFailure(
            f"the file is too large to import as {what} "
            f"({size / MB:.0f} MB; the limit is {limit // MB} MB)"
        )
    return size


def read_bytes(path: Path, limit: int, what: str) -> bytes:
    check_size(path, limit, what)
    try:
        with path.open("rb") as fh:
            # Read at most limit+1 bytes: the file may have grown since the stat.
            data = fh.read(limit + 1)
    except OSError as exc:
        raise ImportFailure(f"the file cannot be read ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise ImportFailure(f"the file is too large to import as {what}")
    return data


def require_text(text: str, empty_reason: str) -> str:
    if not text.strip():
        raise ImportFailure(empty_reason)
    return text


def report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


def check_cancelled(cancelled: Cancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise ImportCancelled("the import was cancelled")
