"""Find in the document folds what readers treat as the same, hits select the original
characters, and "Exact" (a checkbox, reachable by Tab and Alt+X) turns folding off."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from desktop.services.documents import documents
from desktop.services.project.project import Project

TEXT = (
    "🔥 Rebels said REBELS fled.\n"
    "قال المرصد إن المسلحين قُتِلوا أمس، واستمرت الحـــرب ١٢٠ يوماً.\n"
    "آنها می\u200cخواهند بروند؛ ۱۲۰ نفر. La re\u0301sistance et la résistance.\n"
)


@pytest.fixture
def window(make_window, tmp_path):
    path = tmp_path / "scripts.tessera"
    with Project.create(path) as p:
        documents.add_document(p, name="scripts.txt", text=TEXT, kind="txt")
    return make_window(path)


def selected(window) -> str:
    # Qt's selectedText uses U+2029 for paragraph ends; none of these hits spans one
    return window.viewer.textCursor().selectedText()


def type_text(widget, text: str) -> None:
    """Key presses carrying each character, as an Arabic or Persian keyboard layout sends
    them (QTest.keyClicks only knows Latin-1 keys)."""
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch)
            )


def find(window, qtbot, query: str) -> int:
    bar = window.find_bar
    qtbot.keyClick(bar.edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(bar.edit, Qt.Key.Key_Delete)
    assert bar.edit.text() == ""
    type_text(bar.edit, query)
    assert bar.edit.text() == query
    return bar.total


def test_find_folds_and_selects_the_original_characters(window, qtbot):
    qtbot.keyClick(window.viewer, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    bar = window.find_bar
    assert bar.isVisible() and bar.edit.hasFocus()
    for query, hits in (
        ("قتلوا", ["قُتِلوا"]),
        ("الحرب", ["الحـــرب"]),
        ("120", ["١٢٠", "۱۲۰"]),
        ("میخواهند", ["می\u200cخواهند"]),
        ("résistance", ["re\u0301sistance", "résistance"]),
        ("rebels", ["Rebels", "REBELS"]),
    ):
        assert find(window, qtbot, query) == len(hits), query
        assert bar.count.text() == f"{len(hits)} matches"
        seen = []
        for _ in hits:
            qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
            seen.append(selected(window))
        assert seen == hits, query


def test_exact_is_a_keyboard_reachable_checkbox_that_turns_folding_off(window, qtbot):
    qtbot.keyClick(window.viewer, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    bar = window.find_bar
    assert bar.exact.accessibleName() == "Exact match"
    assert bar.edit.accessibleName() == "Find in document"
    assert find(window, qtbot, "قتلوا") == 1
    qtbot.keyClick(bar.edit, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is bar.exact
    qtbot.keyClick(bar.exact, Qt.Key.Key_Space)
    assert bar.exact.isChecked() and bar.total == 0 and bar.count.text() == "0 matches"
    assert find(window, qtbot, "قُتِلوا") == 1
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    assert selected(window) == "قُتِلوا"
    assert find(window, qtbot, "Rebels") == 1
    qtbot.keyClick(bar.edit, Qt.Key.Key_X, Qt.KeyboardModifier.AltModifier)  # E&xact
    qtbot.waitUntil(lambda: not bar.exact.isChecked())  # a mnemonic clicks after a flash
    assert bar.total == 2 and bar.count.text() == "2 matches"
