"""Bennett's S, Gwet's AC1/AC2, weighted kappa and pairwise kappa.

Published values: the 4 raters x 12 units example of Gwet, *Handbook of Inter-Rater
Reliability* (4th ed., 2014), the data set ``cac.raw4raters`` of the irrCAC package, which
is Krippendorff's (2011) 4 observers x 12 units example in letters. Published there:
percent agreement pa = 0.8182, Gwet's AC1 = 0.7754 (pe = 0.1903), Brennan-Prediger
(Bennett's S) = 0.7727 (pe = 0.2), Krippendorff's alpha = 0.743.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from desktop.core.agreement import ReliabilityData, reliability
from desktop.core.agreement.chance import gwet_ac

N = None
GWET_4X12 = [  # raters x units
    ["a", "b", "c", "c", "b", "a", "d", "a", "b", N, N, N],
    ["a", "b", "c", "c", "b", "b", "d", "a", "b", "e", N, N],
    [N, "c", "c", "c", "b", "c", "d", "b", "b", "e", "a", N],
    ["a", "b", "c", "c", "b", "d", "d", "a", "b", "e", "a", "c"],
]


def test_gwet_handbook_example() -> None:
    r = reliability(GWET_4X12)
    assert r.gwet_ac1.value == pytest.approx(0.7754, abs=5e-5)
    assert r.gwet_ac1.observed == pytest.approx(0.8182, abs=5e-5)
    assert r.gwet_ac1.expected == pytest.approx(0.1903, abs=5e-5)
    assert r.bennett_s.value == pytest.approx(0.7727, abs=5e-5)
    assert r.bennett_s.expected == pytest.approx(0.2)
    assert r.krippendorff_alpha.value == pytest.approx(0.743, abs=5e-4)
    d = r.to_dict()
    assert d["gwet_ac1"] == r.gwet_ac1.value and d["bennett_s"] == r.bennett_s.value


def test_two_by_two_by_hand() -> None:
    # coder 1 x coder 2: [[20, 5], [10, 15]] of 50 units
    rows = [1] * 20 + [1] * 5 + [0] * 10 + [0] * 15
    cols = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    r = reliability([rows, cols])
    po = Fraction(35, 50)
    assert r.bennett_s.value == pytest.approx(float((po - Fraction(1, 2)) / Fraction(1, 2)))
    pi1 = Fraction(25 + 30, 100)  # mean share of category 1 over both coders
    pe = 2 * pi1 * (1 - pi1)  # T_w/(q(q-1)) * sum pi(1-pi) with q = 2
    assert r.gwet_ac1.value == pytest.approx(float((po - pe) / (1 - pe)))
    # two categories: weighted kappa (either weights) is Cohen's kappa
    assert r.cohen_kappa_linear.value == pytest.approx(r.cohen_kappa.value)
    assert r.cohen_kappa_quadratic.value == pytest.approx(r.cohen_kappa.value)
    assert r.pairwise_kappa is None  # only with three or more coders


def _weighted_kappa_by_hand(table, power):
    n = sum(map(sum, table))
    k = len(table)
    rows = [sum(table[i]) / n for i in range(k)]
    cols = [sum(table[i][j] for i in range(k)) / n for j in range(k)]
    obs = sum(abs(i - j) ** power * table[i][j] / n for i in range(k) for j in range(k))
    exp = sum(abs(i - j) ** power * rows[i] * cols[j] for i in range(k) for j in range(k))
    return 1 - obs / exp


def test_weighted_kappa_cohen_1968_definition() -> None:
    table = [[10, 2, 0], [3, 8, 2], [1, 2, 12]]
    a, b = [], []
    for i in range(3):
        for j in range(3):
            a += [i + 1] * table[i][j]
            b += [j + 1] * table[i][j]
    r = reliability([a, b], level="ordinal")
    assert r.cohen_kappa_linear.value == pytest.approx(_weighted_kappa_by_hand(table, 1))
    assert r.cohen_kappa_quadratic.value == pytest.approx(_weighted_kappa_by_hand(table, 2))
    assert r.gwet_ac2 is not None and r.gwet_ac2.value is not None
    # unordered labels: weighted kappa does not apply and says why
    nominal = reliability([["x", "y", "z"], ["x", "y", "y"]])
    assert nominal.cohen_kappa_linear.value is None
    assert "ordered" in nominal.cohen_kappa_linear.note


def test_ac2_with_identity_weights_is_ac1() -> None:
    data = ReliabilityData.from_matrix([[1, 2, 3, 3, 1], [1, 2, 2, 3, 1], [1, 3, 3, 3, 2]])
    assert gwet_ac(data, "nominal").value == pytest.approx(reliability(data).gwet_ac1.value)


def test_pairwise_kappa_matrix_with_three_coders() -> None:
    a = ["x", "y", "x", "y", "x", "y"]
    b = ["x", "y", "x", "y", "x", "y"]
    c = ["x", "x", "y", "y", "x", "y"]
    r = reliability([a, b, c], coders=["A", "B", "C"])
    pk = r.to_dict()["pairwise_kappa"]
    assert pk["coders"] == ["A", "B", "C"]
    assert pk["matrix"][0][1] == pytest.approx(1.0)
    two = reliability([a, c]).cohen_kappa.value
    assert pk["matrix"][0][2] == pytest.approx(two) and pk["matrix"][2][0] == pk["matrix"][0][2]
