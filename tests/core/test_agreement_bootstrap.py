"""Bootstrap of Krippendorff's alpha (Hayes & Krippendorff 2007).

The exact multinomial draw is checked against a brute-force bootstrap written here from
the definition (draw pairs of values one by one, with replacement), on the 4 observers x
12 units example of Krippendorff (2011): both give the same distribution (mean, spread,
q) within sampling error.
"""

from __future__ import annotations

import numpy as np
import pytest

from desktop.core.agreement import reliability
from desktop.core.agreement.bootstrap import Cancelled, bootstrap_alpha

N = None
K2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]


def _brute(matrix, level, samples, seed):
    r = reliability(matrix, level)
    d_e = r.krippendorff_alpha.expected
    n = r.pairable_values
    pairs = []
    for u in range(len(matrix[0])):
        vals = [row[u] for row in matrix if row[u] is not None]
        m = len(vals)
        for i in range(m):
            for j in range(i + 1, m):
                diff = (
                    (vals[i] - vals[j]) ** 2 if level == "interval" else float(vals[i] != vals[j])
                )
                pairs.append(2 * diff / (m - 1))
    pairs = np.asarray(pairs)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(pairs), size=(samples, len(pairs)))
    return 1 - pairs[draws].sum(axis=1) / n / d_e


@pytest.mark.parametrize("level", ["nominal", "interval"])
def test_same_distribution_as_drawing_pairs_one_by_one(level: str) -> None:
    data = reliability(K2011, level).data
    ours = bootstrap_alpha(data, level, samples=20000, seed=3)
    brute = _brute(K2011, level, 20000, 4)
    assert ours.alpha == pytest.approx(reliability(K2011, level).krippendorff_alpha.value)
    lo, hi = np.quantile(brute, [0.025, 0.975])
    assert ours.low == pytest.approx(lo, abs=0.02)
    assert ours.high == pytest.approx(hi, abs=0.02)
    assert ours.below[0.8] == pytest.approx((brute < 0.8).mean(), abs=0.02)


def test_a_seed_repeats_the_interval_and_cancel_stops() -> None:
    data = reliability(K2011, "interval").data
    a = bootstrap_alpha(data, "interval", samples=500, seed=7)
    b = bootstrap_alpha(data, "interval", samples=500, seed=7)
    assert (a.low, a.high, a.below) == (b.low, b.high, b.below)
    seen = []
    with pytest.raises(Cancelled):
        bootstrap_alpha(data, "interval", samples=1000, seed=1,
                        progress=lambda done, total: seen.append(done),
                        cancel=lambda: len(seen) >= 2)  # fmt: skip
    assert seen == [100, 200]


def test_a_rows_interval_does_not_depend_on_the_other_rows() -> None:
    from desktop.core.agreement import corpus_agreement
    from desktop.core.agreement.bootstrap import bootstrap_report

    text = "Rebels said no. The army said yes. Nobody came. Talks failed. " * 4
    codings = {
        "ana": [("d", "A", 0, 15), ("d", "A", 40, 60), ("d", "B", 16, 34), ("d", "B", 70, 90)],
        "ben": [("d", "A", 0, 15), ("d", "A", 62, 80), ("d", "B", 16, 34), ("d", "B", 100, 120)],
    }
    both = corpus_agreement({"d": text}, codings, ["A", "B"], unit="sentence")
    alone = corpus_agreement({"d": text}, codings, ["B"], unit="sentence")
    one = bootstrap_report(both, samples=300, seed=9)[("B", None)]
    other = bootstrap_report(alone, samples=300, seed=9)[("B", None)]
    assert (one.low, one.high, one.below) == (other.low, other.high, other.below)
