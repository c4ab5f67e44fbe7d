"""Every window and dialog the workbench opens fits the available screen, comes back at
the size the user left it, and closes from the keyboard (Esc and Ctrl+W)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt


def menu_action(window, menu_text, text):
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == menu_text)
    return next(a for a in menu.actions() if a.text().replace("&", "").startswith(text))


def fits(widget) -> bool:
    screen = widget.screen().availableGeometry()
    frame = widget.frameGeometry()
    return frame.width() <= screen.width() and frame.height() <= screen.height()


OPENERS = [
    ("&Review", "Compare coders", lambda w: w.review_window),
    ("&Review", "Agreement", lambda w: w.agreement_dialog),
    ("Code&book", "Frequencies", lambda w: w.codebook_ui.frequencies_dialog),
    ("&Analysis", "Coded passages", lambda w: w.analysis_window),
    ("&Documents", "Documents table", lambda w: w.documents_window),
    ("&Documents", "Memos", lambda w: w.memos_window),
    ("&Documents", "Cases and sets", lambda w: w.cases_window),
]


@pytest.mark.parametrize(("menu", "entry", "get"), OPENERS, ids=[o[1] for o in OPENERS])
@pytest.mark.parametrize("key", ["esc", "ctrl+w"])
def test_windows_fit_the_screen_and_close_from_the_keyboard(window, qtbot, menu, entry, get, key):
    menu_action(window, menu, entry).trigger()
    shown = get(window)
    qtbot.waitUntil(shown.isVisible)
    qtbot.wait(50)  # what it loads once shown
    assert fits(shown), (shown.frameGeometry(), shown.screen().availableGeometry())
    if key == "esc":
        qtbot.keyClick(shown, Qt.Key.Key_Escape)
    else:
        qtbot.keyClick(shown, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not shown.isVisible())


def test_a_window_comes_back_at_the_size_it_was_left(window, qtbot):
    menu_action(window, "&Review", "Compare coders").trigger()
    review = window.review_window
    qtbot.waitUntil(review.isVisible)
    review.resize(790, 520)
    left = (review.width(), review.height())  # no smaller than its minimum in this font
    review.close()
    window.review_window = None
    menu_action(window, "&Review", "Compare coders").trigger()
    again = window.review_window
    qtbot.waitUntil(again.isVisible)
    assert (again.width(), again.height()) == left
