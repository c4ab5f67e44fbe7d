"""Turning the bytes of a text file into str: BOMs, UTF-8, and the Windows code pages.

Detectors (charset-normalizer included) cannot tell related single-byte code pages
apart on short texts: for a Word-made Windows-1252 file they may answer cp1250,
cp1257 or mac_turkish with the same confidence. So we decide in this order:
BOM, then strict UTF-8, then the detector if it finds a non-Latin script (Cyrillic,
Greek, CJK, ...), and otherwise the Latin code page whose decoding reads least oddly,
with Windows-1252 winning ties (latin-1 never does: it turns Word's curly quotes and
dashes at 0x80-0x9F into invisible C1 control characters)."""

from __future__ import annotations

import codecs
import unicodedata

from desktop.core.importers.base import ImportFailure

NOT_TEXT = "the file is not text (it looks like binary data)"

_BOMS = (  # UTF-32 before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Signatures of binary formats people rename or mis-save as .txt; named in the message.
_MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a zip archive or an Office document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document (.doc/.xls)"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
    (b"SQLite format 3\x00", "an SQLite database"),
)

# Latin-script code pages that detectors confuse, in order of preference on a tie.
_LATIN_CANDIDATES = ("cp1252", "cp1250", "iso8859_15", "mac_roman", "latin_1")
_TIE = 0.02
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")


def binary_kind(data: bytes) -> str | None:
    """What binary format the bytes look like, or None if they may be text."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    return None


def _looks_binary(text: str) -> bool:
    """Control characters (other than tab, newlines, form feed) mean binary data."""
    sample = text[:65536]
    if not sample:
        return False
    controls = sum(
        1
        for ch in sample
        if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) in ("Cc", "Cs", "Co")
    )
    return controls / len(sample) > 0.005


def _not_text(data: bytes) -> ImportFailure:
    kind = binary_kind(data)
    if kind:
        return ImportFailure(f"{NOT_TEXT[:-1]}: {kind})")
    return ImportFailure(NOT_TEXT)


def _mess(text: str) -> float:
    from charset_normalizer.md import mess_ratio

    return mess_ratio(text[:200_000], 1.0)


def _is_mostly_non_latin(text: str) -> bool:
    letters = [ch for ch in text if ord(ch) > 0x7F and ch.isalpha()]
    if not letters:
        return False
    latin = sum(1 for ch in letters if unicodedata.name(ch, "").startswith("LATIN"))
    return latin / len(letters) < 0.5


def detect_decode(data: bytes) -> tuple[str, str]:
    """Decode bytes of a text file; returns (text, encoding name).

    Raises ImportFailure if the bytes are binary data rather than text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError:
                raise _not_text(data) from None
            if _looks_binary(text):
                raise _not_text(data)
            return text, encoding

    if binary_kind(data) or b"\x00" in data[:65536]:
        raise _not_text(data)

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if _looks_binary(text):
            raise _not_text(data)
        return text, "utf-8"

    return _decode_legacy(data)


def _decode_legacy(data: bytes) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding not in _LATIN_CANDIDATES:
        try:
            text = data.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            text = ""
        if text and _is_mostly_non_latin(text) and not _looks_binary(text):
            return text, best.encoding

    scored: list[tuple[float, int, str, str]] = []
    for rank, encoding in enumerate(_LATIN_CANDIDATES):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            continue
        scored.append((_mess(text), rank, encoding, text))
    if not scored:
        raise _not_text(data)
    lowest = min(score for score, *_ in scored)
    if lowest >= 0.5 and best is None:
        # Nothing reads like language in any Western code page, and the detector
        # found nothing else either: random bytes.
        raise _not_text(data)
    _, _, encoding, text = min(
        (item for item in scored if item[0] <= lowest + _TIE), key=lambda item: item[1]
    )
    return text, encoding


_LABELS = {
    "cp1252": "Windows-1252 (Western European)",
    "cp1250": "Windows-1250 (Central European)",
    "cp1251": "Windows-1251 (Cyrillic)",
    "iso8859_15": "ISO-8859-15 (Western European)",
    "latin_1": "ISO-8859-1 (Latin-1)",
    "mac_roman": "Mac Roman",
}


def encoding_label(encoding: str) -> str:
    return _LABELS.get(encoding, encoding)
