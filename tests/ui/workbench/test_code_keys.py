"""Remapping the single-key coding keys from the View menu, as a user does it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from desktop.ui.workbench.code_keys import CodeKeysDialog, problem
from tests.ui.helpers import select, stored


def open_dialog(window, qtbot) -> CodeKeysDialog:
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    next(a for a in view.actions() if a.text() == "Code &keys…").trigger()
    dlg = window.findChild(CodeKeysDialog)
    qtbot.waitUntil(dlg.isVisible)
    return dlg


def ok_button(dlg):
    return dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)


def key_column(window) -> list[str]:
    model = window.codebook_panel.model
    return [model.key_label(c.id) for c in model.quick_codes()]


def test_remapped_keys_apply_codes_and_show_in_the_codebook(window, qtbot, settings):
    assert key_column(window)[:3] == ["1", "2", "3"]
    dlg = open_dialog(window, qtbot)
    dlg.keys.selectAll()
    qtbot.keyClicks(dlg.keys, "qwertyuio")
    assert "w\u00a0→\u00a0code\u00a02" in dlg.preview.text()  # kept on one line
    qtbot.mouseClick(ok_button(dlg), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dlg.isVisible())
    assert settings.value("keys/code_keys") == "qwertyuio"
    assert key_column(window)[:3] == ["q", "w", "e"]
    select(window, "Syria's regime")
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)
    assert stored(window) == []  # the digits type nothing now
    qtbot.keyClick(window.viewer, Qt.Key.Key_W)
    assert [p for p, _c, _q in stored(window)] == ["Actors/State forces"]


def test_keys_that_cannot_work_are_refused_with_a_reason(window, qtbot, settings):
    dlg = open_dialog(window, qtbot)
    dlg.keys.selectAll()
    qtbot.keyClicks(dlg.keys, "qwertyuiq")
    assert not ok_button(dlg).isEnabled()
    assert "q appears more than once" in dlg.message.text()
    dlg.keys.selectAll()
    qtbot.keyClicks(dlg.keys, "qwe")
    assert not ok_button(dlg).isEnabled()
    assert "(3 so far)" in dlg.message.text()
    qtbot.keyClick(dlg, Qt.Key.Key_Escape)  # Esc leaves everything as it was
    qtbot.waitUntil(lambda: not dlg.isVisible())
    assert settings.value("keys/code_keys") is None
    assert key_column(window)[:2] == ["1", "2"]


def test_turning_the_keys_off_in_the_dialog_updates_the_menu(window, qtbot):
    dlg = open_dialog(window, qtbot)
    dlg.enabled.setChecked(False)
    assert not dlg.keys.isEnabled()
    dlg.accept()
    QApplication.processEvents()
    toggle = window.findChild(QAction, "code_keys_on")
    assert not toggle.isChecked()
    assert key_column(window) == [""] * len(key_column(window))
    select(window, "Syria's regime")
    qtbot.keyClick(window.viewer, Qt.Key.Key_1)
    assert stored(window) == []


def test_problem_names_what_is_wrong():
    assert problem("123456789") is None
    assert problem("12345678 ") == "Spaces and invisible characters cannot be code keys."
    assert problem("١٢٣٤٥٦٧٨٩") is None  # Arabic-Indic digits are keys like any other
