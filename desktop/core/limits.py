"""Every size limit on what Tessera reads from outside, in one place.

The limits keep the memory of any import bounded (under 500 MB, whatever the file
holds: a PDF whose page inflates to gigabytes, a CSV with one enormous value, a
.qdpx zip bomb) while admitting everything a real project has, and everything Tessera
itself writes (a REFI-QDA export of 100,000 documents imports again). Past a limit the
file is refused with a message that names the file and the limit; nothing is half
read.

The README's table of limits is made from this module (:func:`table`); change a limit
here and the table and every message follow.
"""

from __future__ import annotations

from dataclasses import dataclass

KB = 1024
MB = 1024 * KB
GB = 1024 * MB


# -- PDF ---------------------------------------------------------------------------------

#: One stream of a PDF once decompressed (a page's content, a font, a form): a dense
#: page is well under 1 MB; a PDF whose page inflates past this is a decompression bomb.
PDF_STREAM_MAX_BYTES = 64 * MB
#: All streams decompressed while one PDF is read (per reading process).
PDF_STREAMS_TOTAL_MAX_BYTES = 256 * MB
#: Objects drawn on one page (characters, lines, shapes, pictures): a dense page of small
#: print has about 10,000. Each costs pdfminer's layout analysis about 1-2 KB, so this
#: bounds the memory of one page.
PDF_PAGE_OBJECTS_MAX = 100_000

# -- original files ----------------------------------------------------------------------

#: One original file kept in the project beside its text (the PDF, the Word document): a
#: bigger one is imported as text only, and the import says so.
ORIGINAL_FILE_MAX_BYTES = 256 * MB

# -- CSV (codings, codebooks, tables) -----------------------------------------------------

#: One value of a CSV file (a quote, a memo), in characters: a whole book is ~1M.
CSV_FIELD_MAX_CHARS = 16 * 1024 * 1024
#: One physical line of a CSV file, in characters (several long values on one line).
CSV_LINE_MAX_CHARS = 32 * 1024 * 1024

# -- archives (.qdpx, and the zip checks shared by every archive reader) ------------------

#: Members of one archive. A REFI-QDA export has one per document plus the project, so
#: this admits Tessera's own export of 100,000 documents three times over. It bounds the
#: memory of the archive's directory (Python's zipfile holds ~0.7 KB per member: 200 MB
#: here), which no ratio sees; bombs are caught by the size and ratio limits below.
ARCHIVE_MEMBERS_MAX = 300_000
#: One member once decompressed (one document's plain text, one picture).
ARCHIVE_MEMBER_MAX_BYTES = 256 * MB
#: The whole archive once decompressed (the sum its directory declares, and the bytes
#: actually read, whichever is reached first); a .qdpx has its own, below.
ARCHIVE_TOTAL_MAX_BYTES = 1 * GB
#: Decompressed / compressed size of a member or of the whole archive. Text compresses
#: about 3-10:1, XML up to ~30:1; a bomb is 1,000:1.
ARCHIVE_MAX_RATIO = 100.0
#: Below this decompressed size the ratio is not checked (a small member of repeated
#: bytes compresses far better than text, and is harmless).
ARCHIVE_RATIO_FLOOR_BYTES = 4 * MB

# -- XML ----------------------------------------------------------------------------------

#: One XML document parsed whole (a codebook .qdc; the users and codebook at the head of
#: a REFI project, read up to the end of its codebook).
XML_MAX_BYTES = 256 * MB

# -- REFI-QDA projects (.qdpx, .qde) -----------------------------------------------------

#: The project.qde of a REFI-QDA project. It is read as a stream (twice), one source and
#: one selection at a time, so its size costs time, not memory: Tessera's export of
#: 100,000 documents with 2 codings each is ~110 MB, 1,000,000 codings ~0.5 GB.
REFI_PROJECT_XML_MAX_BYTES = 2 * GB
#: A whole .qdpx decompressed (its project and every text). Its texts are read one at a
#: time, each under the limit below; the ratio limit above still applies.
REFI_ARCHIVE_TOTAL_MAX_BYTES = 4 * GB
#: Sources in one REFI-QDA project. Tessera's export writes one archive member per
#: document, so the member limit above caps what it writes at this too; an import keeps
#: ~0.2 KB per document (its name, for the report and for unique names).
REFI_SOURCES_MAX = ARCHIVE_MEMBERS_MAX
#: The plain text of one REFI-QDA source read from an archive.
REFI_SOURCE_TEXT_MAX_BYTES = 64 * MB
#: The plain text of one REFI-QDA note (a bigger one is skipped with a warning).
REFI_NOTE_TEXT_MAX_BYTES = 4 * MB


@dataclass(frozen=True)
class Limit:
    name: str
    value: float
    unit: str  # "bytes", "characters", "members", "objects", "sources", "ratio"
    applies_to: str


LIMITS: tuple[Limit, ...] = (
    Limit("PDF_STREAM_MAX_BYTES", PDF_STREAM_MAX_BYTES, "bytes", "one PDF stream decompressed (a page's content, a font)"),
    Limit("PDF_STREAMS_TOTAL_MAX_BYTES", PDF_STREAMS_TOTAL_MAX_BYTES, "bytes", "all streams of one PDF decompressed"),
    Limit("PDF_PAGE_OBJECTS_MAX", PDF_PAGE_OBJECTS_MAX, "objects", "characters and shapes drawn on one PDF page"),
    Limit("ORIGINAL_FILE_MAX_BYTES", ORIGINAL_FILE_MAX_BYTES, "bytes", "one original file kept beside its text (PDF, Word, ...)"),
    Limit("CSV_FIELD_MAX_CHARS", CSV_FIELD_MAX_CHARS, "characters", "one value of a CSV file"),
    Limit("CSV_LINE_MAX_CHARS", CSV_LINE_MAX_CHARS, "characters", "one line of a CSV file"),
    Limit("ARCHIVE_MEMBERS_MAX", ARCHIVE_MEMBERS_MAX, "members", "files inside one .qdpx/zip archive"),
    Limit("ARCHIVE_MEMBER_MAX_BYTES", ARCHIVE_MEMBER_MAX_BYTES, "bytes", "one archive member decompressed"),
    Limit("ARCHIVE_TOTAL_MAX_BYTES", ARCHIVE_TOTAL_MAX_BYTES, "bytes", "a whole archive decompressed (.docx, .odt, ...)"),
    Limit("ARCHIVE_MAX_RATIO", ARCHIVE_MAX_RATIO, "ratio", "decompressed/compressed size of a member or an archive (above 4 MB)"),
    Limit("XML_MAX_BYTES", XML_MAX_BYTES, "bytes", "one XML document read whole (.qdc, the codebook of a project)"),
    Limit("REFI_PROJECT_XML_MAX_BYTES", REFI_PROJECT_XML_MAX_BYTES, "bytes", "a REFI-QDA project.qde, read as a stream"),
    Limit("REFI_ARCHIVE_TOTAL_MAX_BYTES", REFI_ARCHIVE_TOTAL_MAX_BYTES, "bytes", "a whole .qdpx decompressed"),
    Limit("REFI_SOURCES_MAX", REFI_SOURCES_MAX, "sources", "sources in one REFI-QDA project"),
    Limit("REFI_SOURCE_TEXT_MAX_BYTES", REFI_SOURCE_TEXT_MAX_BYTES, "bytes", "the text of one REFI-QDA source"),
    Limit("REFI_NOTE_TEXT_MAX_BYTES", REFI_NOTE_TEXT_MAX_BYTES, "bytes", "the text of one REFI-QDA note"),
)  # fmt: skip


def size(n: float) -> str:
    """A byte count as people read it: '64 MB', '1 GB', '512 KB'."""
    for unit, factor in (("GB", GB), ("MB", MB), ("KB", KB)):
        if n >= factor:
            value = n / factor
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{n:.0f} bytes"


def describe(limit: Limit) -> str:
    if limit.unit == "bytes":
        return size(limit.value)
    if limit.unit == "ratio":
        return f"{limit.value:g}:1"
    return f"{limit.value:,.0f} {limit.unit}"


def table() -> str:
    """The limits as a Markdown table (for the README)."""
    rows = ["| what | limit |", "| --- | --- |"]
    rows += [f"| {lim.applies_to} | {describe(lim)} |" for lim in LIMITS]
    return "\n".join(rows)
