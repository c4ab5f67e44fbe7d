"""Krippendorff's alpha for unitizing a continuum.

The 1995/2004 per-category form is checked against the worked example of Krippendorff,
*Content Analysis*, 2nd ed. (2004), section 11.6, p. 254 (continuum 150..450, two
observers, categories c and k), whose published values are D_o(c) = .0144,
D_e(c) = .0532, alpha(c) = .7286, D_o(k) = 0, D_e(k) = .0490, alpha(k) = 1.

For the 2016 family (_u alpha, |_u alpha, _cu alpha) no published number could be found
in the sources available here; these are checked against an independent brute-force
implementation written below from the definitions of Krippendorff, Mathet, Bouvry &
Widloecher (2016): every pair of sections (segments and gaps) of two different coders,
their intersection length, on random data, to 1e-9.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from desktop.core.agreement.unitizing import UnitizingError, unitizing_alpha

EXAMPLE_2004 = {
    "i": [(225, 295, "c"), (370, 400, "c"), (180, 240, "k"), (300, 350, "k")],
    "j": [(220, 300, "c"), (355, 375, "c"), (400, 420, "c"), (180, 240, "k"), (300, 350, "k")],
}


def test_per_category_form_reproduces_krippendorff_2004_p254() -> None:
    r = unitizing_alpha(EXAMPLE_2004, length=300, begin=150)
    c, k = r.per_category["c"], r.per_category["k"]
    assert c.observed_disagreement == pytest.approx(0.0144, abs=5e-5)
    assert c.expected_disagreement == pytest.approx(0.0532, abs=5e-5)
    assert c.u_alpha == pytest.approx(0.7286, abs=5e-5)
    assert k.observed_disagreement == 0
    assert k.expected_disagreement == pytest.approx(0.0490, abs=5e-5)
    assert k.u_alpha == 1.0
    # categories c and k overlap in one coder: the 2016 family refuses and says why
    assert r.u_alpha is None and "overlap" in r.notes["u_alpha"]


# --- brute force from the 2016 definitions ---------------------------------------------------


def _partition(segs, lo, hi):
    """A coder's sections: (start, end, value) with None for gaps."""
    out, pos = [], lo
    for s, e, v in sorted(segs):
        if s > pos:
            out.append((pos, s, None))
        out.append((s, e, v))
        pos = e
    if pos < hi:
        out.append((pos, hi, None))
    return out


def _brute(data, lo, hi):
    m = len(data)
    parts = [_partition(segs, lo, hi) for segs in data.values()]
    values = sorted({v for p in parts for _, _, v in p}, key=lambda x: (x is not None, str(x)))
    o = {(c, k): 0.0 for c in values for k in values}
    for a, b in itertools.permutations(range(m), 2):
        for s1, e1, v1 in parts[a]:
            for s2, e2, v2 in parts[b]:
                overlap = max(0, min(e1, e2) - max(s1, s2))
                o[v1, v2] += overlap / (m - 1)
    n = sum(o.values())
    marg = {c: sum(o[c, k] for k in values) for c in values}
    w = {c: 0.0 for c in values}
    for p in parts:
        for s, e, v in p:
            w[v] += (e - s) if v is None else (e - s) ** 2
    den = n * n - sum(w.values())
    e = {
        (c, k): n * (marg[c] * marg[k] - (w[c] if c == k else 0)) / den
        for c in values
        for k in values
    }
    u = 1 - (n - sum(o[c, c] for c in values)) / (n - sum(e[c, c] for c in values))
    binary = 1 - (marg[None] - o[None, None]) / (sum(e[None, k] for k in values) - e[None, None])
    # _cu alpha: coded-coded intersections only
    coded = [v for v in values if v is not None]
    if len(coded) < 2:
        return u, binary, None
    oc = {(c, k): o[c, k] for c in coded for k in coded}
    mc = {c: sum(oc[c, k] for k in coded) for c in coded}
    nc = sum(mc.values())
    sq = {c: 0.0 for c in coded}
    for a, b in itertools.permutations(range(m), 2):
        for s1, e1, v1 in parts[a]:
            if v1 is None:
                continue
            x = sum(max(0, min(e1, e2) - max(s1, s2)) for s2, e2, v2 in parts[b] if v2 is not None)
            sq[v1] += x * x
    s_all = sum(sq.values())
    den_c = nc - s_all / (nc * (m - 1))
    ec = {c: (mc[c] ** 2 - sq[c] / (m - 1)) / den_c for c in coded}
    cu = 1 - (nc - sum(oc[c, c] for c in coded)) / (nc - sum(ec.values()))
    return u, binary, cu


def _random_data(rng, coders, lo, hi, cats):
    data = {}
    for c in range(coders):
        cuts = np.sort(rng.choice(np.arange(lo + 1, hi), size=10, replace=False))
        segs = []
        for a, b in zip(cuts[::2], cuts[1::2], strict=True):
            segs.append((int(a), int(b), cats[rng.integers(len(cats))]))
        data[f"coder{c}"] = segs
    return data


@pytest.mark.parametrize("seed", range(8))
def test_2016_family_equals_brute_force_from_the_definition(seed: int) -> None:
    rng = np.random.default_rng(seed)
    lo, hi = 10, 10 + int(rng.integers(60, 200))
    data = _random_data(rng, int(rng.integers(2, 5)), lo, hi, ["a", "b", "c"])
    r = unitizing_alpha(data, length=hi - lo, begin=lo)
    u, binary, cu = _brute(data, lo, hi)
    assert r.u_alpha == pytest.approx(u, abs=1e-9)
    assert r.u_alpha_binary == pytest.approx(binary, abs=1e-9)
    assert r.cu_alpha == pytest.approx(cu, abs=1e-9)
    # without domains, Cu alpha (ATLAS.ti) is cu alpha
    assert r.Cu_alpha == pytest.approx(cu, abs=1e-9)


def test_binary_per_category_is_u_alpha_on_that_category_alone() -> None:
    rng = np.random.default_rng(42)
    data = _random_data(rng, 3, 0, 150, ["a", "b"])
    r = unitizing_alpha(data, length=150)
    for cat in ("a", "b"):
        alone = {c: [s for s in segs if s[2] == cat] for c, segs in data.items()}
        u, binary, _ = _brute(alone, 0, 150)
        assert r.per_category[cat].u_alpha_binary == pytest.approx(binary, abs=1e-9)
        assert binary == pytest.approx(u, abs=1e-12)  # one value: _u alpha is |_u alpha


def test_domains_make_Cu_alpha_the_agreement_on_domains() -> None:  # noqa: N802
    same_domain = {
        "a": [(0, 10, "Emotion/joy"), (20, 30, "Actor/mother")],
        "b": [(0, 10, "Emotion/fear"), (20, 30, "Actor/mother")],
    }
    r = unitizing_alpha(same_domain, length=40)
    assert r.Cu_alpha == pytest.approx(1.0)  # the domains agree everywhere
    assert r.cu_alpha < 1.0  # the codes do not


def test_perfect_agreement_and_bad_segments() -> None:
    same = {"a": [(0, 5, "x"), (10, 20, "y")], "b": [(0, 5, "x"), (10, 20, "y")]}
    r = unitizing_alpha(same, length=30)
    assert r.u_alpha == pytest.approx(1.0) and r.cu_alpha == pytest.approx(1.0)
    with pytest.raises(UnitizingError, match=r"coder 'b'.*\[25, 35\)"):
        unitizing_alpha({"a": [(0, 5, "x")], "b": [(25, 35, "x")]}, length=30)
