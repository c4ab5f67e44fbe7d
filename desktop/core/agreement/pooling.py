"""Coding patterns added up over documents, for the pooled rows of the agreement report.

A pattern is a unit's coding by the coders as bits (bit i: coder i coded it); a column
is a unit's values for the coders (for a set of exclusive codes). ``PatternPool`` adds
them up document by document and keeps them reduced; ``sweep_all`` computes the
patterns of many documents at once, in one vectorised sweep, when only the pooled rows
are wanted."""

from __future__ import annotations

import numpy as np

from desktop.core.agreement.units import pool_patterns


class PatternPool:
    """Pattern counts (or distinct columns) added up over documents, reduced as they grow
    so that memory stays proportional to the distinct patterns, not to the documents."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, np.ndarray]] = []
        self.units = 0  # units of the swept pairs

    def add(self, patterns: tuple[np.ndarray, np.ndarray], n_units: int) -> None:
        self.parts.append(patterns)
        self.units += n_units
        if len(self.parts) > 256:
            self.parts = [pool_patterns(self.parts)]

    def patterns(self, uncoded: int) -> tuple[np.ndarray, np.ndarray]:
        zero = (np.zeros(1, dtype=np.int64), np.array([uncoded], dtype=np.int64))
        return pool_patterns([*self.parts, zero] if uncoded > 0 else self.parts)

    def add_columns(self, columns: np.ndarray, weights: np.ndarray) -> None:
        self.parts.append((columns, weights))
        self.units += int(weights.sum())
        if len(self.parts) > 256:
            self.parts = [_pool_columns(*_concat_columns(self.parts, len(columns)))]

    def columns(self, n_coders: int, uncoded: int) -> tuple[np.ndarray, np.ndarray]:
        parts = list(self.parts)
        if uncoded > 0:
            zero = np.zeros((n_coders, 1), dtype=np.int64)
            parts.append((zero, np.array([uncoded], dtype=np.int64)))
        return _pool_columns(*_concat_columns(parts, n_coders))


def _concat_columns(parts, n_coders: int) -> tuple[np.ndarray, np.ndarray]:
    columns = np.concatenate(
        [np.zeros((n_coders, 0), dtype=np.int64)] + [c.astype(np.int64) for c, _ in parts], axis=1
    )
    weights = np.concatenate([np.zeros(0, dtype=np.int64)] + [w for _, w in parts])
    return columns, weights


def _pool_columns(columns: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if columns.shape[1] == 0:
        return columns, weights
    unique, inverse = np.unique(columns, axis=1, return_inverse=True)
    return unique, np.bincount(inverse.ravel(), weights=weights).astype(np.int64)


_SHIFT = np.int64(1) << np.int64(32)  # room for any unit position (a text < 2**32 units)


def sweep_all(
    batched: list, wanted: np.ndarray, n_coders: int
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per code: the coded patterns (bit i = coder i) and how many units show each, for
    all documents in one vectorised sweep: each (code, document, coder) group of
    intervals is merged, then each (code, document) pair swept, with every group placed
    at its own offset (group * 2**32 + unit) so that one sort and one cumulative sum
    serve all pairs. Units nobody coded (pattern 0) are not counted here."""
    if not batched:
        return {}
    doc = np.concatenate([np.full(len(c), j, dtype=np.int64) for j, _, c, _, _ in batched])
    coder = np.concatenate([np.full(len(c), i, dtype=np.int64) for _, i, c, _, _ in batched])
    code = np.concatenate([c for _, _, c, _, _ in batched]).astype(np.int64)
    first = np.concatenate([f for _, _, _, f, _ in batched]).astype(np.int64)
    stop = np.concatenate([t for _, _, _, _, t in batched]).astype(np.int64)
    keep = (first < stop) & wanted[code]
    doc, coder, code, first, stop = doc[keep], coder[keep], code[keep], first[keep], stop[keep]
    if len(doc) == 0:
        return {}
    n_docs = int(doc.max()) + 1
    pair = code * n_docs + doc
    group = pair * n_coders + coder
    order = np.lexsort((first, group))
    base = group[order] * _SHIFT
    a, b = base + first[order], base + stop[order]
    reach = np.maximum.accumulate(b)  # groups are disjoint ranges: no reset needed
    new = np.ones(len(a), dtype=bool)
    new[1:] = a[1:] > reach[:-1]
    starts = np.flatnonzero(new)
    ends = np.append(starts[1:], len(a)) - 1
    m_group = group[order][starts]
    m_first, m_stop = a[starts] - m_group * _SHIFT, reach[ends] - m_group * _SHIFT
    m_pair, m_coder = m_group // n_coders, m_group % n_coders
    bit = np.left_shift(np.int64(1), m_coder)
    pos = np.concatenate([m_pair * _SHIFT + m_first, m_pair * _SHIFT + m_stop])
    delta = np.concatenate([bit, -bit])
    order = np.argsort(pos, kind="stable")
    pos, state = pos[order], np.cumsum(delta[order])
    last = np.ones(len(pos), dtype=bool)
    last[:-1] = pos[1:] != pos[:-1]
    pos, state = pos[last], state[last]
    # a non-zero state is an open interval, so the next position is in the same pair
    inside = state[:-1] != 0
    lengths = (pos[1:] - pos[:-1])[inside]
    seg_code = (pos[:-1][inside] // _SHIFT) // n_docs
    seg_state = state[:-1][inside]
    key = seg_code * (np.int64(1) << np.int64(n_coders)) + seg_state
    unique, inverse = np.unique(key, return_inverse=True)
    totals = np.bincount(inverse, weights=lengths).astype(np.int64)
    out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    codes_of = unique >> np.int64(n_coders)
    for k in np.unique(codes_of).tolist():
        pick = codes_of == k
        out[int(k)] = (unique[pick] & ((np.int64(1) << np.int64(n_coders)) - 1), totals[pick])
    return out
