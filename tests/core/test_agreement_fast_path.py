"""The pooled agreement computed from interval sweeps over the coded (document, code) pairs
only equals a plain unit-by-unit computation on random projects."""

from __future__ import annotations

import random

import numpy as np
import pytest

from desktop.core.agreement import corpus_agreement
from desktop.core.agreement.data import ReliabilityData
from desktop.core.agreement.measures import reliability
from desktop.core.agreement.units import unit_count, unit_spans

WORDS = ["alpha", "beta", "gamma", "café", "e\u0301te\u0301", "naïve", "x", "🇫🇷", "Zürich"]


def random_project(rng: random.Random, n_docs: int, n_codes: int, coders: list[str]):
    documents = {}
    for d in range(n_docs):
        n = rng.randint(0, 40)
        words = [rng.choice(WORDS) + rng.choice(["", ".", ","]) for _ in range(n)]
        documents[100 + d] = " ".join(words) + ("\n\n" if rng.random() < 0.3 else "")
    codings: dict[str, list] = {c: [] for c in coders}
    for doc, text in documents.items():
        if not text or rng.random() < 0.4:  # many documents nobody coded
            continue
        for coder in coders:
            for _ in range(rng.randint(0, 6)):
                start = rng.randrange(len(text))
                end = rng.randint(start + 1, min(len(text), start + 30))
                codings[coder].append((doc, rng.randrange(n_codes) + 1, start, end))
    return documents, codings


def reference(documents, codings, codes, unit, exclusive):
    """Every unit of every document, one by one: per code a 0/1 value per coder; for the
    set, the bit mask of its codes a coder gave the unit (missing when none)."""
    binary = {c: [] for c in codes}
    set_values = []
    for doc, text in documents.items():
        bounds = unit_spans(text, unit)
        n = unit_count(len(text), bounds)
        units = [(i, i + 1) for i in range(n)] if bounds is None else bounds.tolist()
        for a, b in units:
            coded = {
                coder: {c for d, c, s, e in spans if d == doc and s < b and a < e}
                for coder, spans in codings.items()
            }
            for c in codes:
                binary[c].append([int(c in coded[coder]) for coder in codings])
            masks = [sum(1 << i for i, c in enumerate(exclusive) if c in coded[coder])
                     for coder in codings]  # fmt: skip
            set_values.append([m if m else None for m in masks])
    out = {
        c: reliability(ReliabilityData.from_matrix(np.asarray(rows, dtype=float).T.reshape(
            len(codings), -1)))
        for c, rows in binary.items()
    }  # fmt: skip
    matrix = [list(col) for col in zip(*set_values, strict=True)] if set_values else []
    out["set"] = reliability(ReliabilityData.from_matrix(matrix)) if matrix else None
    return out


def values(result) -> dict:
    d = result.to_dict()
    d.pop("pairwise_kappa")
    return d


def assert_same(got, want, where) -> None:
    for key, value in values(want).items():
        if value is None:
            assert values(got)[key] is None, (where, key)
        else:
            assert values(got)[key] == pytest.approx(value, abs=1e-9, rel=1e-9), (where, key)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("unit", ["char", "word"])
def test_fast_pooled_rows_equal_a_unit_by_unit_reference(seed, unit):
    rng = random.Random(seed)
    coders = ["ana", "ben", "cy"][: 2 + seed % 2]
    documents, codings = random_project(rng, 12, 4, coders)
    codes = [1, 2, 3, 4]
    exclusive = [2, 3]
    want = reference(documents, codings, codes, unit, exclusive)
    fast = corpus_agreement(documents, codings, codes, unit=unit, exclusive=exclusive,
                            by_document=False)  # fmt: skip
    full = corpus_agreement(documents, codings, codes, unit=unit, exclusive=exclusive)
    assert all(r.document is None for r in fast.rows)
    assert len(fast.rows) == len(codes) + 1
    for report in (fast, full):
        for c in codes:
            got = report.find(str(c))
            assert got.units == want[c].units
            assert_same(got.result, want[c], c)
        assert_same(report.find("2 | 3").result, want["set"], "set")


def test_document_rows_stream_to_a_callback_and_only_pooled_rows_stay():
    rng = random.Random(7)
    documents, codings = random_project(rng, 10, 3, ["ana", "ben"])
    streamed = []
    report = corpus_agreement(documents, codings, [1, 2, 3], document_rows=streamed.append)
    kept = corpus_agreement(documents, codings, [1, 2, 3])
    assert all(r.document is None for r in report.rows)
    assert [r.to_dict() for r in streamed] == [r.to_dict() for r in kept.rows if r.document]
    assert [r.to_dict() for r in report.rows] == [r.to_dict() for r in kept.pooled()]


def test_spans_given_as_arrays_equal_spans_given_as_tuples():
    rng = random.Random(3)
    documents, codings = random_project(rng, 10, 3, ["ana", "ben"])
    arrays = {c: np.asarray(s, dtype=np.int64).reshape(-1, 4) for c, s in codings.items()}
    a = corpus_agreement(documents, codings, [1, 2, 3], by_document=False)
    b = corpus_agreement(documents, arrays, [1, 2, 3], by_document=False)
    assert [r.to_dict() for r in a.rows] == [r.to_dict() for r in b.rows]
