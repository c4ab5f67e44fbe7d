"""Every window and dialog the menus open, as a keyboard and screen-reader user meets it:
each focusable control has an accessible name, and Esc closes the window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.ui import a11y

ENTRIES = [
    ("&Review", "Compare coders"),
    ("&Review", "Agreement"),
    ("Code&book", "Frequencies"),
    ("&Analysis", None),  # the first entry of the Analysis menu
    ("&Help", "Keyboard shortcuts"),
    ("&Help", "Tessera manual"),
    ("&Help", "Tour"),
    ("&View", "Code keys"),
    ("&Documents", "Documents table"),
    ("&Documents", "Cases and sets"),
    ("&Documents", "Properties of this document"),
    ("&Documents", "Memos"),
    ("&Documents", "New journal entry"),
]


def trigger(window, menu_text: str, entry: str | None) -> None:
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == menu_text)
    actions = [a for a in menu.actions() if not a.isSeparator() and a.menu() is None]
    action = (
        actions[0]
        if entry is None
        else next(a for a in actions if a.text().replace("&", "").startswith(entry))
    )
    action.trigger()


@pytest.mark.parametrize(("menu", "entry"), ENTRIES, ids=[f"{m}-{e}" for m, e in ENTRIES])
def test_the_window_names_its_controls_and_closes_with_esc(window, qtbot, menu, entry):
    before = {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}
    trigger(window, menu, entry)
    qtbot.waitUntil(
        lambda: any(w.isVisible() and id(w) not in before for w in QApplication.topLevelWidgets())
    )
    shown = next(w for w in QApplication.topLevelWidgets() if w.isVisible() and id(w) not in before)
    qtbot.wait(50)  # what it loads once shown
    missing = [f"{type(w).__name__}:{w.objectName()}" for w in a11y.unnamed(shown)]
    assert missing == [], shown.windowTitle()
    spoken = [a11y.accessible_name(w) for w in a11y.focusable(shown)]
    assert not [n for n in spoken if "<" in n], "markup is read out as it is"
    shown.activateWindow()
    qtbot.keyClick(shown.focusWidget() or shown, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not shown.isVisible())
