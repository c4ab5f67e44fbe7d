"""Agreement coefficients on reliability data (coders x units, missing values allowed).

Definitions (the ones reviewers check us against):

* **Percent agreement** is pairwise over pairable values: in every unit with at least two
  values, each value is paired with each of the unit's other values, a pair agrees when
  both values are equal, and a unit with ``m`` values gives each pairing the weight
  ``1/(m-1)``, so that every pairable value counts once. It is Krippendorff's observed
  agreement ``sum_c o_cc / n`` on the coincidence matrix. With the same number of values
  in every unit it equals Fleiss' mean pairwise agreement P-bar; with two coders and no
  missing values it is the share of units the coders agree on. Equality is exact (the
  level of measurement does not enter).
* **Scott's pi** and **Cohen's kappa** are for exactly two coders who both coded every
  unit (units nobody coded are left out; a unit coded by one coder makes them n/a:
  Krippendorff's alpha is the coefficient for missing values). Chance agreement is
  ``sum_k p_k**2`` over the pooled distribution for pi (Scott 1955) and
  ``sum_k p_1k * p_2k``, the SUM over categories of the products of the two coders'
  marginal proportions, for kappa (Cohen 1960).
* **Fleiss' kappa** (Fleiss 1971) needs the same number ``m >= 2`` of values in every unit
  (not necessarily from the same coders); units with no value are left out and any other
  unequal count makes it n/a.
* **Krippendorff's alpha** uses the coincidence matrix of pairable values (Krippendorff
  2011), at the nominal, ordinal, interval or ratio level; units with fewer than two
  values are not pairable and are left out.

A coefficient that is undefined (no pairable values, no variation: expected agreement 1
or expected disagreement 0) has value ``None``, shown as n/a, with the reason in ``note``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from desktop.core.agreement.data import ReliabilityData, check_level

_EPS = 1e-12


@dataclass(frozen=True)
class Coefficient:
    """One coefficient's value and what it rests on.

    ``units``: units that entered the computation; ``pairable_values``: values in them
    (for alpha and percent agreement: values in units with two or more values).
    ``observed``/``expected`` are agreements for pi/kappa/percent agreement and
    disagreements for alpha.
    """

    name: str
    value: float | None
    units: int
    coders: int
    pairable_values: int
    observed: float | None = None
    expected: float | None = None
    level: str = "nominal"
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Reliability:
    """All coefficients for one reliability data matrix."""

    level: str
    units: int
    coders: tuple[str, ...]
    values: int
    pairable_units: int
    pairable_values: int
    percent_agreement: Coefficient
    scott_pi: Coefficient
    cohen_kappa: Coefficient
    fleiss_kappa: Coefficient
    krippendorff_alpha: Coefficient
    bennett_s: Coefficient | None = None
    gwet_ac1: Coefficient | None = None
    gwet_ac2: Coefficient | None = None  # weighted by the level; None at the nominal level
    cohen_kappa_linear: Coefficient | None = None
    cohen_kappa_quadratic: Coefficient | None = None
    pairwise_kappa: dict[str, Any] | None = None  # three or more coders
    # the data the coefficients rest on (for the bootstrap); not compared or shown
    data: ReliabilityData | None = field(default=None, compare=False, repr=False)

    @property
    def coefficients(self) -> tuple[Coefficient, ...]:
        return (
            self.percent_agreement,
            self.scott_pi,
            self.cohen_kappa,
            self.fleiss_kappa,
            self.krippendorff_alpha,
        )

    def to_dict(self) -> dict[str, Any]:
        """Flat summary: the keys of ``tessera agreement --json``."""
        return {
            "percent_agreement": self.percent_agreement.value,
            "scott_pi": self.scott_pi.value,
            "cohen_kappa": self.cohen_kappa.value,
            "fleiss_kappa": self.fleiss_kappa.value,
            "krippendorff_alpha": self.krippendorff_alpha.value,
            **{name: _value(getattr(self, name)) for name in EXTRA_MEASURES},
            "pairwise_kappa": self.pairwise_kappa,
            "units": self.units,
            "coders": len(self.coders),
            "pairable_values": self.pairable_values,
        }


EXTRA_MEASURES = (
    "bennett_s",
    "gwet_ac1",
    "gwet_ac2",
    "cohen_kappa_linear",
    "cohen_kappa_quadratic",
)


def _value(c: Coefficient | None) -> float | None:
    return None if c is None else c.value


def _data(
    data: ReliabilityData | Sequence[Sequence[Any]] | np.ndarray, level: str
) -> ReliabilityData:
    if isinstance(data, ReliabilityData):
        return data
    return ReliabilityData.from_matrix(data, level=level)


def _ratio(numerator: float, denominator: float) -> float | None:
    return None if abs(denominator) <= _EPS else float(numerator / denominator)


# --- coincidences: the shared core of alpha and percent agreement ------------------------


@dataclass(frozen=True)
class Coincidences:
    """Krippendorff's coincidence matrix ``o`` (categories x categories), its marginals
    ``n_c`` and total ``n`` (pairable values), and the pairable units it rests on."""

    matrix: np.ndarray
    marginals: np.ndarray
    total: float
    units: int


def coincidences(data: ReliabilityData) -> Coincidences:
    """The coincidences of ``data``, computed once per data set (alpha, percent agreement
    and the bootstrap all start from them)."""
    cached = data.__dict__.get("_coincidences")
    if cached is None:
        cached = data.__dict__["_coincidences"] = _coincidences(data)
    return cached


def _coincidences(data: ReliabilityData) -> Coincidences:
    counts = data.unit_counts().astype(float)
    m = counts.sum(axis=1)
    pairable = m >= 2
    counts, m, w = counts[pairable], m[pairable], data.weights[pairable].astype(float)
    scaled = counts * (w / (m - 1))[:, None]
    o = scaled.T @ counts
    o[np.diag_indices_from(o)] -= scaled.sum(axis=0)
    marginals = o.sum(axis=1)
    return Coincidences(o, marginals, float(marginals.sum()), int(w.sum()))


def distances(level: str, categories: Sequence[Any], marginals: np.ndarray) -> np.ndarray:
    """Squared difference function delta^2(c, k) of Krippendorff (2011) for ``level``.

    Categories must be in ascending order for the ordinal, interval and ratio levels.
    """
    check_level(level)
    k = len(categories)
    if level == "nominal":
        return 1.0 - np.eye(k)
    if level == "ordinal":
        # sum_{g=c..k} n_g - (n_c + n_k) / 2, squared, for c <= k
        cum = np.cumsum(marginals)
        lo = np.minimum.outer(np.arange(k), np.arange(k))
        hi = np.maximum.outer(np.arange(k), np.arange(k))
        return (cum[hi] - cum[lo] + (marginals[lo] - marginals[hi]) / 2.0) ** 2
    values = np.asarray(categories, dtype=float)
    diff = np.subtract.outer(values, values)
    if level == "interval":
        return diff**2
    if (values < 0).any():
        raise ValueError("ratio level needs values >= 0")
    total = np.add.outer(values, values)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(total == 0, 0.0, diff / np.where(total == 0, 1.0, total))
    return ratio**2


# --- the coefficients ----------------------------------------------------------------


def percent_agreement(data, level: str = "nominal") -> Coefficient:
    """Pairwise agreement over pairable values (see the module docstring)."""
    data = _data(data, level)
    co = coincidences(data)
    value = _ratio(float(np.trace(co.matrix)), co.total)
    return Coefficient(
        "percent agreement",
        value,
        co.units,
        data.n_coders,
        round(co.total),
        value,
        None,
        note="" if value is not None else "no unit has two or more values",
    )


def krippendorff_alpha(data, level: str = "nominal") -> Coefficient:
    """Krippendorff's alpha = 1 - D_o / D_e on the coincidence matrix (Krippendorff 2011)."""
    check_level(level)
    data = _data(data, level)
    if level != "nominal" and not data.numeric and data.categories:
        raise ValueError(f"the {level} level needs numeric values")
    co = coincidences(data)
    n = co.total
    name = "Krippendorff's alpha"
    if n < 2:
        return Coefficient(
            name,
            None,
            co.units,
            data.n_coders,
            round(n),
            level=level,
            note="fewer than two pairable values",
        )
    delta = distances(level, data.categories, co.marginals)
    observed = float((co.matrix * delta).sum() / n)
    expected = float(co.marginals @ delta @ co.marginals / (n * (n - 1)))
    if expected <= _EPS:
        return Coefficient(
            name,
            None,
            co.units,
            data.n_coders,
            round(n),
            observed,
            expected,
            level,
            "no variation: expected disagreement is 0",
        )
    return Coefficient(
        name,
        1.0 - observed / expected,
        co.units,
        data.n_coders,
        round(n),
        observed,
        expected,
        level,
    )


def _two_coder_table(data: ReliabilityData) -> tuple[np.ndarray | None, int, str]:
    """Contingency table of two coders over the units both coded, or why there is none."""
    if data.n_coders != 2:
        return None, 0, f"needs exactly 2 coders, {data.n_coders} given"
    a, b = data.codes
    present = (a >= 0) & (b >= 0)
    if ((a >= 0) != (b >= 0)).any():
        return (
            None,
            int(data.weights[present].sum()),
            ("missing values (a unit coded by one coder only): use Krippendorff's alpha"),
        )
    k = len(data.categories)
    table = np.bincount(
        a[present] * k + b[present], weights=data.weights[present], minlength=k * k
    ).reshape(k, k)
    return table, int(data.weights[present].sum()), ""


def _from_table(name: str, table, expected_of) -> Coefficient:
    """A two-coder chance-corrected coefficient from a k x k contingency table; the
    coefficients differ only in ``expected_of(row marginals, column marginals)``."""
    t = np.asarray(table, dtype=float)
    total = t.sum()
    units = round(total)
    if total <= 0:
        return Coefficient(name, None, 0, 2, 0, note="no units coded by both coders")
    p = t / total
    observed = float(np.trace(p))
    expected = float(expected_of(p.sum(axis=1), p.sum(axis=0)))
    value = _ratio(observed - expected, 1.0 - expected)
    note = "" if value is not None else "no variation: expected agreement is 1"
    return Coefficient(name, value, units, 2, 2 * units, observed, expected, note=note)


def cohen_kappa_from_table(table: Sequence[Sequence[float]] | np.ndarray) -> Coefficient:
    """Cohen's kappa from a k x k contingency table (rows: coder 1, columns: coder 2),
    counts or proportions. Chance agreement is the sum over k of p_1k * p_2k."""
    return _from_table("Cohen's kappa", table, lambda rows, cols: rows @ cols)


def scott_pi_from_table(table: Sequence[Sequence[float]] | np.ndarray) -> Coefficient:
    """Scott's pi from a k x k contingency table of two coders: chance agreement from
    the pooled marginals of both coders."""
    return _from_table(
        "Scott's pi", table, lambda rows, cols: ((rows + cols) / 2) @ ((rows + cols) / 2)
    )


def cohen_kappa(data, level: str = "nominal") -> Coefficient:
    """Cohen's (1960) kappa for two coders who coded the same units (nominal)."""
    data = _data(data, level)
    table, units, note = _two_coder_table(data)
    if table is None:
        return Coefficient("Cohen's kappa", None, units, data.n_coders, 0, note=note)
    return cohen_kappa_from_table(table)


def scott_pi(data, level: str = "nominal") -> Coefficient:
    """Scott's (1955) pi for two coders who coded the same units (nominal)."""
    data = _data(data, level)
    table, units, note = _two_coder_table(data)
    if table is None:
        return Coefficient("Scott's pi", None, units, data.n_coders, 0, note=note)
    return scott_pi_from_table(table)


def fleiss_kappa_from_counts(
    counts: Sequence[Sequence[float]] | np.ndarray,
    weights: Sequence[float] | np.ndarray | None = None,
    coders: int | None = None,
) -> Coefficient:
    """Fleiss' (1971) kappa from a subjects x categories table of counts ("Fleiss form":
    how many raters put subject i in category j); every row must add up to the same
    number of ratings m >= 2. ``weights`` repeats rows (default: once each)."""
    n_ij = np.asarray(counts, dtype=float)
    w = np.ones(len(n_ij)) if weights is None else np.asarray(weights, dtype=float)
    name = "Fleiss' kappa"
    m_i = n_ij.sum(axis=1)
    keep = (m_i > 0) & (w > 0)
    n_ij, w, m_i = n_ij[keep], w[keep], m_i[keep]
    subjects = round(w.sum())
    raters = coders if coders is not None else (round(m_i.max()) if len(m_i) else 0)
    if len(m_i) == 0:
        return Coefficient(name, None, 0, raters, 0, note="no ratings")
    m = m_i[0]
    if not np.all(m_i == m):
        return Coefficient(
            name,
            None,
            subjects,
            raters,
            0,
            note=f"units have different numbers of values ({int(m_i.min())} to {int(m_i.max())});"
            " Fleiss' kappa needs the same number in every unit: use Krippendorff's alpha",
        )
    if m < 2:
        return Coefficient(name, None, subjects, raters, 0, note="fewer than 2 values per unit")
    total = w.sum()
    p_i = ((n_ij**2).sum(axis=1) - m) / (m * (m - 1))
    observed = float(w @ p_i / total)
    p_j = (w @ n_ij) / (total * m)
    expected = float(p_j @ p_j)
    value = _ratio(observed - expected, 1.0 - expected)
    note = "" if value is not None else "no variation: expected agreement is 1"
    return Coefficient(
        name, value, subjects, raters, round(total * m), observed, expected, note=note
    )


def fleiss_kappa(data, level: str = "nominal") -> Coefficient:
    """Fleiss' kappa on reliability data (see the module docstring for missing values)."""
    data = _data(data, level)
    return fleiss_kappa_from_counts(data.unit_counts(), data.weights, coders=data.n_coders)
