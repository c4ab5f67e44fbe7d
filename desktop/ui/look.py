"""The look in one place: style, fonts, colour swatches and icons (drawn, so they stay
crisp at any device pixel ratio)."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QStyleFactory

from desktop.services.project.project import resources_dir

SERIF_FAMILIES = (
    "Source Serif 4",
    "Charter",
    "Georgia",
    "Noto Serif",
    "DejaVu Serif",
    "Liberation Serif",
)
SANS_FAMILIES = ("Inter", "Segoe UI", "Noto Sans", "Cantarell", "DejaVu Sans", "Liberation Sans")


def apply_style(app: QApplication) -> None:
    styles = QStyleFactory.keys()
    if "Fusion" in styles:
        app.setStyle("Fusion")
    sans = first_family(SANS_FAMILIES)
    if sans:
        font = QFont(sans)
        font.setPointSizeF(9.5)
        app.setFont(font)
    qss = resources_dir() / "style.qss"
    if qss.is_file():
        app.setStyleSheet(qss.read_text("utf-8"))


def first_family(candidates: tuple[str, ...]) -> str | None:
    available = set(QFontDatabase.families())
    return next((f for f in candidates if f in available), None)


def reading_font() -> QFont:
    family = first_family(SERIF_FAMILIES)
    font = QFont(family) if family else QFont()
    if not family:
        font.setStyleHint(QFont.StyleHint.Serif)
    font.setPointSizeF(11.5)
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
