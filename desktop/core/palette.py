"""Code colours that neighbours can tell apart: a code's colour is chosen as far as
possible (CIEDE2000) from the colours of its parent, its siblings and its children, with
normal vision and under simulated deuteranopia and protanopia, and never close to the
selection colour. Pure data and functions (no Qt), for the codebook service and the themes.

CIEDE2000 follows Sharma, Wu and Dalal (2005); the colour-vision simulation uses the
full-severity matrices of Machado, Oliveira and Fernandes (2009) on linear sRGB."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

# Candidates: mid-lightness colours (CIE L* 40-80: Okabe-Ito, Tol and ColorBrewer hues)
# that show as a stripe and, as a translucent fill, keep black text readable; ordered so
# that the first picks of a fresh codebook are the most distinct.
CANDIDATES: tuple[str, ...] = (
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9", "#7a4f9a",
    "#8c6d1f", "#1b9e77", "#e7298a", "#66a61e", "#a6761d", "#2166ac", "#4dac26",
    "#984ea3", "#ff7f00", "#377eb8", "#999933", "#44aa99", "#117733", "#aa4499",
    "#6699cc",
)  # fmt: skip

# The selection in the reading pane, with its text: a dark teal that no code colour and
# no code's fill comes near (codes are mid-light, their fills pale).
SELECTION, SELECTION_TEXT = "#083830", "#ffffff"
FILL_ALPHA = 64  # of 255: how opaque a code's fill is over the page
GOOD_ENOUGH = 20.0  # CIEDE2000 past which two colours read as plainly different
MIN_SELECTION_DISTANCE = 20.0  # no code colour or fill within this CIEDE2000 of it


# -- colour science ---------------------------------------------------------------------------


def hex_to_rgb(colour: str) -> tuple[float, float, float]:
    c = colour.lstrip("#")
    return tuple(int(c[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def rgb_to_hex(rgb: Sequence[float]) -> str:
    return "#" + "".join(f"{round(min(1.0, max(0.0, v)) * 255):02x}" for v in rgb)


def fill(colour: str, page: str = "#ffffff", alpha: int = FILL_ALPHA) -> str:
    """The colour a code's translucent fill shows over ``page``."""
    a = alpha / 255
    return rgb_to_hex(
        [a * c + (1 - a) * p for c, p in zip(hex_to_rgb(colour), hex_to_rgb(page), strict=True)]
    )


def _to_linear(v: float) -> float:
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def _to_srgb(v: float) -> float:
    v = min(1.0, max(0.0, v))
    return v * 12.92 if v <= 0.0031308 else 1.055 * v ** (1 / 2.4) - 0.055


def to_lab(colour: str) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB colour."""
    r, g, b = (_to_linear(v) for v in hex_to_rgb(colour))
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def ciede2000(lab1: Sequence[float], lab2: Sequence[float]) -> float:
    """The CIEDE2000 colour difference (kL = kC = kH = 1)."""
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dl, dc = l2 - l1, c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    elif abs(h2p - h1p) <= 180:
        dh = h2p - h1p
    else:
        dh = h2p - h1p - 360 if h2p > h1p else h2p - h1p + 360
    dH = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_bar, cp_bar = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    else:
        h_bar = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(h_bar - 30))
        + 0.24 * math.cos(math.radians(2 * h_bar))
        + 0.32 * math.cos(math.radians(3 * h_bar + 6))
        - 0.20 * math.cos(math.radians(4 * h_bar - 63))
    )
    d_theta = 30 * math.exp(-(((h_bar - 275) / 25) ** 2))
    rc = 2 * math.sqrt(cp_bar**7 / (cp_bar**7 + 25**7))
    sl = 1 + 0.015 * (l_bar - 50) ** 2 / math.sqrt(20 + (l_bar - 50) ** 2)
    sc = 1 + 0.045 * cp_bar
    sh = 1 + 0.015 * cp_bar * t
    rt = -math.sin(math.radians(2 * d_theta)) * rc
    return math.sqrt((dl / sl) ** 2 + (dc / sc) ** 2 + (dH / sh) ** 2 + rt * (dc / sc) * (dH / sh))


# Machado et al. (2009), severity 1.0, applied to linear RGB.
_DEFICIENCIES = {
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
}
VISIONS = ("normal", *_DEFICIENCIES)


def simulate(colour: str, vision: str) -> str:
    """How ``colour`` looks to a reader with ``vision`` ("normal", "deuteranopia",
    "protanopia")."""
    if vision == "normal":
        return colour
    m = _DEFICIENCIES[vision]
    lin = [_to_linear(v) for v in hex_to_rgb(colour)]
    return rgb_to_hex([_to_srgb(sum(m[i][j] * lin[j] for j in range(3))) for i in range(3)])


def distance(c1: str, c2: str, vision: str = "normal") -> float:
    return ciede2000(to_lab(simulate(c1, vision)), to_lab(simulate(c2, vision)))


def worst_distance(c1: str, c2: str) -> float:
    """The smallest CIEDE2000 between two colours over normal vision and both
    red-green deficiencies: what the reader who sees them closest sees."""
    return min(distance(c1, c2, v) for v in VISIONS)


# -- choosing ---------------------------------------------------------------------------------


def pick(neighbours: Iterable[str], used: Iterable[str] = ()) -> str:
    """The candidate farthest (worst case over the visions) from ``neighbours`` (the
    colours of the parent, siblings and children). Beyond a gap of GOOD_ENOUGH every
    reader tells them apart, so among those the one least ``used`` in the codebook wins."""
    near = [n.lower() for n in neighbours]
    counts: dict[str, int] = {}
    for u in used:
        counts[u.lower()] = counts.get(u.lower(), 0) + 1
    best, best_key = CANDIDATES[0], None
    for i, c in enumerate(CANDIDATES):
        gap = min((worst_distance(c, n) for n in near), default=100.0)
        key = (min(round(gap, 1), GOOD_ENOUGH), -counts.get(c, 0), -i)
        if best_key is None or key > best_key:
            best, best_key = c, key
    return best


def assign(tree: Sequence[tuple[object, object | None]]) -> dict[object, str]:
    """Colours for a whole codebook: ``tree`` lists (code, parent) with parents first;
    each code gets the candidate farthest from its parent and its siblings so far."""
    colours: dict[object, str] = {}
    children: dict[object, list[object]] = {}
    for code, parent in tree:
        siblings = children.setdefault(parent, [])
        near = [colours[s] for s in siblings]
        if parent is not None and parent in colours:
            near.append(colours[parent])
        colours[code] = pick(near, colours.values())
        siblings.append(code)
    return colours
