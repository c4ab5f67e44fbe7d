"""Interval sweeps against a brute-force reference on random passages."""

from __future__ import annotations

import numpy as np
import pytest

from desktop.core.analysis import intervals as iv


def random_passages(rng, n, docs=3, length=200):
    doc = rng.integers(1, docs + 1, n)
    start = rng.integers(0, length - 1, n)
    end = start + rng.integers(1, 30, n)
    return iv.Intervals.of(doc, start, end)


def rows(x):
    return list(zip(x.doc.tolist(), x.start.tolist(), x.end.tolist(), strict=True))


def gap(p, q):
    return max(q[1] - p[2], p[1] - q[2])  # negative: they overlap


@pytest.mark.parametrize("seed", range(5))
def test_masks_match_their_definitions(seed):
    rng = np.random.default_rng(seed)
    a, b = random_passages(rng, 60), random_passages(rng, 40)
    A, B = rows(a), rows(b)
    same = lambda p: [q for q in B if q[0] == p[0]]  # noqa: E731
    assert iv.overlapping(a, b).tolist() == [any(gap(p, q) < 0 for q in same(p)) for p in A]
    assert iv.not_(a, b).tolist() == [not any(gap(p, q) < 0 for q in same(p)) for p in A]
    for n in (0, 7):
        assert iv.near(a, b, n).tolist() == [any(gap(p, q) <= n for q in same(p)) for p in A]
        assert iv.followed_by(a, b, n).tolist() == [
            any(0 <= q[1] - p[2] <= n for q in same(p)) for p in A
        ]


@pytest.mark.parametrize("seed", range(5))
def test_intersection_is_the_text_covered_by_both(seed):
    rng = np.random.default_rng(seed)
    a, b = random_passages(rng, 30), random_passages(rng, 30)
    got = rows(iv.intersection(a, b))
    covered = lambda x, d, k: any(r[0] == d and r[1] <= k < r[2] for r in rows(x))  # noqa: E731
    expect = []
    for d in range(1, 4):
        run = None
        for k in range(0, 260):
            inside = covered(a, d, k) and covered(b, d, k)
            if inside and run is None:
                run = k
            if not inside and run is not None:
                expect.append((d, run, k))
                run = None
    assert got == expect


@pytest.mark.parametrize("method", ["auto", "pairs", "running"])
@pytest.mark.parametrize("within", [None, 0, 5])
def test_cooccurrence_counts_pairs_like_the_brute_force(within, method, monkeypatch):
    monkeypatch.setattr(iv, "_PAIRS_CHUNK", 7)  # several chunks, a run longer than one
    rng = np.random.default_rng(1)
    x = random_passages(rng, 120)
    codes = rng.integers(0, 4, len(x))
    result = iv.cooccurrence(codes, x, 4, within=within, method=method)
    P = rows(x)
    expect = np.zeros((4, 4), dtype=int)
    for i in range(len(P)):
        for j in range(len(P)):
            if i != j and P[i][0] == P[j][0] and codes[i] != codes[j]:
                g = gap(P[i], P[j])
                if (g < 0) if within is None else (g <= within):
                    expect[codes[i], codes[j]] += 1
    assert result.pairs.tolist() == expect.tolist()
    assert result.n.tolist() == np.bincount(codes, minlength=4).tolist()
    n1, n2, n12 = result.n[0], result.n[1], result.pairs[0, 1]
    assert result.c[0, 1] == pytest.approx(iv.c_coefficient(int(n1), int(n2), int(n12)))


def test_c_coefficient_worked_example():
    # 10 and 6 quotations, 4 co-occurring: 4 / (10 + 6 - 4)
    assert iv.c_coefficient(10, 6, 4) == pytest.approx(1 / 3)
    assert iv.c_coefficient(3, 5, 0) == 0.0
