"""Combining two selections of coded passages, and counting co-occurrences, by sweeps
over sorted intervals (numpy, never all pairs).

A passage is (document, start, end), half-open, in code points. Each is encoded as one
64-bit key per boundary, ``document << 32 | offset``, so a sort by start is a sort by
(document, start) and a search never crosses into another document: offsets, and
offsets widened by a distance, are clipped to [0, 2**32 - 1].

Definitions (A and B are the passages of two code selections; "gap" is the number of
characters between two passages that do not overlap, 0 when they touch):

- ``overlaps(A, B)``: A passages sharing at least one character with some B passage.
- A NOT B: the A passages that share no character with any B passage.
- A NEAR B within N: the A passages with some B passage overlapping it or at a gap of
  at most N characters, before or after.
- A FOLLOWED BY B within N: the A passages with some B passage that starts at or after
  the A passage's end, at a gap of at most N characters.
- A AND B: the stretches of text covered both by some A passage and by some B passage
  (maximal runs of such characters).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SHIFT = 32
MAX_OFFSET = (1 << SHIFT) - 1


def encode(doc: np.ndarray, offset: np.ndarray) -> np.ndarray:
    off = np.clip(np.asarray(offset, dtype=np.int64), 0, MAX_OFFSET)
    return (np.asarray(doc, dtype=np.int64) << SHIFT) | off


@dataclass(frozen=True)
class Intervals:
    """Passages as parallel arrays (any order)."""

    doc: np.ndarray
    start: np.ndarray
    end: np.ndarray

    @classmethod
    def of(cls, doc, start, end) -> Intervals:
        return cls(
            np.asarray(doc, dtype=np.int64),
            np.asarray(start, dtype=np.int64),
            np.asarray(end, dtype=np.int64),
        )

    def __len__(self) -> int:
        return len(self.doc)


class _SortedB:
    """B sorted by start, with the running maximum of encoded ends."""

    def __init__(self, b: Intervals) -> None:
        order = np.argsort(encode(b.doc, b.start), kind="stable")
        self.doc = b.doc[order]
        self.start = b.start[order]
        self.enc_start = encode(self.doc, self.start)
        self.enc_end_max = (
            np.maximum.accumulate(encode(self.doc, b.end[order]))
            if len(order)
            else (np.zeros(0, dtype=np.int64))
        )

    def any_reaching(self, a: Intervals, before: int, after: int, *, touch: bool) -> np.ndarray:
        """For each A passage: is there a B passage with start <= a.end + after (< when
        not ``touch``) and end >= a.start - before (> when not ``touch``)?"""
        if len(self.enc_start) == 0 or len(a) == 0:
            return np.zeros(len(a), dtype=bool)
        hi_key = encode(a.doc, a.end + after)
        lo_key = encode(a.doc, a.start - before)
        idx = np.searchsorted(self.enc_start, hi_key, side="right" if touch else "left")
        has = idx > 0
        best = np.where(has, self.enc_end_max[np.maximum(idx - 1, 0)], -1)
        # Earlier documents' ends are all below this document's keys: no false match.
        return has & ((best >= lo_key) if touch else (best > lo_key))


def overlapping(a: Intervals, b: Intervals) -> np.ndarray:
    """Mask of A passages that share at least one character with some B passage."""
    return _SortedB(b).any_reaching(a, 0, 0, touch=False)


def not_(a: Intervals, b: Intervals) -> np.ndarray:
    """Mask of A NOT B."""
    return ~overlapping(a, b)


def near(a: Intervals, b: Intervals, within: int) -> np.ndarray:
    """Mask of A NEAR B within ``within`` characters (either side)."""
    if within < 0:
        raise ValueError("the distance for NEAR cannot be negative")
    return _SortedB(b).any_reaching(a, within, within, touch=True)


def followed_by(a: Intervals, b: Intervals, within: int) -> np.ndarray:
    """Mask of A FOLLOWED BY B within ``within`` characters."""
    if within < 0:
        raise ValueError("the distance for FOLLOWED BY cannot be negative")
    if len(b) == 0 or len(a) == 0:
        return np.zeros(len(a), dtype=bool)
    starts = np.sort(encode(b.doc, b.start))
    lo = np.searchsorted(starts, encode(a.doc, a.end), side="left")
    hi = np.searchsorted(starts, encode(a.doc, a.end + within), side="right")
    return hi > lo


def union(x: Intervals) -> Intervals:
    """The merged (disjoint, sorted, not touching) stretches covered by x."""
    if len(x) == 0:
        return x
    ks = encode(x.doc, x.start)
    order = np.argsort(ks, kind="stable")
    ks = ks[order]
    ke = encode(x.doc[order], x.end[order])
    run_end = np.maximum.accumulate(ke)
    new = np.ones(len(ks), dtype=bool)
    new[1:] = ks[1:] > run_end[:-1]
    group = np.cumsum(new) - 1
    starts = ks[new]
    ends = np.zeros(int(group[-1]) + 1, dtype=np.int64)
    np.maximum.at(ends, group, ke)
    docs = starts >> SHIFT
    return Intervals(docs, starts & MAX_OFFSET, ends & MAX_OFFSET)


def intersection(a: Intervals, b: Intervals) -> Intervals:
    """A AND B: stretches covered by both, sorted by (document, start)."""
    ua, ub = union(a), union(b)
    if len(ua) == 0 or len(ub) == 0:
        return Intervals.of([], [], [])
    a_s, a_e = encode(ua.doc, ua.start), encode(ua.doc, ua.end)
    b_s, b_e = encode(ub.doc, ub.start), encode(ub.doc, ub.end)
    # Disjoint sorted stretches: both their starts and their ends increase.
    lo = np.searchsorted(b_e, a_s, side="right")
    hi = np.searchsorted(b_s, a_e, side="left")
    n = np.maximum(hi - lo, 0)
    ai = np.repeat(np.arange(len(ua)), n)
    offsets = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    bi = np.repeat(lo, n) + offsets
    s = np.maximum(a_s[ai], b_s[bi])
    e = np.minimum(a_e[ai], b_e[bi])
    keep = s < e
    s, e = s[keep], e[keep]
    return Intervals(s >> SHIFT, s & MAX_OFFSET, e & MAX_OFFSET)


# -- co-occurrence -----------------------------------------------------------------


@dataclass(frozen=True)
class Cooccurrence:
    """n[i] passages of code i; pairs[i][j] co-occurring (i-passage, j-passage) pairs;
    c[i][j] = pairs / (n_i + n_j - pairs), ATLAS.ti's c-coefficient (0 where undefined;
    it can exceed 1 when one passage co-occurs with several of the other code)."""

    n: np.ndarray
    pairs: np.ndarray
    c: np.ndarray


_PAIRS_CHUNK = 1 << 19  # pairs expanded at once when they are enumerated (bounds the memory)


def cooccurrence(
    codes: np.ndarray, x: Intervals, n_codes: int, *, within: int | None = None,
    method: str = "auto",
) -> Cooccurrence:  # fmt: skip
    """Pairs of passages of different codes in the same document that overlap (share a
    character), or, with ``within``, are at a gap of at most ``within`` characters.

    ``codes`` holds each passage's code as an index 0..n_codes-1. Sorted by start,
    the partners of passage k that start after it form one contiguous run, found by a
    binary search. The runs' lengths say how many pairs there are; when they are fewer
    than a pass per code would cost, each pair is counted once ("pairs", in chunks of
    bounded memory); otherwise a running count per code gives each code's share of
    every run ("running"), O(n) per code whatever the number of pairs. Both give the
    same counts; ``method`` forces one (for tests)."""
    codes = np.asarray(codes, dtype=np.int64)
    n = np.bincount(codes, minlength=n_codes).astype(np.int64)
    pairs = np.zeros((n_codes, n_codes), dtype=np.int64)
    if len(x):
        ks = encode(x.doc, x.start)
        if len(ks) > 1 and not np.all(ks[1:] >= ks[:-1]):
            # passages of positive length are counted once a pair whatever the order
            # of those starting together: the unstable sort (several times faster) will do
            order = np.argsort(ks)
            ks, sorted_codes = ks[order], codes[order]
            doc, end = x.doc[order], x.end[order]
        else:  # already in order (the caller sorted them)
            sorted_codes, doc, end = codes, x.doc, x.end
        if within is None:
            hi = np.searchsorted(ks, encode(doc, end), side="left")
        else:
            hi = np.searchsorted(ks, encode(doc, end + within), side="right")
        lo = np.arange(1, len(ks) + 1)
        has = hi > lo  # only passages with a partner after them matter
        lo, hi, own = lo[has], hi[has], sorted_codes[has]
        runs = hi - lo
        total = int(runs.sum())
        used = int(np.count_nonzero(n))
        if method == "pairs" or (method == "auto" and total <= used * len(ks)):
            pairs += _count_pairs(own, lo, runs, sorted_codes, n_codes)
        else:
            for j in range(n_codes):
                if n[j] == 0:
                    continue
                running = np.zeros(len(ks) + 1, dtype=np.int32)
                np.cumsum(sorted_codes == j, dtype=np.int32, out=running[1:])
                partners = running[hi] - running[lo]
                pairs[:, j] += np.bincount(own, weights=partners, minlength=n_codes).astype(
                    np.int64
                )
        pairs = pairs + pairs.T
        np.fill_diagonal(pairs, 0)
    denom = n[:, None] + n[None, :] - pairs
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where((denom > 0) & (pairs > 0), pairs / np.where(denom > 0, denom, 1), 0.0)
    np.fill_diagonal(c, 0.0)
    return Cooccurrence(n, pairs, c)


def _count_pairs(
    own: np.ndarray, lo: np.ndarray, runs: np.ndarray, codes: np.ndarray, n_codes: int
) -> np.ndarray:
    """Counts[i][j] of (passage of code ``own[k]``, partner of code j) over every
    partner in ``lo[k] .. lo[k] + runs[k]``, a chunk of passages at a time."""
    out = np.zeros(n_codes * n_codes, dtype=np.int64)
    ends = np.cumsum(runs)
    first = 0
    while first < len(runs):
        base = ends[first - 1] if first else 0
        last = max(first + 1, int(np.searchsorted(ends, base + _PAIRS_CHUNK, side="right")))
        r = runs[first:last]
        starts = np.repeat(lo[first:last] - (np.cumsum(r) - r), r)
        partner = starts + np.arange(len(starts))
        key = np.repeat(own[first:last] * n_codes, r) + codes[partner]
        out += np.bincount(key, minlength=n_codes * n_codes)
        first = last
    return out.reshape(n_codes, n_codes)


def c_coefficient(n1: int, n2: int, n12: int) -> float:
    """ATLAS.ti's c-coefficient n12 / (n1 + n2 - n12); 0 when nothing co-occurs."""
    denom = n1 + n2 - n12
    return n12 / denom if n12 and denom > 0 else 0.0
