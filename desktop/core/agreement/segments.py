"""Segment matching as MAXQDA's intercoder agreement does it at the segment level.

Two coders, A and B. A coding (segment) of a code by A *matches* when B coded the same
code in the same document on a segment that overlaps it by at least ``threshold`` percent,
the overlap measured as the shared characters divided by the stretch both segments cover
together, from the first start to the last end (so 100 % means the same boundaries; two
segments one inside the other overlap by the shorter's share of the longer). The same is
checked for each segment of B. Every segment counts once, on its coder's side:

* ``matched``: segments of either coder that have a match,
* ``only_a`` / ``only_b``: segments of A (of B) without one.

Percent agreement is ``matched / (matched + only_a + only_b)``. Kappa on segments follows
MAXQDA (after Brennan & Prediger 1981): chance agreement is ``1 / q`` with ``q`` the number
of codes in the analysis, so ``kappa = (P_o - 1/q) / (1 - 1/q)``; with a single code it is
undefined. Rows: per code and document, per code over all documents, and all codes
pooled; ``passages`` lists every segment with its match (or none), passage by passage.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Span = tuple[Hashable, Hashable, int, int]  # (document, code, start, end)


@dataclass(frozen=True)
class SegmentRow:
    code: str | None  # None: all codes
    document: str | None  # None: all documents
    matched: int
    only_a: int
    only_b: int
    codes_in_analysis: int

    @property
    def percent_agreement(self) -> float | None:
        total = self.matched + self.only_a + self.only_b
        return None if total == 0 else self.matched / total

    @property
    def kappa(self) -> float | None:
        p = self.percent_agreement
        q = self.codes_in_analysis
        if p is None or q < 2:
            return None
        return (p - 1.0 / q) / (1.0 - 1.0 / q)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "document": self.document,
            "matched": self.matched,
            "only_a": self.only_a,
            "only_b": self.only_b,
            "percent_agreement": self.percent_agreement,
            "kappa": self.kappa,
        }


@dataclass(frozen=True)
class Passage:
    document: str
    code: str
    a: tuple[int, int] | None
    b: tuple[int, int] | None
    overlap: float  # percent, 0 when unmatched

    def to_dict(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "code": self.code,
            "a": list(self.a) if self.a else None,
            "b": list(self.b) if self.b else None,
            "overlap_percent": self.overlap,
        }


@dataclass(frozen=True)
class SegmentMatching:
    coders: tuple[str, str]
    threshold: float
    rows: list[SegmentRow] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    definition: str = (
        "Two codings of a code match when they overlap by at least the threshold, as a "
        "share of the stretch from the first start to the last end; kappa = (P_o - 1/q) / "
        "(1 - 1/q), q = codes in the analysis (MAXQDA, after Brennan & Prediger)."
    )

    def to_dict(self) -> dict[str, Any]:
        return {
            "coders": list(self.coders),
            "threshold_percent": self.threshold,
            "definition": self.definition,
            "rows": [r.to_dict() for r in self.rows],
            "passages": [p.to_dict() for p in self.passages],
        }


def overlap_percent(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """len(a) x len(b) overlap percentages of (start, end) rows (see the module docstring)."""
    shared = np.minimum(a[:, None, 1], b[None, :, 1]) - np.maximum(a[:, None, 0], b[None, :, 0])
    cover = np.maximum(a[:, None, 1], b[None, :, 1]) - np.minimum(a[:, None, 0], b[None, :, 0])
    return np.where(shared > 0, 100.0 * shared / np.maximum(cover, 1), 0.0)


def segment_matching(
    codings: Mapping[str, Iterable[Span]],
    threshold: float,
    *,
    code_names: Mapping[Hashable, str] | None = None,
    document_names: Mapping[Hashable, str] | None = None,
    codes: Iterable[Hashable] | None = None,
) -> SegmentMatching:
    """Match two coders' segments (coder -> (document, code, start, end))."""
    if len(codings) != 2:
        raise ValueError(f"segment matching compares exactly 2 coders, {len(codings)} given")
    if not 0 < threshold <= 100:
        raise ValueError(f"the overlap threshold must be a percentage in (0, 100], not {threshold}")
    (name_a, spans_a), (name_b, spans_b) = codings.items()
    code_names = dict(code_names or {})
    document_names = dict(document_names or {})
    wanted = None if codes is None else set(codes)
    groups: dict[tuple[Hashable, Hashable], tuple[list, list]] = {}
    for side, spans in ((0, spans_a), (1, spans_b)):
        for doc, code, start, end in spans:
            if wanted is not None and code not in wanted:
                continue
            groups.setdefault((code, doc), ([], []))[side].append((start, end))
    code_keys = list(dict.fromkeys(code for code, _ in groups)) if codes is None else list(codes)
    q = len(code_keys)

    def cname(c: Hashable) -> str:
        return str(code_names.get(c, c))

    def dname(d: Hashable) -> str:
        return str(document_names.get(d, d))

    per_doc: list[SegmentRow] = []
    passages: list[Passage] = []
    totals: dict[Hashable, list[int]] = {c: [0, 0, 0] for c in code_keys}
    for (code, doc), (a_list, b_list) in sorted(
        groups.items(), key=lambda kv: (code_keys.index(kv[0][0]), dname(kv[0][1]))
    ):
        a = np.asarray(sorted(a_list), dtype=np.int64).reshape(-1, 2)
        b = np.asarray(sorted(b_list), dtype=np.int64).reshape(-1, 2)
        pct = overlap_percent(a, b) if len(a) and len(b) else np.zeros((len(a), len(b)))
        ok = pct >= threshold
        a_hit, b_hit = ok.any(axis=1), ok.any(axis=0)
        for i in range(len(a)):
            if a_hit[i]:
                j = int(np.argmax(np.where(ok[i], pct[i], -1)))
                passages.append(Passage(dname(doc), cname(code), tuple(map(int, a[i])),
                                        tuple(map(int, b[j])), float(pct[i, j])))  # fmt: skip
            else:
                passages.append(Passage(dname(doc), cname(code), tuple(map(int, a[i])), None, 0.0))
        for j in np.flatnonzero(~b_hit):
            passages.append(Passage(dname(doc), cname(code), None, tuple(map(int, b[j])), 0.0))
        matched = int(a_hit.sum() + b_hit.sum())
        only_a, only_b = int((~a_hit).sum()), int((~b_hit).sum())
        per_doc.append(SegmentRow(cname(code), dname(doc), matched, only_a, only_b, q))
        t = totals[code]
        t[0] += matched
        t[1] += only_a
        t[2] += only_b
    pooled = [SegmentRow(cname(c), None, *totals[c], q) for c in code_keys]
    overall = SegmentRow(None, None, *(sum(t[i] for t in totals.values()) for i in range(3)), q)
    passages.sort(key=lambda p: (p.document, min(x[0] for x in (p.a, p.b) if x), p.code))
    return SegmentMatching((name_a, name_b), float(threshold), [overall, *pooled, *per_doc],
                           passages)  # fmt: skip
