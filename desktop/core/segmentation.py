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
    """The text as UTF-16 code units (what ICU counts) and the way back to code points."""

    __slots__ = ("astral", "units")

    def __init__(self, text: str) -> None:
        self.units = np.frombuffer(text.encode("utf-16-le"), dtype="<u2")
        if len(self.units) == len(text):  # no character outside the BMP: offsets agree
            self.astral = None
        else:  # UTF-16 positions where a surrogate pair (one code point) starts
            self.astral = np.flatnonzero((self.units & 0xFC00) == 0xD800)

    def to_cp(self, positions: np.ndarray) -> np.ndarray:
        if self.astral is None:
            return positions
        return positions - np.searchsorted(self.astral, positions, side="left")

    def code_points_at(self, positions: np.ndarray) -> np.ndarray:
        """The code point starting at each UTF-16 position (pairs decoded)."""
        cps = self.units[positions].astype(np.int64)
        if self.astral is not None:
            high = (cps & 0xFC00) == 0xD800
            if high.any():
                low = self.units[positions[high] + 1].astype(np.int64)
                cps[high] = 0x10000 + ((cps[high] - 0xD800) << 10) + (low - 0xDC00)
        return cps


def _boundaries(text: str, kind: str, locale: str = "") -> np.ndarray:
    """ICU's boundaries of ``kind`` in UTF-16 units, 0 and the end included."""
    it = _iterator(kind, locale)
    it.setText(text)
    out = np.fromiter(it, dtype=np.int64)  # every boundary after the first (0)
    it.setText("")  # do not keep a large document alive in the cache
    return np.concatenate(([0], out))


def _segments(text: str, kind: str, locale: str) -> tuple[_Units, np.ndarray, np.ndarray]:
    u = _Units(text)
    b = _boundaries(text, kind, locale) if text else np.zeros(1, dtype=np.int64)
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


# --- whole texts -------------------------------------------------------------------


def grapheme_spans(text: str) -> np.ndarray:
    """``(n, 2)`` array of the grapheme clusters of ``text``: what a reader counts as
    one character (a letter with its marks, an emoji sequence, a flag, CRLF)."""
    u, starts, ends = _segments(text, "grapheme", "")
    return np.stack((u.to_cp(starts), u.to_cp(ends)), axis=1)


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
    classes = _char_classes(u.code_points_at(starts))
    if punctuation:
        keep = (classes & 4) == 0
    else:
        keep = ((classes & 1) != 0) | (((classes & 2) != 0) & (ends - starts > 1))
    return np.stack((u.to_cp(starts[keep]), u.to_cp(ends[keep])), axis=1)


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
    while True:
        live = starts < ends
        at = np.flatnonzero(live)
        space = (_char_classes(u.units[starts[at]].astype(np.int64)) & 4) != 0
        if not space.any():
            break
        starts[at[space]] += 1
    while True:
        live = starts < ends
        at = np.flatnonzero(live)
        space = (_char_classes(u.units[ends[at] - 1].astype(np.int64)) & 4) != 0
        if not space.any():
            break
        ends[at[space]] -= 1
    keep = starts < ends
    return np.stack((u.to_cp(starts[keep]), u.to_cp(ends[keep])), axis=1)


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
    part = text[lo:hi]
    u, starts, ends = _segments(part, kind, locale)
    return lo, u.to_cp(np.append(starts, ends[-1:]) if len(ends) else starts)


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


def is_word_boundary(text: str, i: int) -> bool:
    """True when position ``i`` is not inside a word (UAX #29, dictionary words)."""
    if i <= 0 or i >= len(text):
        return True
    word = word_at(text, i - 1)
    return word is None or word[1] <= i
