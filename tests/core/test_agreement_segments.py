"""MAXQDA-style segment matching, and unitizing alpha over a project's documents."""

from __future__ import annotations

import numpy as np
import pytest

from desktop.core.agreement.segments import overlap_percent, segment_matching
from desktop.core.agreement.unitizing import corpus_unitizing, unitizing_alpha


def test_overlap_is_shared_over_the_stretch_both_cover() -> None:
    a = np.array([[0, 10], [0, 10], [0, 10]])
    b = np.array([[0, 10], [5, 15], [2, 8]])
    pct = overlap_percent(a, b)
    assert np.diag(pct).tolist() == pytest.approx([100.0, 5 / 15 * 100, 60.0])
    assert overlap_percent(np.array([[0, 5]]), np.array([[5, 9]]))[0, 0] == 0.0


def test_matching_counts_each_segment_once_on_its_side() -> None:
    codings = {
        "A": [("d1", "x", 0, 10), ("d1", "x", 20, 30), ("d2", "y", 0, 4)],
        "B": [("d1", "x", 1, 10), ("d1", "x", 40, 50), ("d2", "y", 0, 4), ("d2", "x", 0, 4)],
    }
    m = segment_matching(codings, 90)
    overall = m.rows[0]
    # x/d1: A[0,10) ~ B[1,10) 90 %: 2 matched; A[20,30) and B[40,50) alone; y/d2 matched;
    # x/d2: B alone
    assert (overall.matched, overall.only_a, overall.only_b) == (4, 1, 2)
    assert overall.kappa == pytest.approx((4 / 7 - 1 / 2) / (1 - 1 / 2))  # q = 2 codes
    by = {(r.code, r.document): r for r in m.rows}
    assert (by["x", "d1"].matched, by["x", "d1"].only_a, by["x", "d1"].only_b) == (2, 1, 1)
    assert (by["x", None].matched, by["x", None].only_b) == (2, 2)
    assert m.to_dict()["threshold_percent"] == 90.0
    # a stricter threshold: [0,10) vs [1,10) (90 %) no longer matches
    strict = segment_matching(codings, 95).rows[0]
    assert (strict.matched, strict.only_a, strict.only_b) == (2, 2, 3)
    passages = [(p.document, p.code, p.a, p.b) for p in m.passages]
    assert ("d1", "x", (0, 10), (1, 10)) in passages and ("d1", "x", None, (40, 50)) in passages
    with pytest.raises(ValueError, match="exactly 2 coders"):
        segment_matching({"A": []}, 50)


def test_corpus_unitizing_rows_equal_the_continuum_form_per_document() -> None:
    rng = np.random.default_rng(5)
    lengths = {"d1": 300, "d2": 500}
    codings: dict[str, list] = {"a": [], "b": [], "c": []}
    for coder in codings:
        for doc, n in lengths.items():
            cuts = np.sort(rng.choice(np.arange(1, n), size=8, replace=False))
            for s, e in zip(cuts[::2], cuts[1::2], strict=True):
                codings[coder].append((doc, "k", int(s), int(e)))
    rows = corpus_unitizing(lengths, codings, ["k"])
    by = {r.document: r for r in rows}
    for doc, n in lengths.items():
        alone = {
            c: [(s, e, "k") for d, _, s, e in spans if d == doc] for c, spans in codings.items()
        }
        direct = unitizing_alpha(alone, n).per_category["k"]
        assert by[doc].u_alpha == pytest.approx(direct.u_alpha, abs=1e-12)
        assert by[doc].u_alpha_binary == pytest.approx(direct.u_alpha_binary, abs=1e-12)
    # pooled: the documents end to end as one continuum
    end_to_end = {
        c: [
            (s + (0 if d == "d1" else 300), e + (0 if d == "d1" else 300), "k")
            for d, _, s, e in spans
        ]
        for c, spans in codings.items()
    }
    pooled = unitizing_alpha(end_to_end, 800).per_category["k"]
    assert by[None].u_alpha == pytest.approx(pooled.u_alpha, abs=1e-12)
