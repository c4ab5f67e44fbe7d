"""Unicode text segmentation: grapheme clusters, words and sentences (UAX #29), by ICU.

One module cuts text for the whole application (selection snapping, agreement units,
word counts), so that every script is cut the same way: a base letter keeps its
combining marks, an emoji ZWJ sequence or a flag is one cluster, Chinese, Japanese,
Thai, Lao, Khmer and Burmese are split into dictionary words, and sentences end at
every UAX #29 terminator ("." "?" "!" "؟" "۔" "。" "！" "？" "।" "॥" ...).

Offsets are Python ``str`` indices (code points), half-open. ICU counts UTF-16 code
units: the conversion is one ``searchsorted`` over the positions of the characters
outside the Basic Multilingual Plane, and nothing at all for a text without any.
Whole-text functions return ``(n, 2)`` int64 numpy arrays of ``[start, end)`` and
never loop over characters in Python; the snapping helpers look only at the line
around the position they are given, so they cost the same in a 5 MB document.
"""

from __future__ import annotations

import functools
import re
import threading

import icu
import numpy as np

ICU_VERSION = icu.ICU_VERSION
# A word can not be longer than this for snapping: the helpers segment this many
# characters either side of a position (within its line), not the whole document.
_WINDOW = 256
_KINDS = {
    "grapheme": icu.BreakIterator.createCharacterInstance,
    "word": icu.BreakIterator.createWordInstance,
    "sentence": icu.BreakIterator.createSentenceInstance,
}
_local = threading.local()  # break iterators keep the text they walk: one set per thread


def _iterator(kind: str, locale: str):
    """A break iterator of ``kind`` for ``locale`` ("" = root rules, which already use
    the dictionaries for Chinese, Japanese, Thai, Lao, Khmer and Burmese), made once
    per thread."""
    cache = getattr(_local, "iterators", None)
    if cache is None:
        cache = _local.iterators = {}
    key = (kind, locale)
    it = cache.get(key)
    if it is None:
        loc = icu.Locale(locale) if locale else icu.Locale.getRoot()
        it = cache[key] = _KINDS[kind](loc)
    return it


class _Units:
    """The text's code points, and the way from ICU's UTF-16 positions to them."""

    __slots__ = ("astral", "cps")

    def __init__(self, text: str) -> None:
        self.cps = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
        astral = np.flatnonzero(self.cps > 0xFFFF) if not text.isascii() else ()
        # UTF-16 positions where a surrogate pair (one code point, two units) starts
        self.astral = astral + np.arange(len(astral)) if len(astral) else None

    def to_cp(self, positions: np.ndarray) -> np.ndarray:
        if self.astral is None:  # only BMP characters: the offsets agree
            return positions
        return positions - np.searchsorted(self.astral, positions, side="left")


def _boundaries(text: str, kind: str, locale: str = "") -> np.ndarray:
    """ICU's boundaries of ``kind`` in UTF-16 units, 0 and the end included."""
    it = _iterator(kind, locale)
    it.setText(text)
    out = np.fromiter(it, dtype=np.int64)  # every boundary after the first (0)
    it.setText("")  # do not keep a large document alive in the cache
    return np.concatenate(([0], out))


def one_cluster_per_code_point(text: str) -> bool:
    """True when every code point of ``text`` is a grapheme cluster of its own: nothing
    below U+0300 extends a cluster (combining marks, ZWJ, emoji modifiers, Indic and
    Hangul joiners all lie above), and CR LF is the one pair that joins. Most of a news
    corpus (English, French or Spanish in precomposed form) passes, and skips ICU."""
    if text.isascii():
        return "\r\n" not in text
    return _JOINS.search(text) is None


_JOINS = re.compile("[^\x00-\u02ff]|\r\n")  # what can join code points into one cluster


def _segments(text: str, kind: str, locale: str) -> tuple[_Units, np.ndarray, np.ndarray]:
    """The text's code points, and the starts and ends of its segments in code points."""
    u = _Units(text)
    if kind == "grapheme" and one_cluster_per_code_point(text):
        starts = np.arange(len(text), dtype=np.int64)
        return u, starts, starts + 1
    b = u.to_cp(_boundaries(text, kind, locale)) if text else np.zeros(1, dtype=np.int64)
    return u, b[:-1], b[1:]


# --- character classes, by code point, filled block by block as texts need them ------

_WORD_CHAR = re.compile(r"[^\W_]")  # letters and digits (Python's \w without "_")
_CONNECTOR = re.compile(r"[_\u203f\u2040\u2054\ufe33\ufe34\ufe4d-\ufe4f\uff3f]")
_SPACE = re.compile(r"\s")
_BLOCK = 256
_class_lock = threading.Lock()
_classes = np.zeros(0x110000, dtype=np.uint8)  # bit 1: word char, 2: connector, 4: space
_filled = np.zeros(0x110000 // _BLOCK, dtype=bool)


def _char_classes(cps: np.ndarray) -> np.ndarray:
    need = np.zeros(len(_filled), dtype=bool)
    need[cps >> 8] = True
    todo = np.flatnonzero(need & ~_filled)
    if len(todo):
        with _class_lock:
            for block in todo.tolist():
                lo = block * _BLOCK
                chars = "".join(
                    chr(c) if not 0xD800 <= c < 0xE000 else "\0" for c in range(lo, lo + _BLOCK)
                )
                for bit, pattern in ((1, _WORD_CHAR), (2, _CONNECTOR), (4, _SPACE)):
                    for m in pattern.finditer(chars):
                        _classes[lo + m.start()] |= bit
                _filled[block] = True
    return _classes[cps]


@functools.cache
def _space_units() -> np.ndarray:
    """White space by BMP code point."""
    return (_char_classes(np.arange(0x10000, dtype=np.int32)) & 4) != 0


# --- whole texts -------------------------------------------------------------------


def grapheme_spans(text: str) -> np.ndarray:
    """``(n, 2)`` array of the grapheme clusters of ``text``: what a reader counts as
    one character (a letter with its marks, an emoji sequence, a flag, CRLF)."""
    _u, starts, ends = _segments(text, "grapheme", "")
    return np.stack((starts, ends), axis=1)


def graphemes(text: str) -> list[str]:
    return [text[a:b] for a, b in grapheme_spans(text).tolist()]


def word_spans(text: str, *, locale: str = "", punctuation: bool = False) -> np.ndarray:
    """``(n, 2)`` array of the words of ``text`` (UAX #29 word segments, dictionary words
    for Chinese, Japanese, Thai, Lao, Khmer, Burmese). Spaces are never words;
    punctuation marks, symbols and emoji are kept as units of their own only with
    ``punctuation=True``.

    A segment is a word when ICU gives it a word rule status (letter, number, kana,
    ideograph). The status is read from the segment's first character instead of
    asking ICU once per boundary, which would double the cost: a segment starts with a
    letter or digit exactly when its status is one of those (spaces, punctuation,
    emoji and a lone combining mark start the others), a connector such as "_" only
    when letters follow it. tests/core/test_segmentation.py checks the two agree.
    """
    u, starts, ends = _segments(text, "word", locale)
    if not len(starts):
        return np.zeros((0, 2), dtype=np.int64)
    classes = _char_classes(u.cps[starts])
    if punctuation:
        keep = (classes & 4) == 0
    else:
        keep = ((classes & 1) != 0) | (((classes & 2) != 0) & (ends - starts > 1))
    return np.stack((starts[keep], ends[keep]), axis=1)


def words(text: str, *, locale: str = "") -> list[str]:
    return [text[a:b] for a, b in word_spans(text, locale=locale).tolist()]


def sentence_spans(text: str, *, locale: str = "") -> np.ndarray:
    """``(n, 2)`` array of the sentences of ``text`` (UAX #29), without the white space
    around them. A sentence ends at a terminator followed by space, and at every line
    break: a sentence never runs across a paragraph."""
    u, starts, ends = _segments(text, "sentence", locale)
    if not len(starts):
        return np.zeros((0, 2), dtype=np.int64)
    starts, ends = starts.copy(), ends.copy()  # two views of one array until now
    # trim white space at both ends: a few steps over the boundaries, not the characters
    cps, space = u.cps, _space_units()  # every space character is in the BMP

    def is_space(positions: np.ndarray) -> np.ndarray:
        return space[np.minimum(cps[positions], 0xFFFF)]

    at = np.flatnonzero(is_space(starts))
    while len(at):
        starts[at] += 1
        at = at[starts[at] < ends[at]]
        at = at[is_space(starts[at])]
    at = np.flatnonzero(is_space(ends - 1))
    while len(at):
        ends[at] -= 1
        at = at[starts[at] < ends[at]]
        at = at[is_space(ends[at] - 1)]
    keep = starts < ends
    return np.stack((starts[keep], ends[keep]), axis=1)


def sentences(text: str, *, locale: str = "") -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text, locale=locale).tolist()]


# --- around one position -------------------------------------------------------------


def _window(text: str, pos: int) -> tuple[int, int]:
    """The part of ``pos``'s line within ``_WINDOW`` characters of it (no UAX #29 word
    or cluster runs across a line break)."""
    lo = max(text.rfind("\n", 0, pos) + 1, pos - _WINDOW)
    hi = text.find("\n", pos)
    hi = min(len(text) if hi < 0 else hi, pos + _WINDOW)
    return lo, hi


def _local_bounds(text: str, pos: int, kind: str, locale: str = "") -> tuple[int, np.ndarray]:
    lo, hi = _window(text, pos)
    _u, starts, ends = _segments(text[lo:hi], kind, locale)
    return lo, np.append(starts, ends[-1:])


def _segment_around(text: str, pos: int, kind: str, locale: str = "") -> tuple[int, int]:
    """[a, b) of the segment of ``kind`` holding the character at ``pos``."""
    lo, bounds = _local_bounds(text, pos, kind, locale)
    rel = pos - lo
    i = int(np.searchsorted(bounds, rel, side="right")) - 1
    if i < 0 or i + 1 >= len(bounds):
        return pos, min(pos + 1, len(text))
    return lo + int(bounds[i]), lo + int(bounds[i + 1])


def grapheme_at(text: str, pos: int) -> tuple[int, int]:
    """[a, b) of the grapheme cluster that holds the character at ``pos``."""
    return _segment_around(text, pos, "grapheme")


def word_at(text: str, pos: int, *, locale: str = "") -> tuple[int, int] | None:
    """[a, b) of the word that holds the character at ``pos``; None on space,
    punctuation or an emoji."""
    if not 0 <= pos < len(text):
        return None
    a, b = _segment_around(text, pos, "word", locale)
    seg = word_spans(text[a:b], locale=locale)
    return (a, b) if len(seg) else None


def snap_to_graphemes(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) so that it neither starts nor ends inside a grapheme cluster."""
    start, end = max(0, start), min(len(text), end)
    if start >= end:
        return start, end
    if 0 < start < len(text):
        start = grapheme_at(text, start)[0]
    if 0 < end < len(text):
        a, b = grapheme_at(text, end)
        end = end if a == end else b
    return start, end


def snap_to_words(text: str, start: int, end: int, *, locale: str = "") -> tuple[int, int]:
    """Widen [start, end) to whole words: a selection that begins or ends inside a word
    takes all of it; elsewhere (space, punctuation, emoji) it is widened only to whole
    grapheme clusters, so a base letter always keeps its marks."""
    start, end = max(0, start), min(len(text), end)
    if start >= end:
        return start, end
    if 0 < start < len(text):
        word = word_at(text, start, locale=locale)
        if word is not None:
            start = word[0]
    if 0 < end < len(text):
        word = word_at(text, end - 1, locale=locale)
        if word is not None:
            end = word[1]
    return snap_to_graphemes(text, start, end)


def _unspaced_class() -> str:
    chars = icu.UnicodeSet(
        "[[:Line_Break=Complex_Context:][:Ideographic:][:Hiragana:][:Katakana:]]"
    )
    ranges = (
        (ord(chars.getRangeStart(i)), ord(chars.getRangeEnd(i)))
        for i in range(chars.getRangeCount())
    )
    return "[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges) + "]"


# Letters of the scripts written without spaces between words (Chinese, Japanese, Thai,
# Lao, Khmer, Burmese...): there a word ends where the dictionary says, not at a space.
UNSPACED = re.compile(_unspaced_class())


def word_boundaries(text: str, *, locale: str = "") -> np.ndarray:
    """Every UAX #29 word boundary of ``text`` (dictionary words included), in code
    points, sorted, 0 and ``len(text)`` included."""
    if not text:
        return np.zeros(1, dtype=np.int64)
    return _Units(text).to_cp(_boundaries(text, "word", locale))


def is_word_boundary(text: str, i: int) -> bool:
    """True when position ``i`` is not inside a word (UAX #29, dictionary words)."""
    if i <= 0 or i >= len(text):
        return True
    word = word_at(text, i - 1)
    return word is None or word[1] <= i
