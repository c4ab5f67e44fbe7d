"""Reading files that come from outside (REFI-QDA, docx, odt, ...) without trusting them.

Every importer that opens XML or a zip archive goes through here, so that the rules
are written once:

- XML: no DTD loading, no external entities, no network, no entity expansion. A document
  whose DOCTYPE *declares* entities is refused outright (that is the billion-laughs and
  XXE shape; no file format we read needs entities). libxml2's own limits (depth,
  text-node size, amplification) stay on (``huge_tree=False``).
- Zip: the central directory is checked before anything is read: member count, total
  declared size, compression ratio, member names (no absolute paths, no ``..``, no
  duplicates). Members are then read as streams that stop one byte past their cap, so
  a lying ``file_size`` in the directory gets no further than the cap.

Errors are :class:`RejectedFileError` subclasses carrying the file name (``source``) so
that callers can wrap them into their own error type with a message a user can act on.
"""

from __future__ import annotations

import os
import re
import stat
import weakref
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from lxml import etree

from desktop.core import limits
from desktop.core.limits import MB, XML_MAX_BYTES


class RejectedFileError(Exception):
    """A file that is not read, with the reason. ``source`` names the file (and member)."""

    def __init__(self, message: str, *, source: str = "") -> None:
        super().__init__(f"{source}: {message}" if source else message)
        self.source = source
        self.reason = message


class MalformedFileError(RejectedFileError):
    """Not what it claims to be: not XML, not well-formed, not a zip, a corrupt member."""

    def __init__(
        self, message: str, *, source: str = "", line: int | None = None, column: int | None = None
    ) -> None:
        where = f"line {line}" if line else ""
        if line and column:
            where += f", column {column}"
        super().__init__(f"{where}: {message}" if where else message, source=source)
        self.line = line
        self.column = column


class UnsafeFileError(RejectedFileError):
    """Refused because reading it could harm: entities, path traversal, decompression bombs,
    sizes past a limit."""


# ---------------------------------------------------------------------------- XML


def hardened_xml_parser() -> etree.XMLParser:
    """A new lxml parser that loads nothing from outside and expands no entities.

    lxml parsers are not shareable across threads, hence a new one per call."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        # Not collect_ids=False: with lxml 6.0 / libxml2 2.14 that option makes the parser
        # read the external DTD subset (a local file) despite load_dtd=False.
    )


# "<!ENTITY" in the encodings an XML file can start in without a declaration.
_ENTITY_MARKERS = tuple(
    "<!ENTITY".encode(enc) for enc in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
)


def parse_xml_bytes(
    data: bytes, *, source: str, max_bytes: int = XML_MAX_BYTES
) -> etree._ElementTree:
    """Parse untrusted XML. Raises MalformedFileError (with line and column when the
    parser knows them) or UnsafeFileError; never resolves or expands an entity."""
    if len(data) > max_bytes:
        raise UnsafeFileError(
            f"XML document of {len(data):,} bytes is larger than the limit of {max_bytes:,}",
            source=source,
        )
    # Checked before parsing so that no entity is ever expanded, whatever the libxml2
    # version's own amplification guard does. A literal "<!ENTITY" can only occur
    # outside a DOCTYPE inside a comment or CDATA section; refusing those is acceptable.
    if any(marker in data for marker in _ENTITY_MARKERS):
        raise UnsafeFileError(
            "the document declares XML entities (<!ENTITY ...>); such files are refused "
            "because entities can read local files or expand without bound",
            source=source,
        )
    if not data.strip():
        raise MalformedFileError("the file is empty, not an XML document", source=source)
    try:
        root = etree.fromstring(data, hardened_xml_parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno, None)
        message = exc.msg or str(exc)
        # lxml appends "(<string>, line N)" to its messages; the position is given separately.
        message = re.sub(r",? ?\(<string>, line \d+\)$", "", message)
        message = re.sub(r", line \d+, column \d+$", "", message)
        raise MalformedFileError(
            f"not well-formed XML: {message}", source=source, line=line, column=column
        ) from exc
    except ValueError as exc:  # e.g. an unsupported encoding declaration
        raise MalformedFileError(f"cannot be parsed as XML: {exc}", source=source) from exc
    tree = root.getroottree()
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise UnsafeFileError("the document declares XML entities", source=source)
    return tree


class _GuardedXmlStream:
    """A binary stream handed to lxml's incremental parser: it refuses entity
    declarations wherever they appear (as parse_xml_bytes does, chunk by chunk) and stops
    one byte past ``max_bytes``."""

    _OVERLAP = max(len(m) for m in _ENTITY_MARKERS) - 1

    def __init__(self, fh: BinaryIO, *, source: str, max_bytes: int) -> None:
        self.fh = fh
        self.source = source
        self.max_bytes = max_bytes
        self.count = 0
        self.blank = True  # nothing but whitespace read so far
        self._tail = b""

    def read(self, n: int = -1) -> bytes:
        size = 64 * 1024 if n is None or n < 0 else n
        data = self.fh.read(min(size, self.max_bytes + 1 - self.count))
        self.count += len(data)
        if self.count > self.max_bytes:
            raise UnsafeFileError(
                f"XML document larger than the limit of {self.max_bytes:,} bytes",
                source=self.source,
            )
        window = self._tail + data
        if any(marker in window for marker in _ENTITY_MARKERS):
            raise UnsafeFileError(
                "the document declares XML entities (<!ENTITY ...>); such files are refused "
                "because entities can read local files or expand without bound",
                source=self.source,
            )
        self._tail = window[-self._OVERLAP :]
        if self.blank and data.strip():
            self.blank = False
        return data


def iterparse_xml(
    fh: BinaryIO, *, source: str, max_bytes: int = XML_MAX_BYTES
) -> Iterator[tuple[str, etree._Element]]:
    """("start" | "end", element) events of untrusted XML read incrementally from ``fh``,
    under the rules of parse_xml_bytes (no entity declared, expanded or loaded, nothing
    from the network, at most ``max_bytes``). The caller clears what it has read, so a
    document of any size needs the memory of the elements it keeps.

    Raises MalformedFileError (with line and column) or UnsafeFileError."""
    guarded = _GuardedXmlStream(fh, source=source, max_bytes=max_bytes)
    events = etree.iterparse(
        guarded, events=("start", "end"), resolve_entities=False, no_network=True,
        load_dtd=False, dtd_validation=False, huge_tree=False, remove_comments=True,
        remove_pis=True,
    )  # fmt: skip
    try:
        yield from events
    except etree.XMLSyntaxError as exc:
        if guarded.blank:
            raise MalformedFileError(
                "the file is empty, not an XML document", source=source
            ) from exc
        line, column = exc.position if exc.position else (exc.lineno, None)
        message = re.sub(r",? ?\(<string>, line \d+\)$", "", exc.msg or str(exc))
        message = re.sub(r",? line \d+, column \d+$", "", message)
        raise MalformedFileError(
            f"not well-formed XML: {message}", source=source, line=line or None, column=column
        ) from exc
    except ValueError as exc:  # e.g. an unsupported encoding declaration
        raise MalformedFileError(f"cannot be parsed as XML: {exc}", source=source) from exc
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:  # a corrupt archive member
        raise MalformedFileError(f"cannot be read from the archive ({exc})", source=source) from exc


def parse_xml_file(path: Path, *, max_bytes: int = XML_MAX_BYTES) -> etree._ElementTree:
    """parse_xml_bytes over a file, read with a size cap."""
    return parse_xml_bytes(read_file_capped(path, max_bytes), source=str(path), max_bytes=max_bytes)


def read_file_capped(path: Path, limit: int) -> bytes:
    """The bytes of a file, refusing files larger than ``limit`` (checked while reading,
    so a file that grows or a special file cannot bypass it)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise RejectedFileError(f"cannot be read: {exc.strerror or exc}", source=str(path)) from exc
    if len(data) > limit:
        raise UnsafeFileError(f"larger than the limit of {limit:,} bytes", source=str(path))
    return data


# ---------------------------------------------------------------------------- zip


@dataclass(frozen=True)
class ZipLimits:
    """What a sane archive looks like (the defaults are in desktop.core.limits). They
    admit a REFI export of 100,000 documents; anything beyond is refused before
    extraction. Bombs are caught by size and ratio, not by counting members."""

    max_members: int = limits.ARCHIVE_MEMBERS_MAX
    max_total_size: int = limits.ARCHIVE_TOTAL_MAX_BYTES  # sum of the declared sizes
    max_member_size: int = limits.ARCHIVE_MEMBER_MAX_BYTES
    # A member, or the whole archive, that declares more than max_ratio times its
    # compressed size (and is larger than ratio_floor, so that tiny members of repeated
    # bytes pass) is a bomb.
    max_ratio: float = limits.ARCHIVE_MAX_RATIO
    ratio_floor: int = limits.ARCHIVE_RATIO_FLOOR_BYTES


DEFAULT_ZIP_LIMITS = ZipLimits()

_DRIVE = re.compile(r"^[A-Za-z]:")


def member_name_problem(name: str) -> str | None:
    """Why a zip member name is unsafe to use as a relative path, or None if it is safe."""
    if not name:
        return "empty member name"
    if "\x00" in name:
        return "member name contains a NUL character"
    unified = name.replace("\\", "/")
    if unified.startswith("/") or _DRIVE.match(unified):
        return "absolute member path"
    if any(part == ".." for part in unified.split("/")):
        return "member path goes up a folder ('..')"
    return None


def check_zip(zf: zipfile.ZipFile, *, source: str, limits: ZipLimits = DEFAULT_ZIP_LIMITS) -> None:
    """Refuse an archive whose directory breaks the limits or holds unsafe names."""
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise UnsafeFileError(
            f"the archive has {len(infos):,} members, more than the limit of {limits.max_members:,}",
            source=source,
        )
    total = packed = 0
    seen: set[str] = set()
    for info in infos:
        problem = member_name_problem(info.filename)
        if problem:
            raise UnsafeFileError(f"{problem}: {info.filename!r}", source=source)
        if info.filename in seen:
            raise UnsafeFileError(
                f"the archive holds two members named {info.filename!r}", source=source
            )
        seen.add(info.filename)
        if info.file_size > limits.max_member_size:
            raise UnsafeFileError(
                f"member {info.filename!r} declares {info.file_size:,} bytes, more than the "
                f"limit of {limits.max_member_size:,}",
                source=source,
            )
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise UnsafeFileError(
                f"member {info.filename!r} expands {info.file_size / max(info.compress_size, 1):,.0f} "
                f"times, more than the limit of {limits.max_ratio:g}: refused as a "
                "decompression bomb",
                source=source,
            )
        total += info.file_size
        packed += info.compress_size
    if total > limits.max_total_size:
        raise UnsafeFileError(
            f"the archive would expand to {total:,} bytes, more than the limit of "
            f"{limits.max_total_size:,}",
            source=source,
        )
    # Many members, each under the floor, can add up to a bomb too.
    if total > limits.ratio_floor and total > limits.max_ratio * max(packed, 1):
        raise UnsafeFileError(
            f"the archive expands {total / max(packed, 1):,.0f} times, more than the limit "
            f"of {limits.max_ratio:g}: refused as a decompression bomb",
            source=source,
        )


def open_zip(path: Path | BinaryIO, *, limits: ZipLimits = DEFAULT_ZIP_LIMITS) -> zipfile.ZipFile:
    """Open an untrusted zip archive for reading, after checking its directory.

    Use as a context manager. Raises MalformedFileError if it is not a zip and
    UnsafeFileError if check_zip refuses it."""
    source = str(path) if isinstance(path, (str, os.PathLike)) else getattr(path, "name", "<zip>")
    try:
        zf = zipfile.ZipFile(path, "r")
    except zipfile.BadZipFile as exc:
        raise MalformedFileError(f"not a zip archive ({exc})", source=source) from exc
    except OSError as exc:
        raise RejectedFileError(f"cannot be read: {exc.strerror or exc}", source=source) from exc
    try:
        check_zip(zf, source=source, limits=limits)
    except BaseException:
        zf.close()
        raise
    return zf


def _zip_source(zf: zipfile.ZipFile, name: str) -> str:
    return f"{zf.filename or '<zip>'}!{name}"


def find_member(zf: zipfile.ZipFile, name: str) -> zipfile.ZipInfo | None:
    """The member called ``name`` (a path inside the archive), compared case-insensitively
    and with "\\" taken as "/": tools disagree on "Sources/" vs "sources/". Two members
    that match only case-insensitively and not exactly are ambiguous and refused."""
    try:
        return zf.getinfo(name)
    except KeyError:
        pass
    index = _FOLDED.get(zf)
    if index is None or index[0] != len(zf.filelist):
        folded: dict[str, list[zipfile.ZipInfo]] = {}
        for info in zf.infolist():
            folded.setdefault(info.filename.replace("\\", "/").casefold(), []).append(info)
        index = _FOLDED[zf] = (len(zf.filelist), folded)
    matches = index[1].get(name.replace("\\", "/").casefold(), [])
    if len(matches) > 1:
        names = ", ".join(repr(i.filename) for i in matches)
        raise UnsafeFileError(f"ambiguous members {names}", source=zf.filename or "<zip>")
    return matches[0] if matches else None


#: {archive: (members when indexed, {folded name: members})}: find_member looks a name up
#: in constant time, so reading one member per source stays linear in the sources.
_FOLDED: weakref.WeakKeyDictionary[
    zipfile.ZipFile, tuple[int, dict[str, list[zipfile.ZipInfo]]]
] = weakref.WeakKeyDictionary()


def read_member(
    zf: zipfile.ZipFile,
    member: str | zipfile.ZipInfo,
    limit: int = DEFAULT_ZIP_LIMITS.max_member_size,
) -> bytes:
    """The bytes of one member, decompressing at most ``limit`` + 1 bytes whatever its
    directory entry claims. Raises UnsafeFileError past the limit and MalformedFileError
    for a corrupt, encrypted or missing member."""
    source = _zip_source(zf, member.filename if isinstance(member, zipfile.ZipInfo) else member)
    with open_member(zf, member) as fh:
        try:
            data = fh.read(limit + 1)
        except _ZIP_READ_ERRORS as exc:
            raise MalformedFileError(
                f"cannot be read from the archive ({exc})", source=source
            ) from exc
    if len(data) > limit:
        raise UnsafeFileError(f"decompresses past the limit of {limit:,} bytes", source=source)
    return data


# RuntimeError: an encrypted member; NotImplementedError: an unknown compression
_ZIP_READ_ERRORS = (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, OSError,
                    EOFError)  # fmt: skip


def open_member(zf: zipfile.ZipFile, member: str | zipfile.ZipInfo) -> BinaryIO:
    """One member opened for reading as a stream (for iterparse_xml, which caps what it
    reads). Raises MalformedFileError for a corrupt, encrypted or missing member."""
    name = member.filename if isinstance(member, zipfile.ZipInfo) else member
    source = _zip_source(zf, name)
    problem = member_name_problem(name)
    if problem:
        raise UnsafeFileError(problem, source=source)
    try:
        return zf.open(member, "r")
    except KeyError as exc:
        raise MalformedFileError("no such member in the archive", source=source) from exc
    except _ZIP_READ_ERRORS as exc:
        raise MalformedFileError(f"cannot be read from the archive ({exc})", source=source) from exc


def safe_member_path(root: Path, name: str) -> Path:
    """Where member ``name`` may be extracted under folder ``root``; raises UnsafeFileError
    for a name that would land outside it (zip-slip), including via a symlink in root."""
    problem = member_name_problem(name)
    if problem:
        raise UnsafeFileError(f"{problem}: {name!r}", source=str(root))
    parts = [p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("", ".")]
    if not parts:
        raise UnsafeFileError(f"member name {name!r} names no file", source=str(root))
    base = root.resolve()
    target = base.joinpath(*parts)
    if not target.resolve().is_relative_to(base):
        raise UnsafeFileError(f"member {name!r} would be written outside {root}", source=str(root))
    return target


def extract_member(
    zf: zipfile.ZipFile,
    member: str | zipfile.ZipInfo,
    root: Path,
    limit: int = DEFAULT_ZIP_LIMITS.max_member_size,
) -> Path:
    """Extract one member under ``root`` (streamed, capped at ``limit`` bytes) and return
    its path. Symlink members and names outside root are refused; on refusal nothing is
    left behind."""
    info = member if isinstance(member, zipfile.ZipInfo) else zf.getinfo(member)
    source = _zip_source(zf, info.filename)
    if stat.S_ISLNK(info.external_attr >> 16):
        raise UnsafeFileError("symbolic link members are refused", source=source)
    target = safe_member_path(root, info.filename)
    if info.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    try:
        with zf.open(info, "r") as src, open(target, "wb") as dst:
            while chunk := src.read(min(1 * MB, limit + 1 - written)):
                written += len(chunk)
                if written > limit:
                    raise UnsafeFileError(
                        f"decompresses past the limit of {limit:,} bytes", source=source
                    )
                dst.write(chunk)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError) as exc:
        target.unlink(missing_ok=True)
        raise MalformedFileError(f"cannot be read from the archive ({exc})", source=source) from exc
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


__all__ = [
    "DEFAULT_ZIP_LIMITS",
    "XML_MAX_BYTES",
    "MalformedFileError",
    "RejectedFileError",
    "UnsafeFileError",
    "ZipLimits",
    "check_zip",
    "extract_member",
    "find_member",
    "hardened_xml_parser",
    "iterparse_xml",
    "member_name_problem",
    "open_member",
    "open_zip",
    "parse_xml_bytes",
    "parse_xml_file",
    "read_file_capped",
    "read_member",
    "safe_member_path",
]
