"""More chance-corrected coefficients on reliability data.

* **Bennett, Alpert & Goldstein's S** (1954), also Brennan & Prediger's kappa (1981) and
  MAXQDA's default: chance agreement ``1/q`` for ``q`` categories (the categories that
  occur in the data; always 2 for a code, coded / not coded).
* **Gwet's AC1** (2008) and **AC2** (its weighted form, Gwet 2014): chance agreement
  ``T_w / (q (q-1)) * sum_k pi_k (1 - pi_k)`` with ``pi_k`` the mean share of category k
  over the units with a value. Any number of coders and missing values: the observed
  agreement is Gwet's, averaged over units with two or more values. AC2 weights: ordinal
  (Gwet's ordinal weights), interval (quadratic), ratio (ratio weights).
* **Weighted kappa** (Cohen 1968) for two coders who both coded every unit, with linear
  ``|i-j|`` or quadratic ``(i-j)^2`` disagreement weights on the categories' ranks (as
  scikit-learn's ``cohen_kappa_score`` does); needs ordered categories.
* **Pairwise Cohen's kappa** between every two coders, on the units both coded.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from desktop.core.agreement.coefficients import Coefficient, cohen_kappa_from_table
from desktop.core.agreement.data import ReliabilityData

_EPS = 1e-12


def agreement_weights(level: str, categories: tuple, ordered: bool) -> np.ndarray:
    """Gwet's agreement weights (1 on the diagonal) for ``level``; identity if nominal."""
    q = len(categories)
    if level == "nominal" or q < 2:
        return np.eye(q)
    if level == "ordinal" or not ordered:
        rank = np.arange(q)
        diff = np.abs(np.subtract.outer(rank, rank))
        m = diff * (diff + 1) / 2.0  # Gwet: number of pairs in a run of |k-l|+1 ranks
        return 1.0 - m / m.max()
    values = np.asarray(categories, dtype=float)
    diff = np.subtract.outer(values, values)
    if level == "interval":
        return 1.0 - diff**2 / (values.max() - values.min()) ** 2
    total = np.add.outer(values, values)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(total == 0, 0.0, (diff / np.where(total == 0, 1.0, total)) ** 2)
    return 1.0 - r / r.max() if r.max() > 0 else np.eye(q)


def _gwet_parts(data: ReliabilityData, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    counts = data.unit_counts().astype(float)
    return counts, data.weights.astype(float)


def _observed(counts: np.ndarray, w: np.ndarray, weights: np.ndarray) -> tuple[float, int, float]:
    """Gwet's observed (weighted) agreement over units with 2+ values."""
    r = counts.sum(axis=1)
    two = r >= 2
    c, rw, ww = counts[two], r[two], w[two]
    n2 = ww.sum()
    if n2 <= 0:
        return float("nan"), 0, 0.0
    star = c @ weights.T
    per_unit = (c * (star - 1.0)).sum(axis=1) / (rw * (rw - 1.0))
    return float(ww @ per_unit / n2), round(n2), float((ww * rw).sum())


def bennett_s(data: ReliabilityData, level: str = "nominal") -> Coefficient:
    name = "Bennett's S"
    q = len(data.categories)
    weights = agreement_weights(level, data.categories, data.numeric)
    counts, w = _gwet_parts(data, weights)
    observed, units, values = _observed(counts, w, weights)
    if units == 0:
        return Coefficient(name, None, 0, data.n_coders, 0, note="no unit has two or more values")
    if q < 2:
        return Coefficient(name, None, units, data.n_coders, round(values), observed, 1.0,
                           level, "only one category: chance agreement is 1")  # fmt: skip
    expected = float(weights.sum() / q**2)
    value = (observed - expected) / (1.0 - expected)
    return Coefficient(name, value, units, data.n_coders, round(values), observed, expected, level)


def gwet_ac(data: ReliabilityData, level: str = "nominal") -> Coefficient:
    """Gwet's AC1 (nominal) or AC2 (weighted by ``level``)."""
    name = "Gwet's AC1" if level == "nominal" else "Gwet's AC2"
    q = len(data.categories)
    weights = agreement_weights(level, data.categories, data.numeric)
    counts, w = _gwet_parts(data, weights)
    observed, units, values = _observed(counts, w, weights)
    if units == 0:
        return Coefficient(name, None, 0, data.n_coders, 0, note="no unit has two or more values")
    if q < 2:
        return Coefficient(name, None, units, data.n_coders, round(values), observed, None,
                           level, "only one category: no chance correction possible")  # fmt: skip
    r = counts.sum(axis=1)
    any_value = r >= 1
    pi = (w[any_value] @ (counts[any_value] / r[any_value, None])) / w[any_value].sum()
    expected = float(weights.sum() / (q * (q - 1)) * (pi * (1.0 - pi)).sum())
    if 1.0 - expected <= _EPS:
        return Coefficient(name, None, units, data.n_coders, round(values), observed, expected,
                           level, "chance agreement is 1")  # fmt: skip
    value = (observed - expected) / (1.0 - expected)
    return Coefficient(name, value, units, data.n_coders, round(values), observed, expected, level)


def weighted_kappa(data: ReliabilityData, weighting: str, ordered: bool) -> Coefficient:
    """Cohen's (1968) weighted kappa, ``weighting`` "linear" or "quadratic"."""
    name = f"Cohen's kappa ({weighting})"
    if data.n_coders != 2:
        return Coefficient(name, None, 0, data.n_coders, 0,
                           note=f"needs exactly 2 coders, {data.n_coders} given")  # fmt: skip
    if not ordered and len(data.categories) > 2:  # two categories: any order is the same
        return Coefficient(name, None, 0, 2, 0, note="needs ordered categories "
                           "(numbers, an ordinal/interval level or --order)")  # fmt: skip
    a, b = data.codes
    if ((a >= 0) != (b >= 0)).any():
        return Coefficient(name, None, 0, 2, 0, note="missing values (a unit coded by one "
                           "coder only): use Krippendorff's alpha")  # fmt: skip
    present = a >= 0
    k = len(data.categories)
    table = np.bincount(a[present] * k + b[present], weights=data.weights[present],
                        minlength=k * k).reshape(k, k)  # fmt: skip
    total = table.sum()
    if total <= 0:
        return Coefficient(name, None, 0, 2, 0, note="no units coded by both coders")
    p = table / total
    rank = np.arange(k)
    diff = np.abs(np.subtract.outer(rank, rank)).astype(float)
    v = diff if weighting == "linear" else diff**2
    observed = float((v * p).sum())
    expected = float(p.sum(axis=1) @ v @ p.sum(axis=0))
    units = round(total)
    if expected <= _EPS:
        return Coefficient(name, None, units, 2, 2 * units, observed, expected,
                           note="no variation: expected disagreement is 0")  # fmt: skip
    return Coefficient(name, 1.0 - observed / expected, units, 2, 2 * units, observed, expected)


def pairwise_kappa(data: ReliabilityData) -> dict[str, Any]:
    """Cohen's kappa for every two coders on the units both coded: a coder x coder matrix
    (1.0 on the diagonal, ``None`` where undefined)."""
    n = data.n_coders
    k = len(data.categories)
    matrix: list[list[float | None]] = [[1.0 if i == j else None for j in range(n)]
                                        for i in range(n)]  # fmt: skip
    for i in range(n):
        for j in range(i + 1, n):
            a, b = data.codes[i], data.codes[j]
            both = (a >= 0) & (b >= 0)
            table = np.bincount(a[both] * k + b[both], weights=data.weights[both],
                                minlength=k * k).reshape(k, k)  # fmt: skip
            value = cohen_kappa_from_table(table).value
            matrix[i][j] = matrix[j][i] = value
    return {"coders": list(data.coders), "matrix": matrix}
