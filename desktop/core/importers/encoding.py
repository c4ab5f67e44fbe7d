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
import re
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
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "a program"),
    (b"SQLite format 3\x00", "an SQLite database"),
)

# Latin-script code pages that detectors confuse, in order of preference on a tie.
# Mac Roman (extinct since Mac OS X wrote UTF-8) and Latin-1 only come into play when
# none of these decodes: dashes and quotes alone make Windows-1252 text "read better"
# as Mac Roman letters, and Latin-1 is Windows-1252 with C1 controls for its symbols.
_LATIN_CANDIDATES = ("cp1252", "cp1250", "iso8859_15")
_LATIN_FALLBACKS = ("mac_roman", "latin_1")
_IN_WORD = frozenset("’‘·\u2010\u2011\u00ad")  # it’s, l’école, col·lecció, hyphens
_EDGE_PUNCTUATION = ".,;:!?()[]{}\"'«»‹›“”„‘’‚–—…-*_/"
_FEW = 4
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
    # Random bytes are ~12% controls; a stray one or two in a real text are not binary.
    return controls > 2 and controls / len(sample) > 0.005


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


_WORD = re.compile(r"[^\W\d_]+")


def _odd_words(text: str) -> int:
    """How many words have a symbol or control character stuck inside them, as a wrong
    Latin code page makes: Polish 'gęślą' read as Windows-1252 is 'gêœl¹', 'Zażółć' is
    'Za¿ó³æ'; Word's 'it’s' read as Latin-9 is 'it\\x92s'. (A count, not a share: every
    candidate decodes the same bytes, and a share would depend on how many words each
    decoding leaves accented.)"""
    odd = 0
    for token in text[:200_000].split():
        core = token.strip(_EDGE_PUNCTUATION)
        if core.isascii():
            continue
        if any(
            not ch.isascii() and ch not in _IN_WORD and unicodedata.category(ch)[0] not in "LM"
            for ch in core[1:-1]
        ):
            odd += 1
    return odd


def _reads_as_foreign_words(text: str) -> bool:
    """Does a non-Latin decoding give words, not stray letters or half-Latin words?

    A wrong code page turns dashes into lone letters ('– –' -> 'Ц Ц') and accented
    letters into foreign ones inside Latin words ('café' -> 'cafщ'); real Cyrillic or
    Greek text has words of its own script (CJK words are single long runs)."""
    mixed = foreign = 0
    for word in _WORD.findall(text[:100_000]):
        if any(ord(ch) > 0x7F and not unicodedata.name(ch, "").startswith("LATIN") for ch in word):
            if any(ch.isascii() for ch in word):
                mixed += 1
            elif len(word) >= 2:
                foreign += 1
    return foreign >= 2 and mixed * 5 <= foreign


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
    other: tuple[str, str] | None = None
    # UTF-16/32 without a BOM would have NUL bytes in any ASCII text (refused above as
    # binary); a detector's guess of them here is noise.
    if (
        best is not None
        and best.encoding not in _LATIN_CANDIDATES + _LATIN_FALLBACKS
        and not best.encoding.startswith("utf")
    ):
        try:
            text = data.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            text = ""
        letters = sum(1 for ch in text if ord(ch) > 0x7F and ch.isalpha())
        if (
            letters >= 4
            and _is_mostly_non_latin(text)
            and _reads_as_foreign_words(text)
            and not _looks_binary(text)
        ):
            other = (text, best.encoding)

    scored: list[tuple[int, int, str, str]] = []
    for rank, encoding in enumerate(_LATIN_CANDIDATES):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            continue
        scored.append((_odd_words(text), rank, encoding, text))
    # A non-Latin script (Cyrillic, Greek, CJK...) only if there is enough of it and a
    # Western reading is clearly worse: on a few bytes a detector calls "aÀa" Chinese.
    if other is not None and (not scored or _mess(other[0]) + 0.1 < _mess(scored[0][3])):
        return other
    if not scored:
        for encoding in _LATIN_FALLBACKS:
            text = data.decode(encoding)
            if not _looks_binary(text):
                return text, encoding
        raise _not_text(data)
    if sum(1 for b in data if b > 0x7F) < _FEW:
        # A handful of accented letters or dashes: too little for any measure to
        # weigh, so the most common code page that decodes them.
        _, _, encoding, text = min(scored, key=lambda item: item[1])
        return text, encoding
    # Fewest odd words; among equals, the most common code page.
    _, _, encoding, text = min(scored)
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
