"""Text normalisation, done once at import; after it a document's text never changes."""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Presentation forms that PDF producers emit for typographic ligatures.
LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
_LIGATURE_TABLE = str.maketrans(LIGATURES)


def normalise(text: str) -> str:
    """BOM stripped, CRLF and CR turned into LF, ligatures expanded, NUL removed.

    Unicode normalisation (NFC) is deliberately *not* applied: it would shift the
    offsets of codings made by other tools on the same text."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_LIGATURE_TABLE)
    return text.replace("\x00", "")


def sha256_text(text: str) -> str:
    """The identity of a document's text across coders' files (UTF-8 bytes)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_word_char(ch: str) -> bool:
    """A letter, digit or combining mark (or an in-word apostrophe or hyphen): a quick
    per-character test for heuristics such as guessing an offset unit. Where words are
    cut for a user (selection, units, counts), use ``desktop.core.segmentation``, which
    knows marks, emoji sequences and dictionary words in scripts without spaces."""
    cat = unicodedata.category(ch)
    return cat[0] in "LNM" or ch in "_'’-"


def starts_right_to_left(text: str) -> bool:
    """The text's first strong letter is right-to-left (Hebrew, Arabic, ...): the
    direction a reader expects it aligned to, as Unicode's bidi algorithm (rule P2)
    takes a paragraph's direction from it."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


# what XML 1.0 cannot carry: C0 controls but tab, LF and CR (and DEL), lone surrogates,
# and the noncharacters U+FFFE and U+FFFF
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry (C0 controls but tab, LF, CR;
    lone surrogates; U+FFFE and U+FFFF): what REFI-QDA files and Word documents can hold."""
    return _NOT_XML.sub("", text)
