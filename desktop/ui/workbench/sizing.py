"""Where the window goes on the screen: a first window that fits the available area
(whatever its size and scale factor), and a remembered geometry brought back on screen
when the screens changed since."""

from __future__ import annotations

from PySide6.QtCore import QRect

PREFERRED = (1440, 900)  # logical pixels: the workbench at its most comfortable
FILL = 0.92  # of the available area, on screens smaller than that


def first_geometry(available: QRect, preferred: tuple[int, int] = PREFERRED) -> QRect:
    """The first window's frame: the preferred size, or 92% of the available area if
    that is smaller; never larger than the area, centred on it."""
    w = min(preferred[0], max(1, int(available.width() * FILL)))
    h = min(preferred[1], max(1, int(available.height() * FILL)))
    w, h = min(w, available.width()), min(h, available.height())
    x = available.x() + (available.width() - w) // 2
    y = available.y() + (available.height() - h) // 2
    return QRect(x, y, w, h)


def fit_on_screen(frame: QRect, screens: list[QRect]) -> QRect:
    """``frame`` unchanged if one of ``screens`` (their available areas) holds it; else
    moved onto, and shrunk to fit, the screen it overlaps most (the first if none)."""
    if not screens or any(s.contains(frame) for s in screens):
        return QRect(frame)
    target = (
        max(screens, key=lambda s: _overlap(s, frame))
        if any(_overlap(s, frame) for s in screens)
        else screens[0]
    )
    w, h = min(frame.width(), target.width()), min(frame.height(), target.height())
    x = min(max(frame.x(), target.x()), target.x() + target.width() - w)
    y = min(max(frame.y(), target.y()), target.y() + target.height() - h)
    return QRect(x, y, w, h)


def _overlap(a: QRect, b: QRect) -> int:
    r = a.intersected(b)
    return r.width() * r.height() if r.isValid() else 0
