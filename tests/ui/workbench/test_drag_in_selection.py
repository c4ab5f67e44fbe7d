"""A drag that starts inside the current selection makes a new selection (in a reading
view there is nothing to move), so the passage coded is the one dragged across."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from tests.ui.helpers import select, stored


def point_at(viewer, cp: int):
    c = QTextCursor(viewer.document())
    c.setPosition(viewer.offsets.to_qt(cp))
    return viewer.cursorRect(c).center()


def test_a_drag_from_inside_the_selection_selects_anew(window, qtbot):
    v = window.viewer
    select(window, "Syria's regime")
    text = v.text
    start = text.index("regime") + 2  # inside the selected words
    end = text.index("regime") + len("regime") + 40
    vp = v.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=point_at(v, start))
    qtbot.mouseMove(vp, point_at(v, (start + end) // 2))
    qtbot.mouseMove(vp, point_at(v, end))
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=point_at(v, end))
    shown = v.textCursor().selectedText()
    assert shown.startswith("regime"), shown  # from the word pressed in, not the old one
    assert "Syria" not in shown
    qtbot.keyClick(v, Qt.Key.Key_2)
    assert [q for _p, _c, q in stored(window)] == [shown.replace("\u2029", "\n")]
