"""The codebook tree gets the room on a laptop screen: the inspector below it is no taller
than what it shows (its header only when no code is selected), can be collapsed to that
header (remembered), and a code made while coding (Ctrl+K, in-vivo) is selected in the
tree and scrolled into view."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt

from desktop.services.codebook import codebook
from tests.ui.helpers import select


def settle(qtbot) -> None:
    for _ in range(3):
        qtbot.wait(20)


def shown_rows(tree) -> int:
    """Rows of the tree the user sees whole (every branch is expanded)."""
    inside = tree.viewport().rect()
    n, idx = 0, tree.model().index(0, 0)
    while idx.isValid():
        if inside.contains(tree.visualRect(idx)):
            n += 1
        idx = tree.indexBelow(idx)
    return n


@pytest.mark.parametrize("look", ["plain", "light", "dark"])
def test_the_whole_sample_codebook_shows_at_1366x768(window, qtbot, themed, look):
    """In the real theme too, whose rows are padded (with the Noto fonts a desktop has,
    rows of 3 px padding left the last code of the sample below the edge)."""
    if look != "plain":
        themed(look)
    window.resize(1366, 768)
    tree, inspector = window.codebook_panel.view, window.codebook_ui.inspector
    tree.setCurrentIndex(QModelIndex())
    settle(qtbot)
    assert inspector.code_id is None
    assert inspector.height() <= inspector.header_height() + 2  # nothing to edit: no editor
    assert shown_rows(tree) == 13


def test_a_selected_code_takes_only_the_room_its_definition_needs(window, qtbot):
    window.resize(1366, 768)
    tree, inspector = window.codebook_panel.view, window.codebook_ui.inspector
    tree.select_code(codebook.find_code(window.project, "Casualties/Killed").id)
    settle(qtbot)
    assert "Casualties/Killed" in inspector.path.text()
    assert inspector.boxes["description"].isVisible()
    assert inspector.height() <= inspector.sizeHint().height() + 2
    assert shown_rows(tree) >= 8


def test_the_inspector_collapses_to_its_header_and_stays_so(
    window, qtbot, make_window, project_path
):
    window.resize(1366, 768)
    tree, inspector = window.codebook_panel.view, window.codebook_ui.inspector
    tree.select_code(codebook.find_code(window.project, "Casualties/Killed").id)
    settle(qtbot)
    qtbot.mouseClick(inspector.toggle, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert not inspector.boxes["description"].isVisible()
    assert inspector.path.isVisible() and "Casualties/Killed" in inspector.path.text()
    assert inspector.height() <= inspector.header_height() + 2
    assert shown_rows(tree) == 13
    # Enter in the tree (edit the definition) opens it again
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert inspector.boxes["description"].isVisible()
    qtbot.mouseClick(inspector.toggle, Qt.MouseButton.LeftButton)
    window.close()
    again = make_window(project_path)
    again.resize(1366, 768)
    again.codebook_panel.view.select_code(codebook.find_code(again.project, "Casualties").id)
    settle(qtbot)
    assert not again.codebook_ui.inspector.boxes["description"].isVisible()


def test_a_code_made_with_ctrl_k_is_selected_and_scrolled_into_view(window, qtbot):
    for i in range(25):  # a codebook longer than the panel
        codebook.add_code(window.project, f"Places/Town {i:02}")
    window.refresh_codebook()
    window.resize(1366, 768)
    tree = window.codebook_panel.view
    tree.scrollToTop()
    settle(qtbot)
    select(window, "resumed air strikes")
    qtbot.keyClick(window.viewer, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(window.picker.edit, "Events/Air strikes")
    qtbot.keyClick(window.picker.edit, Qt.Key.Key_Return)
    settle(qtbot)
    new = codebook.find_code(window.project, "Events/Air strikes")
    assert tree.current_code() == new.id
    assert tree.viewport().rect().contains(tree.visualRect(tree.currentIndex()))
    # in-vivo codes are made the same way
    select(window, "government takeover")
    window.coding.in_vivo()
    settle(qtbot)
    made = codebook.find_code(window.project, "government takeover")
    assert tree.current_code() == made.id
    assert tree.viewport().rect().contains(tree.visualRect(tree.currentIndex()))
