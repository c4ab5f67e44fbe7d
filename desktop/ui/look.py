"""The look in one place: style, theme, fonts, colour swatches and icons (drawn, so they
stay crisp at any device pixel ratio). The window keeps the system font and its size;
the reading pane's serif is sized from it, plus the reader's zoom."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QStyleFactory

from desktop.services.project.project import resources_dir
from desktop.ui import theme

SERIF_FAMILIES = (
    "Source Serif 4",
    "Charter",
    "Georgia",
    "Noto Serif",
    "DejaVu Serif",
    "Liberation Serif",
)


READING_SCALE = 1.2  # the reading serif against the interface font
MIN_POINTS, MAX_POINTS = 6.0, 72.0


def apply_style(app: QApplication, mode: str = theme.SYSTEM) -> None:
    """Fusion, the theme ``mode`` (light, dark or system) and the system font as it is."""
    styles = QStyleFactory.keys()
    if "Fusion" in styles:
        app.setStyle("Fusion")
    apply_theme(app, mode)
    theme.follow_system()


def apply_theme(app: QApplication, mode: str) -> theme.Theme:
    """Switch every window, dialog and pop-up to the theme ``mode``; later switches (the
    system's colour scheme changing) restyle the application too."""
    if not getattr(app, "_tessera_restyles", False):
        app._tessera_restyles = True  # type: ignore[attr-defined]
        theme.changes().changed.connect(lambda _t: _restyle(app))
    return theme.set_mode(mode)


def _restyle(app: QApplication) -> None:
    """Give every widget the theme's palette and style sheet.

    Replacing one style sheet by another makes Qt repolish every object its style-sheet
    cache remembers, and that cache can keep a widget of a window already closed and
    deleted (polishing it crashes). Clearing the sheet first drops the cache; the new
    sheet then polishes only the widgets that exist."""
    t = theme.current()
    app.setPalette(theme.palette(t))
    qss = resources_dir() / "style.qss"
    if qss.is_file():
        if app.styleSheet():
            app.setStyleSheet("")
        # the sheet's pictures (the check mark) are files of the installed resources
        icons = (resources_dir() / "icons").as_posix()
        app.setStyleSheet(
            theme.stylesheet(qss.read_text("utf-8").replace("@icons/", icons + "/"), t)
        )


def first_family(candidates: tuple[str, ...]) -> str | None:
    available = set(QFontDatabase.families())
    return next((f for f in candidates if f in available), None)


def reading_points() -> float:
    """The reading pane's size before zoom: the interface font's, a little larger."""
    base = QApplication.font().pointSizeF()
    return round((base if base > 0 else 9.5) * READING_SCALE * 2) / 2


def reading_font(zoom: float = 0.0) -> QFont:
    """The serif of the reading pane, ``zoom`` points larger (or smaller) than usual."""
    family = first_family(SERIF_FAMILIES)
    font = QFont(family) if family else QFont()
    if not family:
        font.setStyleHint(QFont.StyleHint.Serif)
    font.setPointSizeF(min(MAX_POINTS, max(MIN_POINTS, reading_points() + zoom)))
    # No ligatures in the text being coded: every character keeps a caret position of its
    # own. Inside a ligature ('fi' in Noto Serif) Qt places the caret at the wrong edge
    # of a left-to-right word in a right-to-left line, so a drag there selected the wrong
    # word.
    for tag in ("liga", "clig", "dlig"):
        font.setFeature(QFont.Tag(tag), 0)
    return font


def _ratio() -> float:
    app = QGuiApplication.instance()
    screen = app.primaryScreen() if app else None
    return max(1.0, screen.devicePixelRatio()) if screen else 1.0


@cache
def _swatch(color: str, round_: bool, ratio: float) -> QPixmap:
    size = 12
    pm = QPixmap(int(size * ratio), int(size * ratio))
    pm.setDevicePixelRatio(ratio)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    c = QColor(color)
    p.setPen(c.darker(125))
    p.setBrush(c)
    r = QRectF(1.5, 1.5, size - 3, size - 3)
    if round_:
        p.drawEllipse(r)
    else:
        p.drawRoundedRect(r, 2.5, 2.5)
    p.end()
    return pm


def swatch(color: str, round_: bool = False) -> QPixmap:
    return _swatch(color, round_, _ratio())


def icon(name: str) -> QIcon:
    """An SVG icon from resources/icons (empty icon if missing)."""
    path = resources_dir() / "icons" / f"{name}.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()
