"""The margin tells codes apart by name at every width (initials when the names do not
fit) and marks the codings that have a memo."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.services.coding import codings
from desktop.ui.workbench.margin import initials
from tests.ui.helpers import select


def margin_pixels(window):
    QApplication.processEvents()
    return window.viewer.margin.grab().toImage()


def ink_left_of_stripes(window) -> int:
    """Pixels that differ from the margin's background left of the stripes: labels."""
    v = window.viewer
    img = margin_pixels(window)
    stripes = v.stripe_geometry()
    assert stripes
    edge = int(min(r.left() for _s, r in stripes)) - 8
    bg = img.pixel(1, img.height() - 2)
    top, bottom = int(stripes[0][1].top()), int(stripes[0][1].top()) + 12
    return sum(img.pixel(x, y) != bg for x in range(0, max(0, edge)) for y in range(top, bottom))


def test_initials_of_code_names():
    assert initials("State forces") == "SF"
    assert initials("Actors/State forces") == "ASF"
    assert initials("Demands") == "De"


def test_a_narrow_window_labels_the_margin_with_initials(window, qtbot):
    select(window, "Syria's regime")
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)
    window.resize(1024, 700)
    QApplication.processEvents()
    qtbot.wait(20)
    assert ink_left_of_stripes(window) > 0


def test_a_coding_with_a_memo_is_marked_beside_its_stripe(window, qtbot):
    select(window, "Syria's regime")
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)
    v = window.viewer
    QApplication.processEvents()
    qtbot.wait(20)
    ((span, rect),) = v.stripe_geometry()
    before = margin_pixels(window)
    x, y = int(rect.left()) - 4, int(rect.top()) + 2
    assert before.pixelColor(x, y) == before.pixelColor(1, before.height() - 2)
    codings.set_memo(window.project, span.coding_id, "source?")
    window.refresh_codings()
    after = margin_pixels(window)
    assert after.pixelColor(x, y) != after.pixelColor(1, after.height() - 2)
