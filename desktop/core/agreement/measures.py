"""Every coefficient for one reliability matrix, in one call: the classic ones of
``coefficients`` and the chance-corrected family of ``chance``, which builds on them (so
this lives apart from both: neither imports the other back)."""

from __future__ import annotations

from collections.abc import Sequence

from desktop.core.agreement import chance
from desktop.core.agreement.coefficients import (
    Reliability,
    check_level,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)
from desktop.core.agreement.data import ReliabilityData


def reliability(data, level: str = "nominal", coders: Sequence[str] | None = None) -> Reliability:
    """Every coefficient for one matrix (rows = coders, columns = units).

    Percent agreement, pi and the kappas treat values as nominal categories whatever the
    level; alpha uses the level.
    """
    check_level(level)
    if not isinstance(data, ReliabilityData):
        data = ReliabilityData.from_matrix(data, level=level, coders=coders)
    alpha = krippendorff_alpha(data, level)
    agreement = percent_agreement(data)
    ordered = data.numeric or level != "nominal"
    return Reliability(
        level=level,
        units=data.n_units,
        coders=data.coders,
        values=data.n_values,
        pairable_units=alpha.units,
        pairable_values=alpha.pairable_values,
        percent_agreement=agreement,
        scott_pi=scott_pi(data),
        cohen_kappa=cohen_kappa(data),
        fleiss_kappa=fleiss_kappa(data),
        krippendorff_alpha=alpha,
        bennett_s=chance.bennett_s(data),
        gwet_ac1=chance.gwet_ac(data),
        gwet_ac2=None if level == "nominal" else chance.gwet_ac(data, level),
        cohen_kappa_linear=chance.weighted_kappa(data, "linear", ordered),
        cohen_kappa_quadratic=chance.weighted_kappa(data, "quadratic", ordered),
        pairwise_kappa=chance.pairwise_kappa(data) if data.n_coders >= 3 else None,
        data=data,
    )
