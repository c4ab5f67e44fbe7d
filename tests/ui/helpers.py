"""Small helpers for driving the window like a user."""

from __future__ import annotations

from PySide6.QtGui import QColor, QTextCursor

from desktop.services.codebook import codebook
from desktop.services.coding import codings


def select(window, needle: str, *, partial: tuple[int, int] | None = None) -> tuple[int, int]:
    """Select ``needle`` (or a part of it) in the viewer, through Qt (UTF-16) positions
    computed here independently of the app's own conversion."""
    text = window.viewer.text
    start = text.index(needle)
    end = start + len(needle)
    if partial:
        start, end = start + partial[0], start + partial[1]

    def utf16(cp: int) -> int:
        return len(text[:cp].encode("utf-16-le")) // 2

    c = QTextCursor(window.viewer.document())
    c.setPosition(utf16(start))
    c.setPosition(utf16(end), QTextCursor.MoveMode.KeepAnchor)
    window.viewer.setTextCursor(c)
    return start, end


def stored(window) -> list[tuple[str, str, str]]:
    """(code path, coder id, quote) of every coding in the project, in document order."""
    paths = {c.id: c.path for c in codebook.list_codes(window.project)}
    return [(paths[c.code_id], c.coder_id, c.quote) for c in codings.list_codings(window.project)]


def quotes(window) -> list[str]:
    return [c.quote for c in codings.list_codings(window.project)]


def panel_rows(window) -> list[tuple[str, str, str]]:
    m = window.codings_panel.model
    return [tuple(m.index(r, c).data() for c in range(3)) for r in range(m.rowCount())]


def tree_count(window, code_id: int) -> str:
    return window.codebook_panel.model.index_of(code_id, 1).data()


def painted_colour(window, needle: str) -> QColor:
    """The colour the viewer paints behind the first letters of ``needle`` (a pixel just
    below the top of its first line box, where no glyph reaches)."""
    v = window.viewer
    start = v.text.index(needle)
    a, b = v.qt_span(start, start + len(needle))
    _f, _l, blocks = v._visible_range()
    rects = v._rects(a, b, blocks)
    assert rects, f"{needle!r} is not in view"
    image = v.viewport().grab().toImage()
    r = rects[0]
    ratio = image.devicePixelRatio()
    return QColor(image.pixel(int((r.left() + 2) * ratio), int((r.top() + 1) * ratio)))


def tinted_by(colour: QColor, code_colour: str, tolerance: int = 12) -> bool:
    """Whether a painted pixel is the code's translucent fill over a white page."""
    from desktop.core.palette import fill

    want = QColor(fill(code_colour))
    return all(
        abs(a - b) <= tolerance for a, b in zip(colour.getRgb()[:3], want.getRgb()[:3], strict=True)
    )
