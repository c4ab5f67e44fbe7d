"""The Documents table, driven like a user: opened from the Documents menu, cells edited
in place with their attribute's type, refused values named, every edit undone and
redone, sorted, filtered by text, set and condition, attributes defined and deleted."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QDialogButtonBox, QLineEdit

from desktop.services.documents import attributes, documents, sets
from desktop.services.project.project import Project
from tests.ui.workbench.test_windows_fit import menu_action


@pytest.fixture
def corpus_path(project_path):
    p = Project.open(project_path)
    p.actor = "Maya"
    attributes.add_attribute(p, "outlet", "choice", ["Reuters", "AFP"])
    attributes.add_attribute(p, "words", "integer")
    attributes.add_attribute(p, "published", "date")
    attributes.add_attribute(p, "translated", "yes/no")
    talks = documents.find_document(p, "talks.txt").id
    attributes.set_values(p, talks, {"outlet": "Reuters", "words": 900, "translated": "no"})
    for i, (outlet, words) in enumerate((("AFP", 80), ("Reuters", 1200), ("AFP", 300))):
        d = documents.add_document(p, name=f"a{i}.txt", text=f"article {i}\n", kind="txt",
                                   metadata={"title": f"Title {i}"})  # fmt: skip
        attributes.set_values(p, d.id, {"outlet": outlet, "words": words})
    sets.add_set(p, "Phase 1")
    sets.add_members(p, "Phase 1", documents=[talks])
    p.close()
    return project_path


@pytest.fixture
def table(make_window, corpus_path, qtbot):
    w = make_window(corpus_path)
    menu_action(w, "&Documents", "Documents table").trigger()
    win = w.documents_window
    qtbot.waitUntil(win.isVisible)
    return win


def column(win, title: str) -> int:
    m = win.model
    return next(i for i in range(m.columnCount()) if m.headerData(i, Qt.Orientation.Horizontal)
                == title)  # fmt: skip


def cell(win, name: str, title: str):
    m = win.model
    row = next(r for r in range(m.rowCount()) if m.index(r, 0).data() == name)
    return m.index(row, column(win, title))


def edit_cell(win, qtbot, name: str, title: str, value: str) -> None:
    """Open the cell's editor as a double-click would, type or choose, press Enter."""
    idx = cell(win, name, title)
    win.view.setCurrentIndex(idx)
    win.view.edit(idx)
    editor = win.view.indexWidget(idx)
    if isinstance(editor, QComboBox):
        editor.setCurrentIndex(editor.findText(value))
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    else:
        assert isinstance(editor, QLineEdit), editor
        editor.selectAll()
        qtbot.keyClicks(editor, value)
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    # the delegate commits after the key event (queued)
    qtbot.waitUntil(lambda: win.view.state() != QAbstractItemView.State.EditingState)


def doc_id(win, name: str) -> int:
    return documents.find_document(win.project, name).id


def values(win, name: str) -> dict:
    return attributes.values_of(win.project, doc_id(win, name))


def undo(win, qtbot) -> None:
    win.activateWindow()  # the window's shortcuts act in the active window
    qtbot.waitUntil(win.isActiveWindow)
    qtbot.keyClick(win.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


def redo(win, qtbot) -> None:
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    qtbot.keyClick(win.view, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)  # fmt: skip


def test_one_row_per_document_one_column_per_attribute(table):
    m = table.model
    heads = [m.headerData(i, Qt.Orientation.Horizontal) for i in range(m.columnCount())]
    assert heads == ["Name", "Title", "Author", "Date", "Source", "URL", "outlet", "words",
                     "published", "translated", "Codings", "Sets", "Case"]  # fmt: skip
    assert [m.index(r, 0).data() for r in range(m.rowCount())] == [
        "a0.txt", "a1.txt", "a2.txt", "talks.txt"]  # fmt: skip
    assert cell(table, "talks.txt", "outlet").data() == "Reuters"
    assert cell(table, "talks.txt", "Sets").data() == "Phase 1"
    assert cell(table, "a1.txt", "Title").data() == "Title 1"
    assert cell(table, "talks.txt", "translated").data(Qt.ItemDataRole.CheckStateRole) == (
        Qt.CheckState.Unchecked)  # fmt: skip
    assert "4 documents" in table.count.text()


def test_a_choice_is_chosen_from_its_list_and_undo_puts_it_back(table, qtbot):
    edit_cell(table, qtbot, "talks.txt", "outlet", "AFP")
    assert values(table, "talks.txt")["outlet"] == "AFP"
    assert cell(table, "talks.txt", "outlet").data() == "AFP"
    undo(table, qtbot)
    assert values(table, "talks.txt")["outlet"] == "Reuters"
    assert cell(table, "talks.txt", "outlet").data() == "Reuters"
    redo(table, qtbot)
    assert values(table, "talks.txt")["outlet"] == "AFP"


def test_wrong_values_are_refused_with_a_message(table, qtbot, prompts):
    depth = table.ctx.undo_stack.count()
    edit_cell(table, qtbot, "a0.txt", "words", "12")
    assert values(table, "a0.txt")["words"] == "12"
    edit_cell(table, qtbot, "a0.txt", "published", "2018-13-45")
    assert prompts.errors and "not a date" in prompts.errors[-1]
    assert "published" not in values(table, "a0.txt")
    assert cell(table, "a0.txt", "published").data() == ""
    assert table.ctx.undo_stack.count() == depth + 1  # the refused edit left no step
    edit_cell(table, qtbot, "a0.txt", "published", "2018-03-01")
    assert values(table, "a0.txt")["published"] == "2018-03-01"


def test_yes_no_is_a_check_box(table, qtbot):
    idx = cell(table, "talks.txt", "translated")
    table.view.setCurrentIndex(idx)
    qtbot.keyClick(table.view, Qt.Key.Key_Space)
    assert values(table, "talks.txt")["translated"] == "yes"
    assert cell(table, "talks.txt", "translated").data(Qt.ItemDataRole.CheckStateRole) == (
        Qt.CheckState.Checked)  # fmt: skip
    undo(table, qtbot)
    assert values(table, "talks.txt")["translated"] == "no"


def test_renaming_in_place_renames_the_document_everywhere(table, qtbot):
    edit_cell(table, qtbot, "a2.txt", "Name", "z-last.txt")
    assert documents.find_document(table.project, "z-last.txt") is not None
    names = [table.model.index(r, 0).data() for r in range(table.model.rowCount())]
    assert names[-1] == "z-last.txt"
    w = table.w
    listed = w.documents_panel.model
    assert "z-last.txt" in [listed.index(r, 0).data() for r in range(listed.rowCount())]
    undo(table, qtbot)
    assert documents.find_document(table.project, "a2.txt") is not None


def test_delete_clears_the_selected_cells_in_one_step(table, qtbot):
    for name in ("a0.txt", "a1.txt"):
        table.view.selectionModel().select(
            cell(table, name, "words"), table.view.selectionModel().SelectionFlag.Select
        )
    qtbot.keyClick(table.view, Qt.Key.Key_Delete)
    assert "words" not in values(table, "a0.txt") and "words" not in values(table, "a1.txt")
    undo(table, qtbot)
    assert values(table, "a0.txt")["words"] == "80" and values(table, "a1.txt")["words"] == "1200"


def test_sorting_numbers_as_numbers_and_empty_cells_last(table):
    table.view.sortByColumn(column(table, "words"), Qt.SortOrder.AscendingOrder)
    names = [table.model.index(r, 0).data() for r in range(table.model.rowCount())]
    assert names == ["a0.txt", "a2.txt", "talks.txt", "a1.txt"]  # 80, 300, 900, 1200
    table.view.sortByColumn(column(table, "published"), Qt.SortOrder.AscendingOrder)
    assert table.model.rowCount() == 4


def test_filters_by_text_set_and_condition(table, qtbot):
    qtbot.keyClicks(table.filter, "reuters")
    shown = [table.model.index(r, 0).data() for r in range(table.model.rowCount())]
    assert shown == ["a1.txt", "talks.txt"]
    assert "2 of 4 documents" in table.count.text()
    table.filter.clear()
    table.set_box.setCurrentIndex(table.set_box.findText("Set: Phase 1"))
    assert table.model.rowCount() == 1 and table.model.index(0, 0).data() == "talks.txt"
    table.set_box.setCurrentIndex(0)
    table.where.setText("words >= 300 and outlet = AFP")
    qtbot.keyClick(table.where, Qt.Key.Key_Return)
    assert [table.model.index(r, 0).data() for r in range(table.model.rowCount())] == ["a2.txt"]
    table.where.setText("tone > 3")
    qtbot.keyClick(table.where, Qt.Key.Key_Return)
    assert table.problem.isVisible() and "no attribute 'tone'" in table.problem.text()
    table.where.clear()
    assert table.model.rowCount() == 4 and not table.problem.isVisible()


def test_a_set_is_made_of_the_documents_shown(table, qtbot, prompts):
    qtbot.keyClicks(table.filter, "afp")
    prompts.text_answers = ["AFP articles"]
    table.set_from_shown_action.trigger()
    made = sets.get_set(table.project, "AFP articles")
    assert sorted(made.documents) == sorted([doc_id(table, "a0.txt"), doc_id(table, "a2.txt")])
    qtbot.waitUntil(lambda: table.set_box.findText("Set: AFP articles") >= 0)
    undo(table, qtbot)
    assert "AFP articles" not in [x.name for x in sets.list_sets(table.project)]


def test_attributes_are_defined_renamed_and_deleted_here(table, qtbot, prompts):
    dlg = table.new_attribute()
    qtbot.keyClicks(dlg.name, "language")
    dlg.kind.setCurrentIndex(dlg.kind.findData("choice"))
    dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dlg.problem.isVisible()  # a choice needs its choices
    dlg.choices.setPlainText("Arabic\nEnglish")
    dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: column_titles(table)[-4] == "language")
    edit_cell(table, qtbot, "talks.txt", "language", "Arabic")
    assert values(table, "talks.txt")["language"] == "Arabic"
    # rename and delete from the column header's menu; undo brings the values back
    prompts.text_answers = ["tongue"]
    menu = table.header_menu(column(table, "language"))
    next(a for a in menu.actions() if a.text().startswith("&Rename")).trigger()
    qtbot.waitUntil(lambda: "tongue" in column_titles(table))
    menu = table.header_menu(column(table, "tongue"))
    next(a for a in menu.actions() if a.text().startswith("&Delete")).trigger()
    qtbot.waitUntil(lambda: "tongue" not in column_titles(table))
    assert "tongue" not in [a.name for a in attributes.list_attributes(table.project)]
    undo(table, qtbot)
    qtbot.waitUntil(lambda: "tongue" in column_titles(table))
    assert values(table, "talks.txt")["tongue"] == "Arabic"
    assert column_titles(table).index("tongue") == column_titles(table).index("translated") + 1
    # built-in attributes cannot be renamed or deleted
    menu = table.header_menu(column(table, "Title"))
    assert not [a for a in menu.actions() if a.text().startswith(("&Rename", "&Delete"))]


def column_titles(win) -> list[str]:
    m = win.model
    return [m.headerData(i, Qt.Orientation.Horizontal) for i in range(m.columnCount())]


def test_the_table_follows_changes_made_elsewhere(table, qtbot):
    w = table.w
    talks = doc_id(table, "talks.txt")
    from desktop.ui.documents.commands import SetValues

    w.ctx.run(SetValues(w.ctx, talks, {"words": 5}))
    assert cell(table, "talks.txt", "words").data() == "5"
    # a coding applied in the main window counts in the table
    from tests.ui.helpers import select

    w.show_document(talks)
    select(w, "Syria's regime")
    w.codebook_ui.ask_values_action.setChecked(False)
    qtbot.keyClick(w.viewer, Qt.Key.Key_2)
    assert cell(table, "talks.txt", "Codings").data() == "1"


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_the_table_is_legible_in_both_themes(table, qtbot, themed, mode):
    from desktop.ui import theme
    from tests.ui.workbench.test_accessibility import grab, text_contrast

    themed(mode)
    for _ in range(3):
        qtbot.wait(10)
    t = theme.current()
    view = table.view
    img = grab(view.viewport())
    row = view.visualRect(table.model.index(0, 0))
    assert text_contrast(img, row.adjusted(0, 0, -1, -1)) >= 4.5
    corner = img.pixelColor(img.width() - 3, img.height() - 3)
    assert theme.contrast(theme.rgb(corner), theme.rgb(t.base)) < 1.2  # no white left
    # a refused condition is said on a line of its own, legible in the theme
    table.where.setText("tone > 1")
    assert not table.apply_condition()
    qtbot.waitUntil(table.problem.isVisible)
    assert text_contrast(grab(table.problem)) >= 4.5


def test_opening_another_project_closes_the_table_of_the_last_one(table, qtbot, tmp_path):
    other = Project.create(tmp_path / "other.tessera", template="conflict-news")
    other.close()
    table.w.set_project(Project.open(tmp_path / "other.tessera"))
    qtbot.waitUntil(lambda: not table.isVisible())
    menu_action(table.w, "&Documents", "Documents table").trigger()
    again = table.w.documents_window
    assert again is not table and again.model.rowCount() == 0
