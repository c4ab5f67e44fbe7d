"""Sentences, paragraphs and words as half-open code-point spans of a text, and what
passages extend to (a word, a sentence, a paragraph, N words of context).

Texts are normalised at import (LF line ends), so a paragraph is a run of non-empty
lines' text between newlines. Sentences and words come from desktop.core.segmentation
(ICU, UAX #29), as everywhere else in the application, so that every script is cut
alike: a sentence ends at any script's terminator ("؟", "।", "。") and never runs across
a line end; Chinese or Thai words are dictionary words."""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from desktop.core import segmentation
from desktop.core.analysis.intervals import encode

Span = tuple[int, int]

_PARAGRAPH = re.compile(r"[^\n]+")


def paragraphs(text: str) -> list[Span]:
    """Each line's text (newline separated blocks), empty lines skipped."""
    return [m.span() for m in _PARAGRAPH.finditer(text)]


def sentences(text: str) -> list[Span]:
    """Sentence spans in order (UAX #29), never crossing a line end; white space
    between sentences belongs to none."""
    return [tuple(x) for x in segmentation.sentence_spans(text).tolist()]


def words(text: str) -> list[Span]:
    """Word spans (UAX #29: letters and digits, "Dera'a" and "l'armée" as ICU cuts
    them, dictionary words in scripts written without spaces)."""
    return [tuple(x) for x in segmentation.word_spans(text).tolist()]


def segments(text: str, unit: str) -> list[Span]:
    if unit == "sentence":
        return sentences(text)
    if unit == "paragraph":
        return paragraphs(text)
    if unit == "word":
        return words(text)
    raise ValueError(f"unknown unit {unit!r}: use word, sentence or paragraph")


def segment_array(text: str, unit: str) -> np.ndarray:
    """``segments(text, unit)`` as an (n, 2) int64 array."""
    if unit == "sentence":
        return np.asarray(segmentation.sentence_spans(text), dtype=np.int64).reshape(-1, 2)
    return np.array(segments(text, unit), dtype=np.int64).reshape(-1, 2)


def touching_many(
    doc: np.ndarray, start: np.ndarray, end: np.ndarray, spans: Mapping[int, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """For every passage, what ``SpanIndex.touching`` gives in its document's segments
    ``spans[doc]`` (an (n, 2) array each), found by two binary searches over all the
    documents' segments at once; (0, 0) for a passage whose document is not in
    ``spans``."""
    doc = np.asarray(doc, dtype=np.int64)
    first = np.zeros(len(doc), dtype=np.int64)
    last = np.zeros(len(doc), dtype=np.int64)
    docs = np.array(sorted(spans), dtype=np.int64)
    if not len(doc) or not len(docs):
        return first, last
    sizes = np.array([len(spans[d]) for d in docs.tolist()], dtype=np.int64)
    bases = np.cumsum(sizes) - sizes
    seg_doc = np.repeat(docs, sizes)
    seg = (np.concatenate([spans[d] for d in docs.tolist()]) if sizes.sum()
           else np.zeros((0, 2), dtype=np.int64))  # fmt: skip
    enc_start, enc_end = encode(seg_doc, seg[:, 0]), encode(seg_doc, seg[:, 1])
    at = np.minimum(np.searchsorted(docs, doc), len(docs) - 1)
    known = docs[at] == doc
    start, end = np.asarray(start, dtype=np.int64), np.asarray(end, dtype=np.int64)
    # as SpanIndex.touching: segments ending after start, starting before max(end, start + 1)
    f = np.searchsorted(enc_end, encode(doc, start), side="right") - bases[at]
    g = np.searchsorted(enc_start, encode(doc, np.maximum(end, start + 1)), side="left") - bases[at]
    first[known] = f[known]
    last[known] = np.maximum(f, g)[known]
    return first, last


@dataclass(frozen=True)
class SpanIndex:
    """Segments of one text with a lookup from an offset range to the segments it touches."""

    spans: Sequence[Span]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_starts", [a for a, _ in self.spans])
        object.__setattr__(self, "_ends", [b for _, b in self.spans])

    def touching(self, start: int, end: int) -> tuple[int, int]:
        """[first, last) indices of the segments that share a character with
        [start, end); for an empty range, the segment holding ``start``. When no segment
        is touched (white space only), the empty range at the insertion point."""
        ends: list[int] = self._ends  # type: ignore[attr-defined]
        starts: list[int] = self._starts  # type: ignore[attr-defined]
        first = bisect.bisect_right(ends, start)
        last = bisect.bisect_left(starts, max(end, start + 1))
        return first, max(first, last)

    def extend(self, start: int, end: int) -> Span:
        """[start, end) grown to whole segments it touches (unchanged if it touches none)."""
        first, last = self.touching(start, end)
        if first >= last:
            return start, end
        return min(start, self.spans[first][0]), max(end, self.spans[last - 1][1])


def extend(text: str, start: int, end: int, unit: str) -> Span:
    """A passage grown to the whole words, sentences or paragraphs it touches."""
    # Sentences and paragraphs never cross a line end, and words never cross white
    # space: segmenting the lines around the passage gives the same spans as the whole
    # text, at the cost of those lines only.
    lo = text.rfind("\n", 0, start) + 1
    hi = text.find("\n", end)
    hi = len(text) if hi < 0 else hi
    a, b = SpanIndex(segments(text[lo:hi], unit)).extend(start - lo, end - lo)
    return a + lo, b + lo


def context_span(text: str, start: int, end: int, context: str | int) -> Span:
    """The span shown around a passage: itself (``none``), its sentence(s) or
    paragraph(s), or ``N`` words either side."""
    if context in ("none", 0, None):
        return start, end
    if context in ("sentence", "paragraph"):
        return extend(text, start, end, str(context))
    n = int(context)
    if n < 0:
        raise ValueError("the number of context words cannot be negative")
    # Look at a window big enough for n words either side, not at the whole text. A
    # word the passage cuts is completed first and does not count among the n.
    window = max(200, 40 * (n + 1))
    lo, hi = max(0, start - window), min(len(text), end + window)
    ws = [(lo + x, lo + y) for x, y in words(text[lo:hi])]
    a0 = next((x for x, y in ws if x < start < y), start)
    b0 = next((y for x, y in ws if x < end < y), end)
    before = [x for x, y in ws if y <= a0]
    after = [y for x, y in ws if x >= b0]
    a = (before[-n] if len(before) >= n else lo) if n else a0
    b = (after[n - 1] if len(after) >= n else hi) if n else b0
    return min(a, start), max(b, end)
