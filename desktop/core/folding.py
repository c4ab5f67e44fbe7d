"""Find text as readers see it: fold what they treat as the same, point at the original.

Folding makes these equal, in a text and in a query alike:
- NFC and NFD ("é" precomposed, or "e" + combining acute): both become NFD;
- case (full Unicode case folding: "Straße" finds "STRASSE");
- Arabic harakat (fatha, damma, kasra, shadda, sukun, tanwin, superscript alef, Quranic
  marks) and tatweel (the stretching stroke of "الحـــرب") are dropped;
- the zero-width non-joiner (Persian "می‌خواهم" and "میخواهم") is dropped;
- every decimal digit (Arabic-Indic "١٢٠", Persian "۱۲۰", Devanagari ...) reads as ASCII;
- Persian and Arabic forms of yeh and kaf (ی/ي, ک/ك), one letter to readers.
Accents on Latin letters are kept: "resume" does not find "résumé", as in any reader.

``fold(text)`` returns the folded text with, for each of its characters, the index of
the character of the original it came from, so a hit in the folded text is a span of the
original (code points, as everywhere below the UI). The work is per code point through
lookup tables (numpy), so folding a document costs about as much as reading it once;
fold a document once and search it many times (``Folded.find``), as the find bar and
corpus search do. ``find_all(text, query, exact=...)`` is the one-call form.

A hit never splits a letter from its marks: a match that would end just before a
combining mark of the text ("cafe" in "café") is not a hit, and a hit's end takes in the
dropped characters (harakat, tatweel) that follow its last letter."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

import numpy as np

# Arabic marks readers ignore when they search: harakat (064B-065F), superscript alef
# (0670), Quranic annotation marks (06D6-06DC, 06DF-06E4, 06E7-06E8, 06EA-06ED) and
# tatweel (0640). The zero-width non-joiner is a spelling variant in Persian.
_DROPPED = frozenset(
    [0x0640, 0x0670, 0x200C]
    + list(range(0x064B, 0x0660))
    + list(range(0x06D6, 0x06DD))
    + list(range(0x06DF, 0x06E5))
    + [0x06E7, 0x06E8]
    + list(range(0x06EA, 0x06EE))
)
# Letters that are one letter to readers of Arabic and Persian, typed either way.
_SAME_LETTER = {0x064A: "\u06cc", 0x0649: "\u06cc", 0x0643: "\u06a9"}

_SIZE = 0x110000
_LEN = np.zeros(_SIZE, dtype=np.int8)  # length of the fold of each code point
_ONE = np.zeros(_SIZE, dtype=np.uint32)  # the first code point of its fold
_KNOWN = np.zeros(_SIZE, dtype=bool)  # tables filled in for this code point
_MARK = np.zeros(_SIZE, dtype=bool)  # a combining mark (category M*), as folded
_CCC = np.zeros(_SIZE, dtype=np.uint8)  # canonical combining class, as folded
_LONG: dict[int, str] = {}  # code point -> its fold of two or more code points


def _fold_char(ch: str) -> str:
    cp = ord(ch)
    if cp in _DROPPED:
        return ""
    if cp in _SAME_LETTER:
        return _SAME_LETTER[cp]
    digit = unicodedata.decimal(ch, None)
    if digit is not None:
        return str(digit)
    out = unicodedata.normalize("NFD", unicodedata.normalize("NFD", ch).casefold())
    return "".join(c for c in out if ord(c) not in _DROPPED)


def _learn(code_points: np.ndarray) -> None:
    """Fill the tables for code points not seen before (a few hundred per script)."""
    for cp in code_points[~_KNOWN[code_points]].tolist():
        # a lone surrogate (only from text that was never valid) is kept as it is
        folded = chr(cp) if 0xD800 <= cp <= 0xDFFF else _fold_char(chr(cp))
        _LEN[cp] = len(folded)
        if folded:
            _ONE[cp] = ord(folded[0])
        if len(folded) > 1:
            _LONG[cp] = folded
        for c in folded:
            _MARK[ord(c)] = unicodedata.category(c).startswith("M")
            _CCC[ord(c)] = unicodedata.combining(c)
        _KNOWN[cp] = True


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _text(code_points: np.ndarray) -> str:
    return code_points.astype("<u4", copy=False).tobytes().decode("utf-32-le", "surrogatepass")


class Folded:
    """A folded text: ``text``; ``origin[i]`` is the index in the original of the
    character folded text[i] came from, and ``origin[len(text)]`` the original's length
    (None: the same index, nothing changed length); ``length``: the original's length;
    ``marks``: per folded character, whether it is a combining mark (None: none is)."""

    __slots__ = ("text", "origin", "length", "marks", "_codes", "_counts")

    def __init__(
        self,
        text: str,
        origin: np.ndarray | None,
        length: int,
        marks: np.ndarray | None = None,
        codes: np.ndarray | None = None,
    ) -> None:
        self.text = text
        self.origin = origin
        self.length = length
        self.marks = marks
        self._codes = codes
        self._counts: np.ndarray | None = None

    @property
    def codes(self) -> np.ndarray:
        """The folded text as code points (kept for searching it many times)."""
        if self._codes is None:
            self._codes = _code_points(self.text)
        return self._codes

    def find(self, query: str) -> list[tuple[int, int]]:
        """Spans (start, end) of the original where the folded ``query`` occurs, in
        order, not overlapping."""
        needle = fold(query).text
        if not needle or len(needle) > len(self.text):
            return []
        starts = self._positions(_code_points(needle))
        if not starts.size:
            return []
        ends = starts + len(needle)
        if self.marks is not None:  # a hit never ends between a letter and its marks
            inside = ends < len(self.text)
            keep = np.ones(starts.size, dtype=bool)
            keep[inside] = ~self.marks[ends[inside]]
            starts, ends = starts[keep], ends[keep]
        return self.original_spans(starts, ends)

    def original_spans(self, starts: np.ndarray, ends: np.ndarray) -> list[tuple[int, int]]:
        """Spans of the folded text (in order, not overlapping) as spans of the original."""
        if self.origin is None:
            return list(zip(starts.tolist(), ends.tolist(), strict=True))
        origin = self.origin
        first = origin[starts]
        last = origin[ends - 1]
        # The end: where the next folded character starts in the original (so dropped
        # marks after the last letter belong to the hit), or just after the last
        # character when the hit ends inside one character's fold ("s" of "ß" -> "ss").
        after = origin[ends]
        end = np.where(after == last, last + 1, after)
        if first.size > 1:  # two hits inside one character's fold are one hit
            keep = np.ones(first.size, dtype=bool)
            keep[1:] = first[1:] >= end[:-1]
            first, end = first[keep], end[keep]
        return list(zip(first.tolist(), end.tolist(), strict=True))

    def _positions(self, needle: np.ndarray) -> np.ndarray:
        """Where ``needle`` starts in the folded text, left to right, not overlapping:
        the positions of its rarest character, then each other character checked, all
        as array operations (no Python loop over the text or the hits)."""
        codes = self.codes
        m = needle.size
        if self._counts is None:
            self._counts = np.bincount(codes)
        counts = self._counts
        present = needle < counts.size
        if not present.all():
            return np.empty(0, dtype=np.int64)
        k = int(np.argmin(counts[needle]))
        at = np.flatnonzero(codes == needle[k]) - k
        at = at[(at >= 0) & (at <= codes.size - m)]
        for j in range(m):
            if j != k and at.size:
                at = at[codes[at + j] == needle[j]]
        if at.size > 1 and m > 1 and (np.diff(at) < m).any():
            kept, free = [], -1
            for a in at.tolist():  # only a needle that overlaps itself ("aa") gets here
                if a >= free:
                    kept.append(a)
                    free = a + m
            at = np.array(kept, dtype=np.int64)
        return at


def fold(text: str) -> Folded:
    """``text`` folded (see the module's docstring), with the way back to it."""
    if text.isascii():  # most queries, and English documents: case is all there is
        return Folded(text.lower(), None, len(text))
    cps = _code_points(text)
    n = cps.size
    _learn(np.flatnonzero(np.bincount(cps)).astype(np.uint32))
    lengths = _LEN[cps]
    out = _ONE[cps]  # most characters fold to one: all the work there is for them
    origin = None
    changed = np.flatnonzero(lengths != 1)  # dropped or grown: few, even in Arabic
    if changed.size:
        # the indices of the characters kept, and the text's length after them
        origin = np.flatnonzero(np.append(lengths, np.int8(1)))
        grown = changed[lengths[changed] > 1]
        if grown.size:
            extra = lengths[grown].astype(np.int64) - 1
            # each grown character's index repeated once more per extra code point of
            # its fold, right after it (np.insert places them before the next kept one)
            after = np.searchsorted(origin, grown) + 1
            origin = np.insert(origin, np.repeat(after, extra), np.repeat(grown, extra))
        out = out[origin[:-1]]
        if grown.size:
            _fill_tails(out, origin, grown, extra, cps)
    marks = _MARK[out]
    if not marks.any():
        return Folded(_text(out), origin, n, None, out)
    ccc = _CCC[out]
    if ((ccc[:-1] > ccc[1:]) & (ccc[1:] > 0)).any():  # marks out of canonical order
        out, origin = _canonical_order(out, origin, ccc)
        marks = _MARK[out]
    return Folded(_text(out), origin, n, marks, out)


def _fill_tails(
    out: np.ndarray, origin: np.ndarray, grown: np.ndarray, extra: np.ndarray, cps: np.ndarray
) -> None:
    """Put the second and later code points of each grown character's fold in place
    (``out`` holds the first one at every position of its fold)."""
    first = np.searchsorted(origin, grown)  # where each grown character's fold starts
    total = int(extra.sum())
    group_start = np.repeat(np.cumsum(extra) - extra, extra)
    k = np.arange(total) - group_start + 1  # 1 .. extra: which code point of the fold
    at = np.repeat(first, extra) + k
    which = np.repeat(cps[grown], extra)
    for cp in np.unique(which).tolist():
        tail = _LONG[cp]
        sel = which == cp
        out[at[sel]] = np.array([ord(c) for c in tail], dtype=np.uint32)[k[sel]]


def _canonical_order(
    out: np.ndarray, origin: np.ndarray | None, ccc: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Marks after a letter in the order NFD puts them (by combining class, stable), so
    that canonically equal texts fold alike whatever order their marks were typed in."""
    out = out.copy()
    origin = np.arange(out.size + 1, dtype=np.int32) if origin is None else origin.copy()
    reordering = (ccc > 0).view(np.int8)
    # runs of two or more characters with a combining class: only those can be out of order
    edges = np.flatnonzero(np.diff(np.concatenate(([0], reordering, [0]))))
    for a, b in zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True):
        if b - a > 1 and (np.diff(ccc[a:b].astype(np.int16)) < 0).any():
            order = np.argsort(ccc[a:b], kind="stable")
            out[a:b] = out[a:b][order]
            origin[a:b] = origin[a:b][order]
    return out, origin


def _occurrences(haystack: str, needle: str) -> Iterator[int]:
    find, step = haystack.find, len(needle)
    i = find(needle)
    while i >= 0:
        yield i
        i = find(needle, i + step)


def find_all(text: str, query: str, *, exact: bool = False) -> list[tuple[int, int]]:
    """Spans (start, end) of ``text`` (code points) where ``query`` occurs: folded (see
    the module's docstring) unless ``exact``, when only the same code points match."""
    if not query:
        return []
    if exact:
        return [(i, i + len(query)) for i in _occurrences(text, query)]
    return fold(text).find(query)
