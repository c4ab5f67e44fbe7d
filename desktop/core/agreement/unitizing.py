"""Krippendorff's alpha for unitizing a continuum: coders mark segments ``[start, end)`` on
``[begin, begin + length)`` and give each a category; what lies between a coder's
segments is that coder's gap. Nothing is cut into units beforehand, so uncoded text never
counts as agreement on units nobody chose.

Two published forms:

* **The per-category form** (Krippendorff 1995; *Content Analysis*, 2nd ed. 2004, section
  11.6): for one category, each coder's units of it and the gaps between them; the
  observed disagreement sums, over pairs of sections of different coders that meet, the
  squared differences of their beginnings and ends (two overlapping units), or the squared
  length of a unit lying wholly in the other coder's gap, divided by ``m (m-1) L^2``; the
  expected disagreement is the average of that over all ways to place the units in the
  gaps. Units of the category that one coder made overlapping are joined first.
* **The 2016 family** (Krippendorff, Mathet, Bouvry & Widloecher 2016, "On the reliability
  of unitizing textual continua: Further developments", Quality & Quantity 50; *Content
  Analysis*, 4th ed. 2019, ch. 12), on the coincidences of lengths: every stretch where
  coder i's section of value c meets coder j's section of value k adds its length to
  ``o_ck`` (divided by ``m-1``); gaps have the value "(gap)". From that matrix:
  ``u_alpha`` (_u alpha, all values and gaps, nominal), ``u_alpha_binary`` (|_u alpha,
  coded against not coded, every category taken together), ``cu_alpha`` (_cu alpha, the
  values of intersecting coded stretches only, gaps left out) and ``Cu_alpha`` (ATLAS.ti's
  Cu-alpha: _cu alpha with the *domain* of each category as its value, the part of a code
  path before the first "/"; equal to ``cu_alpha`` when no category has a domain). For
  the 2016 family a coder's segments must not overlap one another (each coder partitions
  the continuum); per category, the binary form is computed on that category alone.

An undefined coefficient (no variation, fewer than two coders) is ``None`` with a note.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

GAP = "(gap)"
_EPS = 1e-12


class UnitizingError(ValueError):
    """Segments that do not fit the continuum or the coefficient (the message says which)."""


@dataclass(frozen=True)
class CategoryAlpha:
    """The 1995/2004 form for one category, and the 2016 binary form on that category."""

    category: Hashable
    u_alpha: float | None
    observed_disagreement: float
    expected_disagreement: float
    u_alpha_binary: float | None = None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "u_alpha": self.u_alpha,
            "observed_disagreement": self.observed_disagreement,
            "expected_disagreement": self.expected_disagreement,
        }


@dataclass(frozen=True)
class UnitizingResult:
    coders: tuple[str, ...]
    begin: int
    length: int
    segments: int
    u_alpha: float | None
    u_alpha_binary: float | None
    cu_alpha: float | None
    Cu_alpha: float | None  # noqa: N815 - the coefficient's published name
    per_category: dict[Hashable, CategoryAlpha] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "u_alpha": self.u_alpha,
            "u_alpha_binary": self.u_alpha_binary,
            "cu_alpha": self.cu_alpha,
            "Cu_alpha": self.Cu_alpha,
            "per_category": {str(k): v.to_dict() for k, v in self.per_category.items()},
            "u_alpha_binary_per_category": {
                str(k): v.u_alpha_binary for k, v in self.per_category.items()
            },
            "coders": list(self.coders),
            "begin": self.begin,
            "length": self.length,
            "segments": self.segments,
            "notes": dict(self.notes),
        }


# --- sections of one coder -------------------------------------------------------------


def _merge(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Union of half-open intervals as sorted disjoint ones (touching ones stay apart:
    two adjacent units of a category are two units)."""
    if len(starts) == 0:
        return starts, ends
    order = np.lexsort((ends, starts))
    starts, ends = starts[order], ends[order]
    reach = np.maximum.accumulate(ends)
    new = np.ones(len(starts), dtype=bool)
    new[1:] = starts[1:] >= reach[:-1]
    firsts = np.flatnonzero(new)
    lasts = np.append(firsts[1:], len(starts)) - 1
    return starts[firsts], reach[lasts]


def _sections(
    starts: np.ndarray, ends: np.ndarray, lo: int, hi: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A coder's partition of [lo, hi): (section starts, section ends, is-unit flags)."""
    bounds = np.concatenate(([lo], np.column_stack((starts, ends)).ravel(), [hi]))
    s, e = bounds[:-1], bounds[1:]
    unit = np.zeros(len(s), dtype=bool)
    unit[1::2] = True
    keep = e > s
    return s[keep], e[keep], unit[keep]


# --- the 1995/2004 per-category form ----------------------------------------------------


def category_disagreements(
    units: Sequence[tuple[np.ndarray, np.ndarray]], begin: int, length: int
) -> tuple[float, float]:
    """Observed and expected disagreement of one category (Krippendorff 2004, 11.6).

    ``units[i]``: coder i's (starts, ends) of that category, disjoint and sorted."""
    m = len(units)
    lo, hi = begin, begin + length
    L = float(length)
    parts = [_sections(s, e, lo, hi) for s, e in units]
    observed = 0.0
    for i in range(m):
        for j in range(i + 1, m):
            observed += _pair_disagreement(parts[i], parts[j], lo, hi)
    observed = 2.0 * observed / (m * (m - 1) * L * L)

    lengths = np.concatenate([e - s for s, e in units]).astype(float)
    gaps = np.sort(np.concatenate([(e - s)[~u] for s, e, u in parts]).astype(float))
    n_units = len(lengths)
    if n_units == 0:
        return observed, 0.0
    # For each unit length l: sum over gaps G >= l of (G - l + 1), by suffix sums.
    suffix_sum = np.concatenate((np.cumsum(gaps[::-1])[::-1], [0.0]))
    first = np.searchsorted(gaps, lengths, side="left")
    count = len(gaps) - first
    fits = suffix_sum[first] - (lengths - 1.0) * count
    within = (n_units - 1) * (2 * lengths**3 - 3 * lengths**2 + lengths) / 3.0
    numerator = (within + lengths**2 * fits).sum() * 2.0 / L
    denominator = m * L * (m * L - 1) - (lengths * (lengths - 1)).sum()
    return observed, float(numerator / denominator)


def _pair_disagreement(a, b, lo: int, hi: int) -> float:
    """Sum of delta^2 over the pairs of sections of two coders that meet."""
    sa, ea, ua = a
    sb, eb, ub = b
    cuts = np.union1d(np.concatenate((sa, sb)), [lo])
    cuts = cuts[cuts < hi]
    ia = np.searchsorted(sa, cuts, side="right") - 1
    ib = np.searchsorted(sb, cuts, side="right") - 1
    pair = ia.astype(np.int64) * (len(sb) + 1) + ib
    keep = np.ones(len(pair), dtype=bool)
    keep[1:] = pair[1:] != pair[:-1]
    ia, ib = ia[keep], ib[keep]
    b1, e1, w1 = sa[ia].astype(float), ea[ia].astype(float), ua[ia]
    b2, e2, w2 = sb[ib].astype(float), eb[ib].astype(float), ub[ib]
    both = w1 & w2
    total = (((b1 - b2) ** 2 + (e1 - e2) ** 2) * both).sum()
    unit_in_gap = w1 & ~w2 & (b1 >= b2) & (e1 <= e2)
    total += ((e1 - b1) ** 2 * unit_in_gap).sum()
    gap_around_unit = ~w1 & w2 & (b2 >= b1) & (e2 <= e1)
    total += ((e2 - b2) ** 2 * gap_around_unit).sum()
    return float(total)


# --- the 2016 family ------------------------------------------------------------------------


def _partition_values(
    segments: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]], lo: int, hi: int
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per coder: section starts, ends and value index (0 = gap, v + 1 = category v)."""
    out = []
    for s, e, v in segments:
        order = np.argsort(s, kind="stable")
        s, e, v = s[order], e[order], v[order]
        ss, ee, unit = _sections(s, e, lo, hi)
        values = np.zeros(len(ss), dtype=np.int64)
        values[unit] = v + 1
        out.append((ss, ee, values))
    return out


def _atoms(parts, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stretches between any coder's boundaries: lengths and, per coder, the section
    index and value there (coders x atoms)."""
    cuts = np.unique(np.concatenate([p[0] for p in parts] + [np.array([lo])]))
    cuts = cuts[cuts < hi]
    lengths = np.diff(np.append(cuts, hi)).astype(float)
    index = np.stack([np.searchsorted(p[0], cuts, side="right") - 1 for p in parts])
    values = np.stack([p[2][idx] for p, idx in zip(parts, index, strict=True)])
    return lengths, index, values


def _coincidences(lengths: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    m = values.shape[0]
    counts = np.zeros((len(lengths), k))
    for row in values:
        counts[np.arange(len(lengths)), row] += 1
    o = (counts * lengths[:, None]).T @ counts
    o[np.diag_indices(k)] -= (counts * lengths[:, None]).sum(axis=0)
    return o / (m - 1)


def _u_alpha(parts, lengths, values, k: int) -> tuple[float | None, float | None, np.ndarray]:
    """_u alpha and |_u alpha on value indices (0 = gap), and the observed coincidences."""
    o = _coincidences(lengths, values, k)
    total = o.sum()
    seg_len = np.concatenate([p[1] - p[0] for p in parts]).astype(float)
    seg_val = np.concatenate([p[2] for p in parts])
    weight = np.where(seg_val == 0, seg_len, seg_len**2)
    w_by_value = np.bincount(seg_val, weights=weight, minlength=k)
    margins = o.sum(axis=1)
    denominator = total**2 - weight.sum()
    if abs(denominator) <= _EPS:
        return None, None, o
    e = total * (np.outer(margins, margins) - np.diag(w_by_value)) / denominator
    d_o = total - np.trace(o)
    d_e = total - np.trace(e)
    u = None if d_e <= _EPS else float(1.0 - d_o / d_e)
    bin_o = margins[0] - o[0, 0]
    bin_e = e[0].sum() - e[0, 0]
    binary = None if bin_e <= _EPS else float(1.0 - bin_o / bin_e)
    return u, binary, o


def _cu_alpha(lengths, index, values, o: np.ndarray, k: int) -> float | None:
    """_cu alpha (nominal): the values of intersecting coded stretches, gaps left out."""
    m = values.shape[0]
    if m < 2 or k < 3:
        return None
    oc = o[1:, 1:]
    margins = oc.sum(axis=1)
    total = margins.sum()
    if total <= _EPS:
        return None
    # For each coded section g of coder i and each other coder j: the length of g that
    # j also coded (any value), squared.
    squares = np.zeros(k - 1)
    for i in range(m):
        coded_i = values[i] > 0
        for j in range(m):
            if i == j:
                continue
            both = coded_i & (values[j] > 0)
            if not both.any():
                continue
            sec = index[i][both]
            per_section = np.bincount(sec, weights=lengths[both])
            owners = np.flatnonzero(per_section)
            sec_values = np.zeros(len(per_section), dtype=np.int64)
            sec_values[sec] = values[i][both]
            np.add.at(squares, sec_values[owners] - 1, per_section[owners] ** 2)
    s_all = squares.sum()
    denominator = total - s_all / (total * (m - 1))
    if abs(denominator) <= _EPS:
        return None
    e_diag = (margins**2 - squares / (m - 1)) / denominator
    d_o = total - np.trace(oc)
    # The expected coincidences add up to ``total``, as the observed ones do.
    d_e = total - e_diag.sum()
    if d_e <= _EPS:
        return None
    return float(1.0 - d_o / d_e)


# --- everything --------------------------------------------------------------------------


def unitizing_alpha(
    segments: Mapping[str, Iterable[tuple[int, int, Hashable]]],
    length: int,
    begin: int = 0,
    *,
    domain_of=None,
) -> UnitizingResult:
    """All unitizing coefficients for ``segments`` (coder -> (start, end, category)) on
    the continuum ``[begin, begin + length)``. ``domain_of(category)`` gives a category's
    domain for ``Cu_alpha`` (default: the part of its name before the first "/")."""
    coders = tuple(segments)
    if len(coders) < 2:
        raise UnitizingError("unitizing alpha needs at least two coders")
    if length <= 0:
        raise UnitizingError(f"the continuum needs a positive length ({length} given)")
    lo, hi = int(begin), int(begin) + int(length)
    rows = {c: list(segments[c]) for c in coders}
    categories = list(dict.fromkeys(cat for c in coders for _, _, cat in rows[c]))
    cat_index = {cat: i for i, cat in enumerate(categories)}
    arrays = []
    count = 0
    for c in coders:
        arr = np.asarray([(s, e, cat_index[cat]) for s, e, cat in rows[c]], dtype=np.int64)
        arr = arr.reshape(-1, 3)
        bad = (arr[:, 0] < lo) | (arr[:, 1] > hi) | (arr[:, 0] >= arr[:, 1])
        if bad.any():
            s, e, _ = arr[np.flatnonzero(bad)[0]]
            raise UnitizingError(
                f"coder {c!r}: segment [{s}, {e}) is not a non-empty stretch of the "
                f"continuum [{lo}, {hi})"
            )
        count += len(arr)
        arrays.append(arr)

    per_category: dict[Hashable, CategoryAlpha] = {}
    for v, cat in enumerate(categories):
        units = [_merge(a[a[:, 2] == v, 0], a[a[:, 2] == v, 1]) for a in arrays]
        d_o, d_e = category_disagreements(units, lo, hi - lo)
        value = None if d_e <= _EPS else 1.0 - d_o / d_e
        single = [(s, e, np.zeros(len(s), dtype=np.int64)) for s, e in units]
        binary = _family(single, lo, hi, 1, None)[1]
        per_category[cat] = CategoryAlpha(
            cat, value, d_o, d_e, binary, "" if value is not None else "no variation"
        )

    notes: dict[str, str] = {}
    overlapping = [c for c, a in zip(coders, arrays, strict=True) if _overlaps(a)]
    if overlapping:
        note = (
            "segments of one coder overlap ("
            + ", ".join(overlapping)
            + "): the 2016 coefficients need each coder's segments to be disjoint"
        )
        notes.update({k: note for k in ("u_alpha", "u_alpha_binary", "cu_alpha", "Cu_alpha")})
        u = binary = cu = big = None
    else:
        triples = [(a[:, 0], a[:, 1], a[:, 2]) for a in arrays]
        u, binary, cu = _family(triples, lo, hi, len(categories), "cu")
        domain_of = domain_of or _domain
        domains = list(dict.fromkeys(domain_of(cat) for cat in categories))
        d_index = np.asarray([domains.index(domain_of(cat)) for cat in categories], dtype=np.int64)
        by_domain = [(s, e, d_index[v] if len(v) else v) for s, e, v in triples]
        big = _family(by_domain, lo, hi, len(domains), "cu")[2]
        if cu is None:
            notes["cu_alpha"] = "needs two or more categories that coders' segments share"
        if big is None:
            notes["Cu_alpha"] = "needs two or more domains that coders' segments share"
    return UnitizingResult(coders, lo, hi - lo, count, u, binary, cu, big, per_category, notes)


def _family(triples, lo: int, hi: int, n_values: int, cu: str | None):
    parts = _partition_values(triples, lo, hi)
    lengths, index, values = _atoms(parts, lo, hi)
    u, binary, o = _u_alpha(parts, lengths, values, n_values + 1)
    c = _cu_alpha(lengths, index, values, o, n_values + 1) if cu else None
    return u, binary, c


def _overlaps(arr: np.ndarray) -> bool:
    if len(arr) < 2:
        return False
    order = np.argsort(arr[:, 0], kind="stable")
    s, e = arr[order, 0], arr[order, 1]
    return bool((s[1:] < np.maximum.accumulate(e)[:-1]).any())


def _domain(category: Hashable) -> Hashable:
    return str(category).split("/", 1)[0].strip() if "/" in str(category) else category


# --- over a project's documents -------------------------------------------------------------


@dataclass(frozen=True)
class UnitizingRow:
    """Unitizing alpha of one code in one document (or pooled: ``document is None``):
    the 1995/2004 per-category form and the 2016 binary form |_u alpha."""

    code: str
    document: str | None
    length: int
    segments: dict[str, int]
    u_alpha: float | None
    observed_disagreement: float
    expected_disagreement: float
    u_alpha_binary: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "scope": "pooled" if self.document is None else "document",
            "document": self.document,
            "length": self.length,
            "segments": dict(self.segments),
            "u_alpha": self.u_alpha,
            "observed_disagreement": self.observed_disagreement,
            "expected_disagreement": self.expected_disagreement,
            "u_alpha_binary": self.u_alpha_binary,
        }


def corpus_unitizing(
    lengths: Mapping[Hashable, int],
    codings: Mapping[str, Iterable[tuple[Hashable, Hashable, int, int]]],
    codes: Sequence[Hashable],
    *,
    code_names: Mapping[Hashable, str] | None = None,
    document_names: Mapping[Hashable, str] | None = None,
    progress=None,
) -> list[UnitizingRow]:
    """Per code: one row per document (the document is the continuum) and one pooled row
    (the documents laid end to end as one continuum), on the codings' own character
    offsets; a coder's overlapping codings of a code are joined first."""
    coders = tuple(codings)
    if len(coders) < 2:
        raise UnitizingError("unitizing alpha needs at least two coders")
    code_names = dict(code_names or {})
    document_names = dict(document_names or {})
    docs = list(lengths)
    offset = dict(zip(docs, np.cumsum([0, *[lengths[d] for d in docs[:-1]]]).tolist(), strict=True))
    total = int(sum(lengths.values()))
    code_set = set(codes)
    by: dict[tuple[Hashable, Hashable, int], list[tuple[int, int]]] = {}
    for i, c in enumerate(coders):
        for doc, code, start, end in codings[c]:
            if doc in offset and code in code_set:
                by.setdefault((code, doc, i), []).append((start, end))
    rows: list[UnitizingRow] = []
    pooled: list[UnitizingRow] = []
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    for n, code in enumerate(codes):
        label = str(code_names.get(code, code))
        all_units: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in coders]
        counts_total = dict.fromkeys(coders, 0)
        for doc in docs:
            units, counts = [], {}
            for i, c in enumerate(coders):
                spans = by.get((code, doc, i))
                counts[c] = len(spans) if spans else 0
                if spans:
                    arr = np.asarray(spans, dtype=np.int64)
                    units.append(_merge(arr[:, 0], arr[:, 1]))
                else:
                    units.append(empty)
                counts_total[c] += counts[c]
                all_units[i].append((units[i][0] + offset[doc], units[i][1] + offset[doc]))
            if not any(counts.values()) or lengths[doc] <= 0:
                continue
            rows.append(_unitizing_row(label, str(document_names.get(doc, doc)), units,
                                       0, int(lengths[doc]), counts))  # fmt: skip
        joined = [
            (np.concatenate([s for s, _ in parts] or [empty[0]]),
             np.concatenate([e for _, e in parts] or [empty[1]]))
            for parts in all_units
        ]  # fmt: skip
        if total > 0:
            pooled.append(_unitizing_row(label, None, joined, 0, total, counts_total))
        if progress is not None:
            progress(n + 1, len(codes))
    return pooled + rows


def _unitizing_row(label, document, units, begin: int, length: int, counts) -> UnitizingRow:
    d_o, d_e = category_disagreements(units, begin, length)
    value = None if d_e <= _EPS else 1.0 - d_o / d_e
    single = [(s, e, np.zeros(len(s), dtype=np.int64)) for s, e in units]
    binary = _family(single, begin, begin + length, 1, None)[1]
    return UnitizingRow(label, document, length, counts, value, d_o, d_e, binary)
