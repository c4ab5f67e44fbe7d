"""From coded spans to units: which units each coder coded with each code.

A text is cut into units by Unicode text segmentation (UAX #29, ICU's break iterators,
see ``desktop.core.segmentation``), the same in every script: characters are grapheme
clusters (a letter with its combining marks, an emoji sequence or a flag is one unit),
words are UAX #29 words (dictionary words in Chinese, Japanese, Thai, Lao, Khmer and
Burmese) and each punctuation mark or emoji, sentences end at every UAX #29 terminator
("." "?" "!" "؟" "۔" "。" "！" "？" "।" "॥" ...) and at line breaks. The rules are
fixed, so a document has the same units whichever documents are in a report. Text
between word or sentence units (white space) belongs to no unit.

A coder coded a unit with a code when one of the coder's spans of that code overlaps the
unit by at least one character: span [s, e) and unit [a, b) overlap when s < b and a < e.
All offsets are Python ``str`` indices, half-open. Everything is done on intervals of
unit indices with numpy (searchsorted, sorting, cumsum), never character by character.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from desktop.core import segmentation

UNIT_KINDS = ("char", "word", "sentence")
MAX_CODERS = 62
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")


# --- units ---------------------------------------------------------------------------


def word_spans(text: str) -> np.ndarray:
    """(units, 2) array of [start, end) of the words, punctuation marks and emoji of
    ``text`` (UAX #29 word segments that are not white space)."""
    return segmentation.word_spans(text, punctuation=True)


class SentenceSegmenter:
    """UAX #29 sentence boundaries (ICU), the same for a document alone or in a project:
    nothing is learnt from the texts, so units never depend on what else is reported.
    ``locale`` tailors the rules (e.g. ``en@ss=standard``: no break after the
    abbreviations ICU lists for English, such as "Mr."); "" is ICU's root rules."""

    def __init__(self, locale: str = "") -> None:
        self.locale = locale

    @property
    def name(self) -> str:
        return f"ICU {segmentation.ICU_VERSION} UAX #29 sentences ({self.locale or 'root'})"

    def span_tokenize(self, text: str) -> list[tuple[int, int]]:
        return [tuple(s) for s in segmentation.sentence_spans(text, locale=self.locale).tolist()]


def sentence_segmenter(locale: str = "") -> SentenceSegmenter:
    """The segmenter for ``locale`` ("" or "root": ICU's root rules); a locale whose
    language ICU does not know is refused (ICU would fall back to the root rules without
    a word, and the report would name rules it did not use)."""
    locale = locale.strip()
    if locale.lower() in ("", "root"):
        return SentenceSegmenter()
    import icu

    language = icu.Locale(locale).getLanguage()
    if not language or language not in set(icu.Locale.getISOLanguages()):
        raise ValueError(
            f"{locale!r} is not a locale ICU knows (a language code such as 'en' or "
            "'de', optionally with '@ss=standard' for no break after abbreviations)"
        )
    return SentenceSegmenter(locale)


_RULES = {
    "char": "UAX #29 grapheme clusters",
    "word": "UAX #29 words, dictionary words in Chinese, Japanese, Thai, Lao, Khmer, Burmese",
    "sentence": "UAX #29 sentences, ended at line breaks",
}


def segmentation_record(
    unit: str, segmenter: SentenceSegmenter | None = None, stretches: str | None = None
) -> dict:
    """What cut the units of a report, for the report itself: the segmenter and its
    version, the rules and, where sentences are cut (as units, or as the stretches of
    ``coded_stretches``), the locale."""
    record = {
        "segmenter": "ICU",
        "version": segmentation.ICU_VERSION,
        "rules": _RULES[unit],
    }
    if stretches == "sentence" and unit != "sentence":
        record["rules"] += f"; stretches: {_RULES['sentence']}"
    if "sentence" in (unit, stretches):
        record["locale"] = (segmenter.locale if segmenter else "") or "root"
    return record


def train_sentence_tokenizer(texts: Iterable[str] = (), min_chars: int = 50_000):
    """The sentence segmenter for a set of texts. UAX #29 rules need no training (Punkt,
    used before, learnt from the texts in a report, so one document got different units
    alone and in its project, and it knew no terminator but "." "?" "!"); the arguments
    are kept for callers that pass their texts."""
    return SentenceSegmenter()


def sentence_spans(text: str, tokenizer=None) -> np.ndarray:
    """(units, 2) array of [start, end) of the sentences of ``text``. A sentence never
    runs across a line break. ``tokenizer``: anything with ``span_tokenize`` (default:
    UAX #29 sentences), applied paragraph by paragraph."""
    if tokenizer is None or isinstance(tokenizer, SentenceSegmenter):
        locale = tokenizer.locale if tokenizer is not None else ""
        return segmentation.sentence_spans(text, locale=locale)
    spans: list[tuple[int, int]] = []
    start = 0
    for brk in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = len(text) if brk is None else brk.start()
        if text[start:end].strip():
            spans += [(s + start, e + start) for s, e in tokenizer.span_tokenize(text[start:end])]
        if brk is not None:
            start = brk.end()
    return _spans_array(spans)


def char_spans(text: str) -> np.ndarray | None:
    """Grapheme clusters of ``text`` as (units, 2), or ``None`` when every cluster is one
    code point (then unit i = [i, i+1), as before, at no cost)."""
    if segmentation.one_cluster_per_code_point(text):
        return None
    spans = segmentation.grapheme_spans(text)
    return None if len(spans) == len(text) else spans


def unit_spans(text: str, kind: str, sentence_tokenizer=None) -> np.ndarray | None:
    """Unit boundaries of ``text`` for ``kind``; ``None`` for characters when each
    grapheme cluster is one code point (unit i = [i, i+1))."""
    if kind == "char":
        return char_spans(text)
    if kind == "word":
        return word_spans(text)
    if kind == "sentence":
        return sentence_spans(text, sentence_tokenizer)
    raise ValueError(f"unknown unit {kind!r}: use one of {', '.join(UNIT_KINDS)}")


def _spans_array(spans: Iterable[tuple[int, int]]) -> np.ndarray:
    flat = np.fromiter((x for span in spans for x in span), dtype=np.int64)
    return flat.reshape(-1, 2)


def unit_count(length: int, units: np.ndarray | None) -> int:
    return int(length) if units is None else len(units)


# --- spans to intervals of units ------------------------------------------------------


def to_unit_intervals(
    starts: np.ndarray,
    ends: np.ndarray,
    length: int,
    units: np.ndarray | None,
    *,
    drop_empty: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Map character spans [start, end) to the unit indices [first, last + 1) they overlap.

    Spans that overlap no unit (only white space) are dropped, or kept as empty intervals
    (first >= stop) with ``drop_empty=False``. Spans must lie in the text.
    """
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64)
    if len(starts) and (starts.min() < 0 or ends.max() > length or (starts >= ends).any()):
        bad = np.flatnonzero((starts < 0) | (ends > length) | (starts >= ends))[0]
        raise ValueError(
            f"span [{starts[bad]}, {ends[bad]}) is not a non-empty range of a text of "
            f"length {length}"
        )
    if units is None:
        first, stop = starts, ends
    else:
        first = np.searchsorted(units[:, 1], starts, side="right")
        stop = np.searchsorted(units[:, 0], ends, side="left")
    if not drop_empty:
        return first, stop
    keep = first < stop
    return first[keep], stop[keep]


def merge_intervals(first: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Union of half-open intervals, as sorted disjoint intervals (touching ones joined)."""
    if len(first) == 0:
        return first.astype(np.int64), stop.astype(np.int64)
    order = np.argsort(first, kind="stable")
    first, stop = first[order], stop[order]
    reach = np.maximum.accumulate(stop)
    new = np.ones(len(first), dtype=bool)
    new[1:] = first[1:] > reach[:-1]
    group_starts = np.flatnonzero(new)
    group_ends = np.append(group_starts[1:], len(first)) - 1
    return first[group_starts], reach[group_ends]


def coverage(n_units: int, first: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """0/1 vector over units: 1 where one of the intervals covers the unit (diff + cumsum)."""
    diff = np.zeros(n_units + 1, dtype=np.int32)
    np.add.at(diff, first, 1)
    np.add.at(diff, stop, -1)
    return (np.cumsum(diff[:-1]) > 0).astype(np.uint8)


def unitize(
    length: int,
    units: np.ndarray | Sequence[tuple[int, int]] | None,
    codings: Mapping[str, Iterable[tuple[Any, int, int]]],
    codes: Sequence[Any] | None = None,
) -> dict[Any, np.ndarray]:
    """For one document: per code, a coders x units 0/1 matrix (uint8).

    ``length``: the text's length; ``units``: (start, end) of each unit, sorted and
    disjoint, or ``None`` for characters; ``codings``: coder -> (code_id, start, end)
    spans. Rows follow the order of ``codings``; ``codes`` (default: every code used)
    fixes the codes and their order.
    """
    units = None if units is None else np.asarray(units, dtype=np.int64).reshape(-1, 2)
    n_units = unit_count(length, units)
    by_coder = [_group_by_code(spans) for spans in codings.values()]
    if codes is None:
        codes = list(dict.fromkeys(code for groups in by_coder for code in groups))
    result = {}
    for code in codes:
        matrix = np.zeros((len(by_coder), n_units), dtype=np.uint8)
        for i, groups in enumerate(by_coder):
            if code in groups:
                starts, ends = groups[code]
                first, stop = to_unit_intervals(starts, ends, length, units)
                matrix[i] = coverage(n_units, first, stop)
        result[code] = matrix
    return result


def _group_by_code(
    spans: Iterable[tuple[Any, int, int]],
) -> dict[Any, tuple[np.ndarray, np.ndarray]]:
    grouped: dict[Any, tuple[list[int], list[int]]] = {}
    for code, start, end in spans:
        starts, ends = grouped.setdefault(code, ([], []))
        starts.append(start)
        ends.append(end)
    return {
        code: (np.asarray(s, dtype=np.int64), np.asarray(e, dtype=np.int64))
        for code, (s, e) in grouped.items()
    }


# --- sufficient statistics: coding patterns -------------------------------------------


def coding_patterns(
    n_units: int, intervals: Sequence[tuple[np.ndarray, np.ndarray]]
) -> tuple[np.ndarray, np.ndarray]:
    """How many units show each pattern of coders coding them.

    ``intervals[i]`` are coder i's unit intervals (any overlaps). Returns ``(patterns,
    counts)``: distinct patterns as bit masks (bit i set = coder i coded the unit) and the
    number of units with each, by a sweep over interval ends: O(spans log spans), however
    many units there are. Agrees with a bincount over ``unitize``'s matrices.
    """
    if len(intervals) > MAX_CODERS:
        raise ValueError(f"at most {MAX_CODERS} coders")
    positions, deltas = [], []
    for i, (first, stop) in enumerate(intervals):
        first, stop = merge_intervals(np.asarray(first), np.asarray(stop))
        bit = np.int64(1) << np.int64(i)
        positions += [first, stop]
        deltas += [np.full(len(first), bit), np.full(len(stop), -bit)]
    if n_units == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if not positions or sum(len(p) for p in positions) == 0:
        return np.zeros(1, dtype=np.int64), np.array([n_units], dtype=np.int64)
    pos = np.concatenate(positions)
    delta = np.concatenate(deltas)
    order = np.argsort(pos, kind="stable")
    pos, state = pos[order], np.cumsum(delta[order])
    last = np.ones(len(pos), dtype=bool)
    last[:-1] = pos[1:] != pos[:-1]
    seg_start, seg_state = pos[last], state[last]
    seg_len = np.append(seg_start[1:], n_units) - seg_start
    patterns = np.concatenate(([0], seg_state))
    lengths = np.concatenate(([seg_start[0]], seg_len))
    return _sum_by_key(patterns, lengths)


def _sum_by_key(keys: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    unique, inverse = np.unique(keys, return_inverse=True)
    totals = np.bincount(inverse, weights=counts, minlength=len(unique)).astype(np.int64)
    keep = totals > 0
    return unique[keep], totals[keep]


def pool_patterns(parts: Iterable[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Add up pattern counts of several documents (units pooled)."""
    parts = list(parts)
    if not parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return _sum_by_key(np.concatenate([p for p, _ in parts]), np.concatenate([c for _, c in parts]))


def pattern_matrix(patterns: np.ndarray, n_coders: int) -> np.ndarray:
    """coders x patterns 0/1 matrix of bit-mask patterns."""
    bits = np.arange(n_coders, dtype=np.int64)
    return ((patterns[None, :] >> bits[:, None]) & 1).astype(np.int64)


def exclusive_values(
    n_units: int, intervals_by_code: Sequence[tuple[np.ndarray, np.ndarray]]
) -> np.ndarray:
    """For one coder and a set of codes: per unit, the bit mask of the set's codes that
    coder applied to it (0 = none, one bit = that code, several = a combination)."""
    if len(intervals_by_code) > MAX_CODERS:
        raise ValueError(f"at most {MAX_CODERS} codes in a set of mutually exclusive codes")
    diff = np.zeros(n_units + 1, dtype=np.int64)
    for k, (first, stop) in enumerate(intervals_by_code):
        first, stop = merge_intervals(np.asarray(first), np.asarray(stop))
        bit = np.int64(1) << np.int64(k)
        np.add.at(diff, first, bit)
        np.add.at(diff, stop, -bit)
    return np.cumsum(diff[:-1])


def distinct_columns(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct columns of a non-negative int matrix and how often each occurs."""
    if matrix.shape[1] == 0:
        return matrix, np.zeros(0, dtype=np.int64)
    widths = [max(int(row.max()).bit_length(), 1) for row in matrix]
    if sum(widths) <= 62:  # pack each column into one int64 key: a 1-D sort, not a row sort
        shifts = np.cumsum([0, *widths[:-1]]).astype(np.int64)
        keys = np.zeros(matrix.shape[1], dtype=np.int64)
        for row, shift in zip(matrix, shifts, strict=True):
            keys |= row.astype(np.int64) << shift
        unique, counts = np.unique(keys, return_counts=True)
        masks = (np.int64(1) << np.asarray(widths, dtype=np.int64)) - 1
        columns = (unique[None, :] >> shifts[:, None]) & masks[:, None]
        return columns, counts.astype(np.int64)
    unique, counts = np.unique(matrix, axis=1, return_counts=True)
    return unique, counts.astype(np.int64)
