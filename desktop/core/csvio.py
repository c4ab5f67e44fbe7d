"""CSV as Tessera writes and reads it.

Writing follows RFC 4180: comma-separated, fields quoted only when they must be
(QUOTE_MINIMAL), a quote inside a field doubled, records ended by CRLF. Newlines inside
a quoted field are kept as they are (LF, as stored), so a quote spanning paragraphs
comes back unchanged. Files are UTF-8 without a BOM unless ``excel`` asks for one:
Excel reads a BOM-less CSV in the machine's code page and garbles non-ASCII text.

A CSV meant for a spreadsheet (``excel``, or ``writer(..., spreadsheet=True)``) is also
safe to open: a text cell that a spreadsheet would read as a formula (it starts with
= + - @, a tab or a carriage return; OWASP's "CSV Injection") gets a leading apostrophe,
so a code name like ``=HYPERLINK(...)`` from someone else's file is shown, never run.
Numbers (``-0.25``) stay numbers. The plain CSV keeps every value exactly, for re-import;
the reader takes the apostrophe off again in files that start with a BOM (Tessera's
spreadsheet exports), so those read back as written too.

Reading accepts what people actually send: UTF-8 with or without a BOM, CRLF or LF,
and, failing UTF-8, Windows-1252 (with a warning). Problems with the file itself (not
text, a quote never closed, a missing column) raise CsvFormatError naming the file and
line; the reader hands out each record with the line it starts on, so that callers can
report problems with its values the same way."""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from desktop.core import wording
from desktop.core.atomic import atomic_write
from desktop.core.limits import CSV_FIELD_MAX_CHARS, CSV_LINE_MAX_CHARS

BOM = "\ufeff"
LINE_END = "\r\n"
# A coded passage can be a whole article: fields may be far longer than csv's 128 KiB,
# up to the limit that keeps the memory of an import bounded.
FIELD_LIMIT = CSV_FIELD_MAX_CHARS


class TesseraDialect(csv.Dialect):
    delimiter = ","
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    lineterminator = LINE_END
    quoting = csv.QUOTE_MINIMAL
    strict = True


class CsvFormatError(ValueError):
    """The file is not a CSV file we can read; str(exc) names the file and the line."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        where = f"{path}, line {line}" if line else str(path)
        super().__init__(f"{where}: {message}")
        self.path = Path(path)
        self.line = line
        self.reason = message


# -- writing ----------------------------------------------------------------------

# First characters that make Excel, LibreOffice or Google Sheets read a cell as a formula.
FORMULA_STARTS = frozenset("=+-@\t\r")
FORMULA_GUARD = "'"
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def spreadsheet_cell(value):
    """``value`` as a spreadsheet must show it: text that would start a formula gets a
    leading apostrophe (shown as text, never evaluated); numbers and other text are
    returned as they are. Text that already looks guarded gets one more apostrophe, so
    that ``unguard_cell`` always gives back exactly what was written."""
    if not isinstance(value, str) or not value:
        return value
    first = value[0]
    if (first in FORMULA_STARTS and not _NUMBER.fullmatch(value)) or (
        first == FORMULA_GUARD and value[1:2] in FORMULA_STARTS
    ):
        return FORMULA_GUARD + value
    return value


def unguard_cell(value: str) -> str:
    """The value ``spreadsheet_cell`` was given, from the text it wrote."""
    if value[:1] == FORMULA_GUARD and spreadsheet_cell(value[1:]) == value:
        return value[1:]
    return value


class SpreadsheetWriter:
    """A csv writer whose text cells are neutralised with ``spreadsheet_cell``."""

    def __init__(self, stream: IO[str]) -> None:
        self._writer = csv.writer(stream, dialect=TesseraDialect)
        self.dialect = self._writer.dialect

    def writerow(self, row) -> object:
        return self._writer.writerow([spreadsheet_cell(v) for v in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


class SpreadsheetStream:
    """A text stream meant for a spreadsheet: ``writer`` on it neutralises formulas.
    Everything else is the wrapped stream's."""

    spreadsheet = True

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(text)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def writer(stream: IO[str], *, spreadsheet: bool = False):
    """A csv writer for ``stream`` (opened with newline='' if it is a file). On a
    stream from ``open_output(..., excel=True)``, or with ``spreadsheet``, cells that a
    spreadsheet would run as formulas are neutralised (see ``spreadsheet_cell``)."""
    if spreadsheet or getattr(stream, "spreadsheet", False):
        return SpreadsheetWriter(stream)
    return csv.writer(stream, dialect=TesseraDialect)


@contextmanager
def open_output(out: Path | str | IO, *, excel: bool = False) -> Iterator[IO[str]]:
    """A text stream to write CSV (or any UTF-8 text) to.

    ``out`` may be a path (written to a temporary file beside it and moved into place
    on success, so a failed or cancelled export never leaves half a file), a binary
    stream (wrapped as UTF-8, nothing translated) or a text stream (written as it is;
    open files with newline='' so that CRLF stays CRLF). ``excel`` starts the output
    with a UTF-8 byte order mark and makes ``writer`` on it neutralise formulas."""
    if isinstance(out, str | os.PathLike):
        with atomic_write(out, "w", encoding="utf-8", newline="") as fh:
            if excel:
                fh.write(BOM)
            yield SpreadsheetStream(fh) if excel else fh
        return
    if isinstance(out, io.TextIOBase) or hasattr(out, "encoding"):
        if excel and not getattr(out, "spreadsheet", False):
            out.write(BOM)
            yield SpreadsheetStream(out)  # type: ignore[misc]
        else:
            yield out  # type: ignore[misc]
        out.flush()
        return
    wrapper = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)  # type: ignore[arg-type]
    try:
        if excel:
            wrapper.write(BOM)
        yield SpreadsheetStream(wrapper) if excel else wrapper  # type: ignore[misc]
        wrapper.flush()
    finally:
        wrapper.detach()


# -- reading ----------------------------------------------------------------------

_BINARY_MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a zip archive or an Office document (save it as CSV first)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document (save it as CSV first)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"SQLite format 3\x00", "an SQLite database (a Tessera project?)"),
)
_SAMPLE = 1 << 16
_CHUNK = 1 << 20
_CONTROLS_OK = frozenset("\t\n\r\f\v")


@dataclass
class Encoding:
    name: str  # the codec the file is read with
    bom: bool = False
    warnings: list[str] = field(default_factory=list)


def detect_encoding(path: Path) -> Encoding:
    """UTF-8 (BOM or not), UTF-16 with a BOM, or else the legacy code page it reads in
    (Windows-1252, -1251, GB18030...), with a warning that names it. Raises
    CsvFormatError for binary files and text in none of those."""
    with open(path, "rb") as fh:
        head = fh.read(_SAMPLE)
        for magic, kind in _BINARY_MAGIC:
            if head.startswith(magic):
                raise CsvFormatError(path, f"not a CSV file: it is {kind}")
        if head.startswith(codecs.BOM_UTF8):
            enc = Encoding("utf-8-sig", bom=True)
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return Encoding("utf-16", bom=True)  # Excel's "Unicode text"
        else:
            enc = Encoding("utf-8")
        if b"\x00" in head:
            raise CsvFormatError(path, _nul_message(head))
        # Whole-file strict UTF-8 check, incrementally: a bad byte may sit at the end.
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")("strict")
        offset = 0
        try:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
                offset += len(chunk)
            decoder.decode(b"", final=True)
            return enc
        except UnicodeDecodeError as exc:
            bad_at = offset + exc.start
    if enc.bom:
        raise CsvFormatError(
            path, f"the file starts with a UTF-8 mark but is not UTF-8 (byte {bad_at + 1})"
        )
    return _code_page(path, bad_at)


def _code_page(path: Path, bad_at: int) -> Encoding:
    """A CSV that is not UTF-8: a spreadsheet saved in the Windows code page of its
    language (Excel's "CSV"). The code page is guessed as for text files, from whole lines
    around the first byte that is not UTF-8, then the whole file is checked in it."""
    from desktop.core.importers.encoding import encoding_label, guess_code_page

    with open(path, "rb") as fh:
        fh.seek(max(0, bad_at - _SAMPLE // 2))
        sample = fh.read(_SAMPLE)
    start = 0 if bad_at <= _SAMPLE // 2 else sample.find(b"\n") + 1
    end = len(sample) if len(sample) < _SAMPLE else sample.rfind(b"\n") + 1
    decoded = guess_code_page(sample[start:end] if end > start else sample)
    if decoded is None:
        raise CsvFormatError(
            path, "the file is not UTF-8 and reads as no language's code page; save it as "
            "CSV UTF-8"
        )  # fmt: skip
    try:  # in pieces: the file may be large
        decoder = codecs.getincrementaldecoder(decoded.encoding)("strict")
        with open(path, "rb") as fh:
            first = decoder.decode(fh.read(_SAMPLE))
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise CsvFormatError(
            path, f"the file is neither UTF-8 nor {encoding_label(decoded.encoding)} text "
            f"({exc.reason}); save it as CSV UTF-8"
        ) from None  # fmt: skip
    if _looks_binary(first):
        raise CsvFormatError(path, "not a CSV file: it contains binary data")
    warning = (f"{path}: not UTF-8 (byte {bad_at + 1}); read as "
               f"{encoding_label(decoded.encoding)}")  # fmt: skip
    if decoded.alternative:
        warning += f", but unsure: it may be {encoding_label(decoded.alternative)}"
    return Encoding(decoded.encoding, warnings=[
        warning + ". Check the text, or save the file as 'CSV UTF-8'."
    ])  # fmt: skip


def _nul_message(head: bytes) -> str:
    """NUL bytes: UTF-16 saved without its byte order mark, or binary data."""
    even, odd = head[0::2], head[1::2]
    if len(head) >= 4 and (odd.count(0) > 0.9 * len(odd) or even.count(0) > 0.9 * len(even)):
        return "the file looks like UTF-16 text without a byte order mark; save it as 'CSV UTF-8'"
    return "not a CSV file: it contains binary data"


def _looks_binary(text: str) -> bool:
    sample = text[:_SAMPLE]
    bad = sum(
        1 for ch in sample if ch not in _CONTROLS_OK and unicodedata.category(ch) in ("Cc", "Cs")
    )
    return bool(sample) and bad / len(sample) > 0.001


def _delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


class _LineTooLong(Exception):
    """A physical line past CSV_LINE_MAX_CHARS."""


class CsvReader:
    """Records of a CSV file with a header row.

    ``header`` holds the column names as written (stripped); ``index(name)`` finds one
    case-insensitively. Iterating yields ``(line, values)`` with the line the record
    starts on; empty lines are skipped. Use as a context manager."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            self.encoding = detect_encoding(self.path)
        except OSError as exc:
            raise CsvFormatError(self.path, f"cannot be read ({exc.strerror or exc})") from exc
        self.warnings = list(self.encoding.warnings)
        # A UTF-8 BOM marks a spreadsheet export: its formula guards come off again.
        self._unguard = self.encoding.name == "utf-8-sig"
        # Held open while records are read; closed by close() or the with block.
        self._fh = open(self.path, encoding=self.encoding.name, newline="")  # noqa: SIM115
        self._old_limit: int | None = csv.field_size_limit(FIELD_LIMIT)
        # Spreadsheets in many locales (de, fr, ...) save CSV with semicolons; tabs come
        # from copy and paste. The header row tells which.
        self.delimiter = _delimiter(self._fh.readline(CSV_LINE_MAX_CHARS))
        self._fh.seek(0)
        # A file no longer than the line cap cannot hold a line over it: read it with the
        # file's own (C) line iterator; a bigger one line by line with a capped readline.
        small = self.path.stat().st_size <= CSV_LINE_MAX_CHARS
        lines = self._fh if small else self._lines()
        self._reader = csv.reader(lines, dialect=TesseraDialect, delimiter=self.delimiter)
        header = next(iter(self), None)
        if header is None:
            self.close()
            raise CsvFormatError(self.path, "the file is empty (a header row is needed)")
        self.header_line, values = header
        self.header = [v.strip() for v in values]
        if self.header and self.header[0].startswith(BOM):  # a BOM after a UTF-16 one, or doubled
            self.header[0] = self.header[0].lstrip(BOM).strip()
        self._index = {}
        for i, name in enumerate(self.header):
            key = name.casefold()
            if key in self._index and name:
                self.close()
                raise CsvFormatError(
                    self.path, f"the column {name!r} appears twice", self.header_line
                )
            self._index.setdefault(key, i)

    def _lines(self) -> Iterator[str]:
        """The file's lines, each read with a size cap so that one enormous line never
        sits in memory whole."""
        while line := self._fh.readline(CSV_LINE_MAX_CHARS + 1):
            if len(line) > CSV_LINE_MAX_CHARS:
                raise _LineTooLong
            yield line

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        reader = self._reader
        while True:
            start = reader.line_num + 1  # the previous record ended on line_num
            try:
                values = next(reader)
            except StopIteration:
                return
            except _LineTooLong:
                self.close()
                raise CsvFormatError(
                    self.path,
                    f"the line is longer than {CSV_LINE_MAX_CHARS:,} characters (the limit)",
                    reader.line_num + 1,
                ) from None
            except csv.Error as exc:
                self.close()
                raise self._format_error(str(exc), start) from None
            except UnicodeDecodeError as exc:  # only if the file changed under us
                self.close()
                raise CsvFormatError(self.path, f"cannot be decoded ({exc.reason})") from None
            if any(values):  # skip empty lines and lines of bare commas
                if self._unguard:
                    values = [unguard_cell(v) for v in values]
                yield start, values

    def _format_error(self, message: str, start: int) -> CsvFormatError:
        if "field larger than field limit" in message:
            return CsvFormatError(
                self.path,
                f"a value starting on this line is longer than {CSV_FIELD_MAX_CHARS:,} "
                'characters (the limit), or a quoted value is never closed (a missing ")',
                start,
            )
        if "unexpected end of data" in message:
            return CsvFormatError(
                self.path,
                'a quoted value starting on this line is never closed (a missing ")',
                start,
            )
        if "expected after" in message:
            return CsvFormatError(
                self.path,
                'a quoted value is followed by other characters; inside quotes write a " as ""',
                self._reader.line_num,
            )
        if "NUL" in message:
            return CsvFormatError(self.path, "not a CSV file: it contains binary data", self.line)
        return CsvFormatError(self.path, f"malformed CSV ({message})", self.line)

    def index(self, name: str) -> int | None:
        return self._index.get(name.casefold())

    def require(self, *names: str) -> None:
        missing = [n for n in names if self.index(n) is None]
        if missing:
            found = ", ".join(repr(h) for h in self.header if h) or "none"
            raise CsvFormatError(
                self.path,
                f"missing required {wording.plural(len(missing), 'column')}: {', '.join(missing)} (the header row has {found})",
                self.header_line,
            )

    @property
    def line(self) -> int:
        """Physical lines read so far (for progress)."""
        return self._reader.line_num

    def close(self) -> None:
        self._fh.close()
        if self._old_limit is not None:
            csv.field_size_limit(self._old_limit)
            self._old_limit = None

    def __enter__(self) -> CsvReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def count_lines(path: Path | str) -> int:
    """Physical lines in a file (an upper bound of its records), for progress bars."""
    n = 0
    last = b"\n"
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            n += chunk.count(b"\n")
            last = chunk[-1:]
    return n + (last != b"\n")
