"""Many codings on one phrase: their underlines stay under the letters (above the
baseline they read as a strikethrough); the layers that do not fit share one dotted
line, and the tooltip lists every coding."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QApplication

from tests.ui.helpers import select, stored


def test_underlines_never_rise_above_the_baseline(window):
    v = window.viewer
    fm = v.fontMetrics()
    line = QRectF(0, 100, 300, fm.height())
    baseline = line.top() + fm.ascent()
    ys, shared = zip(*(v.underline_at(line, lane, fm.descent()) for lane in range(8)), strict=True)
    assert all(y >= baseline for y in ys), (ys, baseline)
    assert shared[0] is False and shared[-1] is True  # the eighth layer shares a line
    assert len({y for y, s in zip(ys, shared, strict=True) if not s}) == shared.index(True)


def test_five_codings_on_one_phrase_are_all_listed_on_hover(window, qtbot):
    for key in (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4, Qt.Key.Key_5):
        select(window, "Syria's regime")
        qtbot.keyClick(window.viewer, key)
    assert len(stored(window)) == 5
    v = window.viewer
    QApplication.processEvents()
    v.viewport().repaint()  # paints the shared dotted line without error
    c = v.textCursor()
    c.setPosition(v.offsets.to_qt(v.text.index("regime")))
    point = v.cursorRect(c).center()
    assert len(v.spans_at_point(point)) == 5
