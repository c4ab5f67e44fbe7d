"""Every colour of the interface, for a light and a dark theme, and the choice between
them (light, dark, or the system's colour scheme). Nothing else in desktop/ui names a
colour: widgets ask ``current()`` when they paint, the stylesheet is filled in from it,
and code colours (the user's data) are adjusted here so that text on them stays legible.

Contrast follows WCAG 2.2: text at least 4.5:1 against what is behind it, focus
indicators and control borders at least 3:1."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette

LIGHT, DARK, SYSTEM = "light", "dark", "system"
MODES = (LIGHT, DARK, SYSTEM)
SETTING = "view/theme"


@dataclass(frozen=True)
class Theme:
    name: str
    base: str  # text areas, lists, tables, menus
    panel: str  # the side panels, status bar, find bar
    ink: str  # body text
    muted: str  # secondary text: titles, hints, placeholders, headers (>= 4.5:1 on panel)
    line: str  # separators (decoration only)
    border: str  # boundaries of inputs and buttons (>= 3:1 on base and panel)
    accent: str  # focus ring, links (>= 3:1 as a ring, >= 4.5:1 as link text)
    selection: str  # selected rows and text (ink stays >= 4.5:1 on it)
    hover: str
    scroll: str  # scroll bar handles
    scroll_hover: str
    warn_bg: str  # the "Blind coding" badge
    warn_ink: str
    danger: str  # errors, open disagreements
    ok: str  # resolved disagreements
    find: str  # every match of Find
    find_current: str  # the match Find is on
    missing_code: str  # a code colour when the code is not known (any longer)
    missing_coder: str
    region: str  # a disagreement's region in Compare coders
    heat: str  # the strongest cell of a matrix shaded as a heat map
    fill_alpha: int  # the strongest a code's translucent highlight may be

    def colour(self, name: str) -> QColor:
        return QColor(getattr(self, name))


LIGHT_THEME = Theme(
    name=LIGHT,
    base="#ffffff",
    panel="#f6f7f9",
    ink="#1f2328",
    muted="#4b5563",
    line="#e3e5e8",
    border="#80868f",
    accent="#2f5fc4",
    selection="#d3e0f8",
    hover="#e9ecf0",
    scroll="#b9bfc7",
    scroll_hover="#9aa1aa",
    warn_bg="#fef3c7",
    warn_ink="#7c2d12",
    danger="#b42318",
    ok="#1d6b2a",
    find="#ffd54f",
    find_current="#ff9800",
    missing_code="#8a8f98",
    missing_coder="#6b7280",
    region="#d1584b",
    heat="#c2410c",
    fill_alpha=64,
)

DARK_THEME = Theme(
    name=DARK,
    base="#1c1e22",
    panel="#24272c",
    ink="#e6e8eb",
    muted="#b3bac4",
    line="#3a3f46",
    border="#80889a",
    accent="#8ab0ff",
    selection="#2f4a7d",
    hover="#30343a",
    scroll="#4a5059",
    scroll_hover="#626a75",
    warn_bg="#4a3410",
    warn_ink="#fde68a",
    danger="#ff8a80",
    ok="#86d993",
    find="#8a6d00",
    find_current="#b85c00",
    missing_code="#9aa0a8",
    missing_coder="#a0a6ae",
    region="#ff8a7a",
    heat="#fb923c",
    fill_alpha=96,
)

THEMES = {LIGHT: LIGHT_THEME, DARK: DARK_THEME}


# -- contrast (WCAG 2.2) ------------------------------------------------------------------
def _channel(c: float) -> float:
    c /= 255.0
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb: tuple[int, int, int]) -> float:
    r, g, b = rgb
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """The WCAG contrast ratio of two opaque colours, 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def rgb(colour: str | QColor) -> tuple[int, int, int]:
    c = QColor(colour)
    return c.red(), c.green(), c.blue()


def blend(
    over: tuple[int, int, int], under: tuple[int, int, int], alpha: int
) -> tuple[int, int, int]:
    a = alpha / 255.0
    return tuple(round(o * a + u * (1 - a)) for o, u in zip(over, under, strict=True))  # type: ignore[return-value]


# -- the current theme --------------------------------------------------------------------
class _State(QObject):
    changed = Signal(object)  # the Theme now in use


_state: _State | None = None
_mode = SYSTEM
_current = LIGHT_THEME


def changes() -> _State:
    """The object whose ``changed`` signal says the theme was switched."""
    global _state
    if _state is None:
        _state = _State()
    return _state


def current() -> Theme:
    return _current


def mode() -> str:
    return _mode


def system_is_dark() -> bool:
    app = QGuiApplication.instance()
    if app is None:
        return False
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def resolve(chosen: str) -> Theme:
    if chosen == SYSTEM:
        return DARK_THEME if system_is_dark() else LIGHT_THEME
    return THEMES.get(chosen, LIGHT_THEME)


def palette(t: Theme) -> QPalette:
    """A QPalette from the theme: what widgets the stylesheet does not reach (message
    boxes, file dialogs, combo box pop-ups, plain dialogs) draw with."""
    p = QPalette()
    R = QPalette.ColorRole
    for role, name in (
        (R.Window, "panel"), (R.WindowText, "ink"), (R.Base, "base"), (R.AlternateBase, "panel"),
        (R.Text, "ink"), (R.Button, "panel"), (R.ButtonText, "ink"), (R.ToolTipBase, "base"),
        (R.ToolTipText, "ink"), (R.Highlight, "selection"), (R.HighlightedText, "ink"),
        (R.PlaceholderText, "muted"), (R.Link, "accent"), (R.LinkVisited, "accent"),
        (R.BrightText, "danger"), (R.Mid, "border"), (R.Dark, "border"), (R.Midlight, "line"),
        (R.Light, "base"), (R.Shadow, "line"),
    ):  # fmt: skip
        p.setColor(role, t.colour(name))
    for role in (R.WindowText, R.Text, R.ButtonText):
        disabled = QColor(t.muted)
        disabled.setAlpha(160)
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return p


_TOKEN = re.compile(r"@([a-z_]+)\b")


def stylesheet(template: str, t: Theme) -> str:
    """The stylesheet with each ``@name`` replaced by the theme's colour of that name."""
    names = {f.name for f in fields(Theme)}

    def sub(m: re.Match[str]) -> str:
        key = m.group(1)
        if key not in names:
            raise KeyError(f"style.qss names @{key}, which is no colour of the theme")
        return str(getattr(t, key))

    return _TOKEN.sub(sub, template)


def set_mode(chosen: str) -> Theme:
    """Switch to ``chosen`` (light, dark or system) and tell everyone who listens."""
    global _mode, _current
    _mode = chosen if chosen in MODES else SYSTEM
    _current = resolve(_mode)
    changes().changed.emit(_current)
    return _current


def follow_system() -> None:
    """Re-resolve when the system's colour scheme changes (in "system" mode)."""
    app = QGuiApplication.instance()
    if app is None:
        return
    hints = QGuiApplication.styleHints()
    if getattr(app, "_tessera_follows_scheme", False):
        return
    app._tessera_follows_scheme = True  # type: ignore[attr-defined]
    hints.colorSchemeChanged.connect(lambda _scheme: _mode == SYSTEM and set_mode(SYSTEM))


# -- code colours on this theme ------------------------------------------------------------
def fill(code_colour: str, t: Theme | None = None, layers: int = 2) -> QColor:
    """The translucent highlight of a code: as strong as the theme allows while the text
    stays at least 4.5:1 on it, even where ``layers`` codings of that colour overlap."""
    t = t or _current
    over, base, ink = rgb(code_colour), rgb(t.base), rgb(t.ink)
    alpha = t.fill_alpha
    while alpha > 8:
        under = base
        for _ in range(layers):
            under = blend(over, under, alpha)
        if contrast(ink, under) >= 4.5:
            break
        alpha -= 4
    c = QColor(code_colour)
    c.setAlpha(alpha)
    return c


def heat(share: float, t: Theme | None = None) -> tuple[QColor, QColor]:
    """A heat-map cell at ``share`` (0..1) of the largest value: its background, from the
    page colour towards the theme's heat colour, never so strong that the theme's text
    drops below 4.5:1 on it; and that text colour."""
    t = t or _current
    share = max(0.0, min(1.0, share))
    over, base, ink = rgb(t.heat), rgb(t.base), rgb(t.ink)
    strongest = 224
    while strongest > 16 and contrast(ink, blend(over, base, strongest)) < 4.5:
        strongest -= 8
    alpha = round(16 + (strongest - 16) * share) if share else 0
    return QColor(*blend(over, base, alpha)), QColor(t.ink)


def readable(colour: str | QColor, background: str | None = None, ratio: float = 4.5,
             t: Theme | None = None) -> QColor:  # fmt: skip
    """``colour`` made darker (light theme) or lighter (dark theme) until it reaches
    ``ratio`` against ``background`` (the theme's base): code names drawn in their code's
    colour, stripes (3:1) and the like."""
    t = t or _current
    bg = rgb(background or t.base)
    c = QColor(colour)
    dark_bg = luminance(bg) < 0.18
    for _ in range(40):
        if contrast(rgb(c), bg) >= ratio:
            break
        c = c.lighter(112) if dark_bg else c.darker(112)
        if dark_bg and c.value() >= 250 and c.saturation() > 0:  # lighter() stalls at white hue
            c.setHsv(c.hue(), max(0, c.saturation() - 25), 255)
    return c
