"""Agreement over a project's documents: per code, per document and pooled.

Each code is a binary variable: every unit is coded (1) or not coded (0) by every coder,
so there are no missing values and all coefficients apply. Pooled rows treat the units of
all documents as one sample (they add up the per-document statistics; they are not an
average of per-document coefficients).

A set of mutually exclusive codes is one nominal variable: a unit's value for a coder is
the code of the set the coder gave it; a unit given several codes of the set gets the
combination as its value (it agrees only with the same combination; such units are
counted as ``conflicts``); a unit given none is missing (by default: alpha then measures
agreement on *which* code among units that at least two coders coded from the set), or,
with ``none_as_value=True``, has the value "(none)", so that coding against not coding
counts as disagreement too.

The work per document is a sweep over the codings' ends (O(spans log spans)), not over
units, so a million character units cost no more than a thousand. Without per-document
rows (``by_document=False``) only the (document, code) pairs somebody coded are swept; a
pair nobody coded adds its length in units to the pooled "nobody coded" count and nothing
else, so the time and memory grow with the codings plus one pass over the documents.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence

import numpy as np

from desktop.core.agreement.coefficients import Reliability
from desktop.core.agreement.data import MISSING, ReliabilityData
from desktop.core.agreement.measures import reliability
from desktop.core.agreement.pooling import PatternPool, sweep_all
from desktop.core.agreement.report import AgreementRow, Report
from desktop.core.agreement.units import (
    _PARAGRAPH_BREAK,
    UNIT_KINDS,
    SentenceSegmenter,
    coding_patterns,
    coverage,
    distinct_columns,
    exclusive_values,
    pattern_matrix,
    segmentation_record,
    sentence_spans,
    to_unit_intervals,
    unit_count,
    unit_spans,
)

STRETCHES = ("sentence", "paragraph")

NONE_LABEL = "(none)"

Span = tuple[Hashable, Hashable, int, int]  # (document, code, start, end)


def corpus_agreement(
    documents: Mapping[Hashable, str],
    codings: Mapping[str, Iterable[Span]],
    codes: Sequence[Hashable],
    *,
    unit: str = "char",
    exclusive: Collection[Hashable] | None = None,
    none_as_value: bool = False,
    code_names: Mapping[Hashable, str] | None = None,
    document_names: Mapping[Hashable, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    coded_stretches: str | None = None,
    by_document: bool = True,
    document_rows: Callable[[AgreementRow], None] | None = None,
    segmenter: SentenceSegmenter | None = None,
) -> Report:
    """Agreement of the coders in ``codings`` (coder name -> (document, code, start, end)
    spans) on ``documents`` (key -> text), for each of ``codes``.

    Returns a ``Report`` with, for each code, one row per document and one pooled row;
    and the same for the ``exclusive`` set of codes if given. Spans of other codes or
    documents are ignored. Needs at least two coders. ``progress(done, total)`` is called
    after each document (a worker cancels by raising from it).

    ``coded_stretches`` ("sentence" or "paragraph"): count, for each code (or set), only
    the units inside a sentence or paragraph that holds a coding of it by any coder, so
    that long uncoded stretches do not count as agreement; default: every unit.

    ``by_document=False``: pooled rows only (per code and set), computed from the coded
    (document, code) pairs alone. ``document_rows``: called with each per-document row as
    it is computed, instead of keeping it in the report (rows stream to a writer).
    ``documents`` is read once, in order, through ``items()`` (a lazy mapping may load
    texts as it goes); ``codings`` values may also be (n, 4) integer arrays.

    ``segmenter``: the sentence segmenter (default: ICU's root rules); the report records
    it, with the segmenter's version, in ``segmentation``.
    """
    if coded_stretches is not None and coded_stretches not in STRETCHES:
        raise ValueError(f"unknown stretch {coded_stretches!r}: use sentence or paragraph")
    if unit not in UNIT_KINDS:
        raise ValueError(f"unknown unit {unit!r}: use one of {', '.join(UNIT_KINDS)}")
    coders = tuple(codings)
    if len(coders) < 2:
        raise ValueError("agreement needs at least two coders")
    code_names = dict(code_names or {})
    document_names = dict(document_names or {})
    codes = list(dict.fromkeys(codes))
    exclusive = list(dict.fromkeys(exclusive or ()))
    all_codes = list(dict.fromkeys([*codes, *exclusive]))
    code_index = {c: k for k, c in enumerate(all_codes)}
    doc_keys = list(documents)
    doc_index = {d: j for j, d in enumerate(doc_keys)}

    spans = [_span_arrays(codings[c], doc_index, code_index) for c in coders]
    needs_sentences = unit == "sentence" or coded_stretches == "sentence"
    tokenizer = (segmenter or SentenceSegmenter()) if needs_sentences else None

    code_label = [str(code_names.get(c, c)) for c in all_codes]
    doc_label = [str(document_names.get(d, d)) for d in doc_keys]
    set_label = " | ".join(code_label[code_index[c]] for c in exclusive)
    code_ks = [code_index[c] for c in codes]
    set_ks = [code_index[c] for c in exclusive]
    wanted = np.zeros(len(all_codes), dtype=bool)
    wanted[code_ks] = True
    in_set = np.zeros(len(all_codes), dtype=bool)
    in_set[set_ks] = True
    per_code = {k: PatternPool() for k in code_ks}
    set_pool = PatternPool()
    n_codings = np.zeros((len(coders), len(all_codes)), dtype=np.int64)
    total_units = 0
    rows: list[AgreementRow] = []
    # (document, coder, codes, first units, stops) of every document, for one sweep
    batched: list | None = [] if not by_document and coded_stretches is None else None

    def emit(row: AgreementRow) -> None:
        if document_rows is not None:
            document_rows(row)
        else:
            rows.append(row)

    for j, (key, text) in enumerate(documents.items()):
        if doc_index.get(key) != j:
            raise ValueError("documents changed while they were read")
        slices = [s.in_document(j) for s in spans]
        counts = np.stack([s.counts_in(j, len(all_codes)) for s in spans])
        n_codings += counts
        coded = counts.sum(axis=0) > 0
        if not by_document and not coded.any():
            # nobody coded anything here: only the document's length counts
            if coded_stretches is None:
                total_units += unit_count(len(text), unit_spans(text, unit, tokenizer))
            if progress is not None:
                progress(j + 1, len(doc_keys))
            continue
        bounds = unit_spans(text, unit, tokenizer)
        n_units = unit_count(len(text), bounds)
        if coded_stretches is None:
            total_units += n_units
        if batched is not None:
            # pooled rows only: the unit intervals of all documents are swept at once below
            for i, (sp, sl) in enumerate(zip(spans, slices, strict=True)):
                first, stop = to_unit_intervals(sp.start[sl], sp.end[sl], len(text), bounds,
                                                drop_empty=False)  # fmt: skip
                batched.append((j, i, sp.code[sl], first, stop))
            if not (exclusive and coded[in_set].any()):
                if progress is not None:
                    progress(j + 1, len(doc_keys))
                continue
        intervals = [_unit_intervals(s, sl, len(all_codes), len(text), bounds)
                     for s, sl in zip(spans, slices, strict=True)]  # fmt: skip
        stretches = _stretch_spans(text, coded_stretches, tokenizer) if coded_stretches else None
        sweep = [] if batched is not None else (
            code_ks if by_document else [k for k in code_ks if coded[k]])  # fmt: skip
        for k in sweep:
            if stretches is None:
                patterns = coding_patterns(n_units, [iv.get(k, _EMPTY) for iv in intervals])
                n_row = n_units
            else:
                inside = _coded_stretches(stretches, spans, slices, [k], len(text), bounds)
                patterns = _only_inside(
                    coding_patterns(n_units, [iv.get(k, _EMPTY) for iv in intervals] + [inside]),
                    len(coders),
                )
                n_row = int(patterns[1].sum())
            per_code[k].add(patterns, n_row)
            if by_document:
                ncodings = {coder: int(counts[i][k]) for i, coder in enumerate(coders)}
                emit(_binary_row(code_label[k], doc_label[j], coders, n_row, patterns, ncodings))
        if exclusive and (by_document or coded[in_set].any()):
            values = np.stack(
                [exclusive_values(n_units, [iv.get(k, _EMPTY) for k in set_ks]) for iv in intervals]
            )
            if stretches is not None:
                first, stop = _coded_stretches(stretches, spans, slices, set_ks, len(text), bounds)
                values = values[:, coverage(n_units, first, stop).astype(bool)]
            columns, weights = distinct_columns(values)
            set_pool.add_columns(columns, weights)
            if by_document:
                ncodings = {coder: int(counts[i][set_ks].sum()) for i, coder in enumerate(coders)}
                emit(
                    _set_row(
                        set_label,
                        doc_label[j],
                        coders,
                        columns,
                        weights,
                        ncodings,
                        [code_label[k] for k in set_ks],
                        none_as_value,
                    )
                )
        if progress is not None:
            progress(j + 1, len(doc_keys))

    if batched is not None:
        for k, patterns in sweep_all(batched, wanted, len(coders)).items():
            per_code[k].add(patterns, int(patterns[1].sum()))
    pooled: list[AgreementRow] = []
    for k in code_ks:
        # units of the pairs not swept (nobody coded the code there) are all pattern 0
        patterns = per_code[k].patterns(total_units - per_code[k].units)
        ncodings = {coder: int(n_codings[i][k]) for i, coder in enumerate(coders)}
        n_units = int(patterns[1].sum())
        pooled.append(_binary_row(code_label[k], None, coders, n_units, patterns, ncodings))
    if exclusive:
        columns, weights = set_pool.columns(len(coders), total_units - set_pool.units)
        ncodings = {coder: int(n_codings[i][set_ks].sum()) for i, coder in enumerate(coders)}
        pooled.append(
            _set_row(
                set_label,
                None,
                coders,
                columns,
                weights,
                ncodings,
                [code_label[k] for k in set_ks],
                none_as_value,
            )
        )
    counted = (
        "every unit of the documents (uncoded text counts as agreement on not coding)"
        if coded_stretches is None
        else f"only units inside a {coded_stretches} that holds a coding of the code by any coder"
    )
    missing = (
        "a unit given no code of the set is the value (none): coding against not coding "
        "is a disagreement"
        if none_as_value
        else "a unit given no code of the set is missing: agreement given that both coded"
    )
    return Report(
        unit=unit,
        coders=coders,
        documents=tuple(doc_label),
        rows=pooled + rows,
        units_counted=counted,
        exclusive_missing=missing if exclusive else "",
        segmentation=segmentation_record(unit, segmenter, coded_stretches),
    )


def _stretch_spans(text: str, kind: str, tokenizer) -> np.ndarray:
    """(n, 2) [start, end) of the sentences or paragraphs of ``text``."""
    if kind == "sentence":
        return sentence_spans(text, tokenizer)
    spans, start = [], 0
    for brk in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = len(text) if brk is None else brk.start()
        if end > start:
            spans.append((start, end))
        if brk is not None:
            start = brk.end()
    return np.asarray(spans, dtype=np.int64).reshape(-1, 2)


def _coded_stretches(
    stretches: np.ndarray, spans: list, slices: list[slice], ks: list[int], length: int, bounds
) -> tuple[np.ndarray, np.ndarray]:
    """Unit intervals of the stretches that hold a coding of one of codes ``ks``."""
    starts, ends = [], []
    for s, sl in zip(spans, slices, strict=True):
        pick = np.isin(s.code[sl], ks)
        starts.append(s.start[sl][pick])
        ends.append(s.end[sl][pick])
    a, b = np.concatenate(starts), np.concatenate(ends)
    if len(a) == 0 or len(stretches) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    # a stretch [x, y) holds a coding [a, b) when a < y and x < b
    order = np.argsort(a)
    a_sorted = a[order]
    b_max = np.maximum.accumulate(b[order])
    last = np.searchsorted(a_sorted, stretches[:, 1], side="left") - 1
    hit = (last >= 0) & (b_max[np.maximum(last, 0)] > stretches[:, 0])
    # among the codings that start before y, one overlaps iff the furthest end is past x
    chosen = stretches[hit]
    return to_unit_intervals(chosen[:, 0], chosen[:, 1], length, bounds)


def _only_inside(patterns: tuple[np.ndarray, np.ndarray], n_coders: int):
    """Keep the units whose pattern has the stretch bit, without that bit."""
    keys, counts = patterns
    bit = np.int64(1) << np.int64(n_coders)
    keep = (keys & bit) != 0
    return keys[keep] & ~bit, counts[keep]


class _Spans:
    """One coder's spans as arrays, sorted by (document, code)."""

    def __init__(self, doc: np.ndarray, code: np.ndarray, start: np.ndarray, end: np.ndarray):
        order = np.lexsort((code, doc))
        self.doc, self.code = doc[order], code[order]
        self.start, self.end = start[order], end[order]

    def in_document(self, j: int) -> slice:
        lo, hi = np.searchsorted(self.doc, [j, j + 1])
        return slice(int(lo), int(hi))

    def counts_in(self, j: int, n_codes: int) -> np.ndarray:
        return np.bincount(self.code[self.in_document(j)], minlength=n_codes)


_EMPTY = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))


def _span_arrays(spans, doc_index: Mapping, code_index: Mapping) -> _Spans:
    """A coder's spans as arrays of document and code positions; ``spans``: (document,
    code, start, end) tuples, or an (n, 4) integer array of them. Spans of other
    documents or codes are left out."""
    if isinstance(spans, np.ndarray):
        arr = spans.reshape(-1, 4).astype(np.int64, copy=False)
        doc = _positions(arr[:, 0], doc_index)
        code = _positions(arr[:, 1], code_index)
        keep = (doc >= 0) & (code >= 0)
        return _Spans(doc[keep], code[keep], arr[keep, 2], arr[keep, 3])
    rows = [
        (doc_index[d], code_index[c], s, e)
        for d, c, s, e in spans
        if d in doc_index and c in code_index
    ]
    arr = np.asarray(rows, dtype=np.int64).reshape(-1, 4)
    return _Spans(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3])


def _positions(keys: np.ndarray, index: Mapping) -> np.ndarray:
    """Positions of integer ``keys`` in ``index`` (key -> position), -1 where absent."""
    known = np.fromiter(index.keys(), dtype=np.int64, count=len(index))
    where = np.fromiter(index.values(), dtype=np.int64, count=len(index))
    order = np.argsort(known)
    known, where = known[order], where[order]
    at = np.clip(np.searchsorted(known, keys), 0, max(len(known) - 1, 0))
    found = (known[at] == keys) if len(known) else np.zeros(len(keys), dtype=bool)
    return np.where(found, where[at] if len(known) else -1, -1)


def _unit_intervals(
    spans: _Spans, sl: slice, n_codes: int, length: int, bounds: np.ndarray | None
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per code index this coder used in the document (slice ``sl``): the unit intervals."""
    first, stop = to_unit_intervals(
        spans.start[sl], spans.end[sl], length, bounds, drop_empty=False
    )
    keep = first < stop
    first, stop, kept_code = first[keep], stop[keep], spans.code[sl][keep]
    if len(kept_code) == 0:
        return {}
    used = np.unique(kept_code)
    lo = np.searchsorted(kept_code, used, side="left")
    hi = np.searchsorted(kept_code, used, side="right")
    return {int(k): (first[a:b], stop[a:b]) for k, a, b in zip(used.tolist(), lo, hi, strict=True)}


def _binary_row(
    code: str,
    document: str | None,
    coders: tuple[str, ...],
    n_units: int,
    patterns: tuple[np.ndarray, np.ndarray],
    ncodings: dict[str, int],
) -> AgreementRow:
    keys, counts = patterns
    matrix = pattern_matrix(keys, len(coders))
    data = ReliabilityData(matrix, (0, 1), counts, coders, numeric=True)
    coded = {c: int(counts[matrix[i] == 1].sum()) for i, c in enumerate(coders)}
    by_any = int(counts[keys != 0].sum())
    return AgreementRow(
        "code", code, document, n_units, ncodings, coded, reliability(data), coded_by_any=by_any
    )


def _set_row(
    label: str,
    document: str | None,
    coders: tuple[str, ...],
    columns: np.ndarray,
    weights: np.ndarray,
    ncodings: dict[str, int],
    code_labels: list[str],
    none_as_value: bool,
) -> AgreementRow:
    masks = np.unique(columns)
    if not none_as_value:
        masks = masks[masks != 0]
    categories = tuple(_mask_label(int(m), code_labels) for m in masks)
    codes = np.searchsorted(masks, columns)
    if not none_as_value:
        codes = np.where(columns == 0, MISSING, codes)
    data = ReliabilityData(codes.astype(np.int64), categories, weights, coders)
    result: Reliability = reliability(data)
    coded = {c: int(weights[columns[i] != 0].sum()) for i, c in enumerate(coders)}
    multiple = (columns & (columns - 1)) != 0
    conflicts = int(weights[multiple.any(axis=0)].sum())
    by_any = int(weights[(columns != 0).any(axis=0)].sum())
    return AgreementRow(
        "exclusive set",
        label,
        document,
        int(weights.sum()),
        ncodings,
        coded,
        result,
        conflicts,
        by_any,
    )


def _mask_label(mask: int, labels: list[str]) -> str:
    if mask == 0:
        return NONE_LABEL
    return " + ".join(labels[k] for k in range(len(labels)) if mask >> k & 1)
