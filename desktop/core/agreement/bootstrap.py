"""Bootstrap distribution of Krippendorff's alpha (Hayes & Krippendorff 2007).

Alpha's observed disagreement is a sum over the pairs of values coders gave within a unit:
a unit with ``m`` values has ``m (m-1) / 2`` pairs, each counting ``2 / (m-1)`` times its
difference delta^2, and ``D_o = sum / n``. As in Hayes & Krippendorff's KALPHA, a bootstrap
sample draws that many pairs with replacement from all the pairs of the data, keeps the
expected disagreement ``D_e`` of the data, and gives ``alpha* = 1 - D_o* / D_e``.

The draws are done exactly and at once: pairs with the same contribution are one kind,
and the number drawn of each kind is multinomial, so a million character units cost no
more than a hundred. ``seed`` makes the interval repeat exactly. The result has the
percentile interval and, for each minimum (0.667 and 0.8 by default, after Krippendorff
2004), ``q``: the share of samples with alpha below it, the probability that the
reliability of the data falls short of that minimum.

The bootstrap takes the units as independent draws. Neighbouring character or word units
of a text are not independent (a coding covers many of them at once), so over character
or word units the interval is far narrower than the uncertainty it stands for; it is
meaningful for units that are sampled as such (table data, sentences, paragraphs).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from desktop.core.agreement.coefficients import coincidences, distances
from desktop.core.agreement.data import ReliabilityData

DEFAULT_MINIMUMS = (0.667, 0.8)
CHUNK = 100


class Cancelled(Exception):
    """The caller's ``cancel()`` returned True."""


@dataclass(frozen=True)
class AlphaBootstrap:
    alpha: float | None
    samples: int
    seed: int | None
    confidence: float
    low: float | None
    high: float | None
    below: dict[float, float] = field(default_factory=dict)  # minimum -> q
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "alpha": self.alpha,
            "samples": self.samples,
            "seed": self.seed,
            "confidence": self.confidence,
            "interval": [self.low, self.high],
            "q": {f"{k:g}": v for k, v in self.below.items()},
            "note": self.note,
        }


def pair_kinds(data: ReliabilityData, level: str) -> tuple[np.ndarray, np.ndarray, float, float]:
    """The pairs of values as kinds: each kind's contribution 2 delta^2 / (m-1) and how
    many pairs are of it; and the data's n and D_e."""
    co = coincidences(data)
    n = co.total
    if n < 2:
        return np.zeros(0), np.zeros(0), n, 0.0
    delta = distances(level, data.categories, co.marginals)
    expected = float(co.marginals @ delta @ co.marginals / (n * (n - 1)))
    counts = data.unit_counts().astype(float)
    m = counts.sum(axis=1)
    keep = m >= 2
    counts, m, w = counts[keep], m[keep], data.weights[keep].astype(float)
    k = counts.shape[1]
    contrib, mult = [], []
    for c in range(k):
        for d in range(c, k):
            # unordered pairs of values (c, d) in each unit
            pairs = counts[:, c] * (counts[:, c] - 1) / 2 if c == d else counts[:, c] * counts[:, d]
            has = pairs > 0
            if not has.any():
                continue
            contrib.append(2.0 * delta[c, d] / (m[has] - 1))
            mult.append(pairs[has] * w[has])
    if not contrib:
        return np.zeros(0), np.zeros(0), n, expected
    values, inverse = np.unique(np.concatenate(contrib), return_inverse=True)
    return values, np.bincount(inverse, weights=np.concatenate(mult)), n, expected


def bootstrap_alpha(
    data: ReliabilityData,
    level: str = "nominal",
    *,
    samples: int = 1000,
    seed: int | None = None,
    minimums: Sequence[float] = DEFAULT_MINIMUMS,
    confidence: float = 0.95,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> AlphaBootstrap:
    """``samples`` bootstrap values of alpha; see the module docstring."""
    if samples < 1:
        raise ValueError("the bootstrap needs at least one sample")
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    values, mult, n, expected = pair_kinds(data, level)
    if n < 2 or expected <= 1e-12 or mult.sum() <= 0:
        return AlphaBootstrap(None, samples, seed, confidence, None, None,
                              note="alpha is undefined for these data")  # fmt: skip
    alpha = 1.0 - float(values @ mult) / n / expected
    rng = np.random.default_rng(seed)
    total_pairs = round(mult.sum())
    probs = mult / mult.sum()
    out = np.empty(samples)
    done = 0
    while done < samples:
        if cancel is not None and cancel():
            raise Cancelled
        size = min(CHUNK, samples - done)
        drawn = rng.multinomial(total_pairs, probs, size=size)
        out[done : done + size] = 1.0 - (drawn @ values) / n / expected
        done += size
        if progress is not None:
            progress(done, samples)
    tail = (1.0 - confidence) / 2
    low, high = np.quantile(out, [tail, 1.0 - tail])
    below = {float(x): float((out < x).mean()) for x in minimums}
    return AlphaBootstrap(alpha, samples, seed, confidence, float(low), float(high), below)


def bootstrap_report(
    report,
    *,
    samples: int = 1000,
    seed: int | None = None,
    minimums: Sequence[float] = DEFAULT_MINIMUMS,
    confidence: float = 0.95,
    pooled_only: bool = True,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> dict[tuple[str, str | None], AlphaBootstrap]:
    """Bootstrap alpha for the rows of an agreement ``Report`` (by default the pooled row
    of each code), keyed by (code, document). One seed for the whole report: each row
    gets its own stream derived from it, so a row's interval does not depend on which
    other rows were asked for. ``progress(done, total)`` counts samples over all rows;
    ``cancel()`` returning True stops with ``Cancelled``."""
    rows = [r for r in report.rows if r.document is None or not pooled_only]
    total = samples * len(rows)
    out: dict[tuple[str, str | None], AlphaBootstrap] = {}
    for i, row in enumerate(rows):
        data = row.result.data
        if data is None:
            continue
        # the row's own stream, from its code and document, not its place in the report
        row_seed = None if seed is None else [seed, _key(row.code), _key(row.document or "")]

        def step(done: int, _n: int, base: int = i * samples) -> None:
            if progress is not None:
                progress(base + done, total)

        result = bootstrap_alpha(data, row.result.level, samples=samples, seed=row_seed,
                                 minimums=minimums, confidence=confidence, progress=step,
                                 cancel=cancel)  # fmt: skip
        out[(row.code, row.document)] = replace(result, seed=seed)
    return out


def _key(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))
