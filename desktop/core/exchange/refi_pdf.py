"""A REFI-QDA PDFSource read as a text source: its text ``Representation`` is where its
text and selections are (REFI-QDA 9.1.4), the PDFSource names it and carries the PDF
(``path``, ``internal://<guid>.pdf``). What the project stream of refi_project needs to
find the Representation while it reads, and to read the PDF from the archive."""

from __future__ import annotations

from lxml import etree

from desktop.core.exchange.refi_common import ExchangeError
from desktop.core.exchange.refi_selections import ReadingSource
from desktop.core.safe_files import (
    RejectedFileError,
    find_member,
    member_name_problem,
    read_member,
)

INTERNAL = "internal://"


def in_source(depth: int, path: list[str]) -> bool:
    """An element directly inside a source, or inside a PDFSource's Representation."""
    return (depth == 3 and path[1] == "Sources") or (
        depth == 4 and path[1] == "Sources" and path[2] == "PDFSource"
        and path[3] == "Representation"
    )  # fmt: skip


def representation(
    el: etree._Element, path: list[str], kind: str, holder: etree._Element | None
) -> ReadingSource | None:
    """The text Representation of the PDFSource ``holder``, read as its text source."""
    if holder is None or kind != "Representation" or len(path) != 3 or path[1] != "Sources":
        return None
    return ReadingSource(el, holder=holder)


def read_pdf(stream, src, limit: int) -> bytes | None:
    """The PDF of ``src`` (a RefiSource with a ``pdf_path``) from the archive of
    ``stream``; None with a warning when it is not there or larger than ``limit``. A
    path that would leave the archive refuses the file, as for texts."""
    path = src.pdf_path or ""
    what = f"the PDF of source {src.name!r} ({path or 'no path'})"
    if not path.lower().startswith(INTERNAL) or stream.zf is None:
        stream.warn(f"{what} is not in the archive: only its text is imported")
        return None
    member = path[len(INTERNAL) :]
    problem = member_name_problem(member)
    if problem:
        raise ExchangeError(f"{problem}: {path!r}", source=stream.source)
    info = find_member(stream.zf, f"sources/{member}") or find_member(stream.zf, member)
    if info is None:
        stream.warn(f"{what} is missing from the archive: only its text is imported")
        return None
    try:
        return read_member(stream.zf, info, limit)
    except RejectedFileError as exc:
        stream.warn(f"{what} is not kept: {exc.reason}; only its text is imported")
        return None
