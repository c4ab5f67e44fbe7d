"""Documents > Cases and sets, the documents' and the codebook's right-click menus for
cases and sets, and the choices of a choice attribute, in the real window: a user adds a
case, puts documents in it by right-click and by dragging them from the documents list,
edits a case value in place, and undoes each step; puts a code in a set; edits choices."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QAbstractItemView, QApplication, QDialogButtonBox, QLineEdit

from desktop.services.codebook import codebook
from desktop.services.documents import attributes, cases, documents, sets
from desktop.ui.documents.cases_window import CasesWindow
from desktop.ui.documents.dragging import DocumentDrag
from tests.ui.documents.test_document_menu import add_second, entry, right_click_menu
from tests.ui.workbench.test_windows_fit import menu_action


def open_cases(window, qtbot) -> CasesWindow:
    menu_action(window, "&Documents", "Cases and sets").trigger()
    win = window.cases_window
    qtbot.waitExposed(win)
    return win


def drag_from_list(window, name: str):
    """What dragging ``name`` out of the documents list carries."""
    view = window.documents_panel.view
    model = window.documents_panel.model
    view.setCurrentIndex(
        model.index(model.row_of(documents.find_document(window.project, name).id), 0)
    )
    data = view.findChild(DocumentDrag).mime()
    assert data is not None
    return data


def drop_on(view, row: int, data) -> None:
    """Drag ``data`` over the table ``view`` and drop it on ``row``, as the mouse does."""
    point = QPointF(view.visualRect(view.model().index(row, 0)).center())
    vp = view.viewport()
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    copy = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(point.toPoint(), copy, data, buttons, mods)
    QApplication.sendEvent(vp, enter)
    assert enter.isAccepted(), "the drag is not taken"
    move = QDragMoveEvent(point.toPoint(), copy, data, buttons, mods)
    QApplication.sendEvent(vp, move)
    assert move.isAccepted(), "no drop allowed on the row"
    QApplication.sendEvent(vp, QDropEvent(point, copy, data, buttons, mods))


def column(win, title: str) -> int:
    return next(i for i, c in enumerate(win.model.columns) if c.title == title)


def member_names(box) -> list[str]:
    return [box.item(i).text() for i in range(box.count())]


def test_add_a_case_put_documents_in_it_by_menu_and_drag_edit_a_value_and_undo(
    window, qtbot, monkeypatch, prompts
):
    p = window.project
    second = add_second(window)
    talks = documents.find_document(p, "talks.txt").id
    win = open_cases(window, qtbot)
    prompts.text_answers = ["Interviewee A"]
    win.new_case_action.trigger()
    assert [c.name for c in win.model.rows] == ["Interviewee A"]
    dlg = win.new_attribute()
    dlg.name.setText("age")
    dlg.kind.setCurrentIndex(dlg.kind.findData("integer"))
    dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: "age" in [c.title for c in win.model.columns])

    # right-click on a document: Add to case > Interviewee A
    menu = entry(right_click_menu(window, monkeypatch, "talks.txt"), "Add to case").menu()
    entry(menu, "Interviewee A").trigger()
    assert cases.get_case(p, "Interviewee A").documents == (talks,)
    qtbot.waitUntil(lambda: member_names(win.members) == ["talks.txt"])

    # drag the second document from the documents list onto the case
    data = drag_from_list(window, "second.txt")
    drop_on(win.view, 0, data)
    qtbot.waitUntil(lambda: cases.get_case(p, "Interviewee A").documents == (talks, second))
    qtbot.waitUntil(lambda: member_names(win.members) == ["second.txt", "talks.txt"])
    assert win.model.index(0, column(win, "Documents")).data() == "2"

    # edit the case's age in place
    idx = win.model.index(0, column(win, "age"))
    win.view.setCurrentIndex(idx)
    win.view.edit(idx)
    editor = win.view.indexWidget(idx)
    assert isinstance(editor, QLineEdit), editor
    qtbot.keyClicks(editor, "34")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.view.state() != QAbstractItemView.State.EditingState)
    assert cases.get_case(p, "Interviewee A").values == {"age": "34"}
    qtbot.waitUntil(lambda: win.model.index(0, column(win, "age")).data() == "34")

    # Delete clears it; undo, step by step, from the window's own Undo
    qtbot.keyClick(win.view, Qt.Key.Key_Delete)
    assert cases.get_case(p, "Interviewee A").values == {}
    win.undo_action.trigger()
    assert cases.get_case(p, "Interviewee A").values == {"age": "34"}
    win.undo_action.trigger()
    assert cases.get_case(p, "Interviewee A").values == {}
    win.undo_action.trigger()
    assert cases.get_case(p, "Interviewee A").documents == (talks,)
    win.undo_action.trigger()
    assert cases.get_case(p, "Interviewee A").documents == ()
    qtbot.waitUntil(lambda: member_names(win.members) == [])
    win.redo_action.trigger()
    win.redo_action.trigger()
    assert cases.get_case(p, "Interviewee A").documents == (talks, second)

    # take one out from the case's documents
    qtbot.waitUntil(lambda: win.members.count() == 2)
    win.members.item(0).setSelected(True)  # second.txt
    win.remove_button.click()
    assert cases.get_case(p, "Interviewee A").documents == (talks,)


def test_deleting_a_case_says_how_many_documents_it_held_and_undo_brings_it_back(
    window, qtbot, prompts
):
    p = window.project
    talks = documents.find_document(p, "talks.txt").id
    attributes.add_attribute(p, "role", "text", scope="case")
    cases.add_case(p, "Outlet: Reuters", values={"role": "wire"})
    cases.set_documents(p, "Outlet: Reuters", [talks])
    win = open_cases(window, qtbot)
    asked = []
    prompts.confirm = lambda title, message: asked.append(message) or False
    win.delete_action.trigger()
    assert "It holds 1 document; it stays in the project" in asked[-1]
    assert cases.list_cases(p) != []  # refused
    prompts.confirm = lambda title, message: True
    win.delete_action.trigger()
    assert cases.list_cases(p) == []
    qtbot.waitUntil(lambda: win.model.rowCount() == 0)
    assert documents.find_document(p, "talks.txt") is not None
    win.undo_action.trigger()
    back = cases.get_case(p, "Outlet: Reuters")
    assert back.documents == (talks,) and back.values == {"role": "wire"}
    qtbot.waitUntil(lambda: win.model.rowCount() == 1)
    # a long name is elided in the table but whole in its tooltip
    assert win.model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole).startswith("Outlet: Reuters")


def test_a_code_joins_a_set_from_the_codebook_menu_and_the_sets_tab_shows_it(
    window, qtbot, prompts
):
    p = window.project
    killed = codebook.find_code(p, "Casualties/Killed").id

    def menu_entry(*path):
        menu = window.coding.build_codebook_menu(killed)
        for text in path[:-1]:
            menu = entry(menu, text).menu()
        return entry(menu, path[-1])

    prompts.text_answers = ["Violence"]
    menu_entry("Add to set", "New set").trigger()
    assert sets.get_set(p, "Violence").codes == (killed,)
    listed = menu_entry("Add to set", "Violence")
    assert listed.isCheckable() and listed.isChecked()
    win = open_cases(window, qtbot)
    win.tabs.setCurrentIndex(1)
    tab = win.sets_tab
    qtbot.waitUntil(lambda: member_names(tab.codes) == ["Casualties/Killed"])
    menu_entry("Remove from set", "Violence").trigger()
    assert sets.get_set(p, "Violence").codes == ()
    qtbot.waitUntil(lambda: member_names(tab.codes) == [])
    window.ctx.undo_stack.undo()
    assert sets.get_set(p, "Violence").codes == (killed,)
    # documents dragged from the list onto the set join it
    drop_on(tab.view, 0, drag_from_list(window, "talks.txt"))
    qtbot.waitUntil(lambda: member_names(tab.documents) == ["talks.txt"])
    assert len(sets.get_set(p, "Violence").documents) == 1
    tab.codes.item(0).setSelected(True)
    tab.remove_button.click()
    assert sets.get_set(p, "Violence").codes == ()


def test_choices_of_a_choice_attribute_are_added_renamed_and_removed(window, qtbot, prompts):
    p = window.project
    talks = documents.find_document(p, "talks.txt").id
    attributes.add_attribute(p, "outlet", "choice", ["Reuters", "AFP"])
    attributes.set_values(p, talks, {"outlet": "AFP"})
    menu_action(window, "&Documents", "Documents table").trigger()
    table = window.documents_window
    col = next(i for i, c in enumerate(table.model.columns) if c.title == "outlet")
    entry(table.header_menu(col), "Edit choices of “outlet”").trigger()
    dlg = table.attribute_dialog
    assert dlg.windowTitle() == "Choices of “outlet”"
    items = dlg.choice_list
    assert member_names(items) == ["Reuters", "AFP"]
    assert "1 document" in items.item(1).toolTip()
    items.item(0).setText("Reuters UK")  # renamed in place
    dlg.add_button.click()  # a new choice, its text open for typing
    editor = items.indexWidget(items.indexFromItem(items.currentItem()))
    assert isinstance(editor, QLineEdit), editor
    editor.selectAll()
    qtbot.keyClicks(editor, "BBC")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: member_names(items) == ["Reuters UK", "AFP", "BBC"])
    asked = []
    prompts.confirm = lambda title, message: asked.append(message) or False
    items.setCurrentRow(1)
    dlg.remove_button.click()
    assert "1 document holds “AFP”" in asked[-1] and member_names(items)[1] == "AFP"
    prompts.confirm = lambda title, message: True
    dlg.remove_button.click()
    assert member_names(items) == ["Reuters UK", "BBC"]
    dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert attributes.get_attribute(p, "outlet").choices == ("Reuters UK", "BBC")
    assert "outlet" not in attributes.values_of(p, talks)
    window.ctx.undo_stack.undo()
    assert attributes.get_attribute(p, "outlet").choices == ("Reuters", "AFP")
    assert attributes.values_of(p, talks)["outlet"] == "AFP"


def test_a_set_is_renamed_and_deleted_with_what_it_held_said_and_undone(window, qtbot, prompts):
    p = window.project
    talks = documents.find_document(p, "talks.txt").id
    killed = codebook.find_code(p, "Casualties/Killed").id
    sets.add_set(p, "Phase 1")
    sets.add_members(p, "Phase 1", documents=[talks], codes=[killed])
    win = open_cases(window, qtbot)
    win.tabs.setCurrentIndex(1)
    tab = win.sets_tab
    prompts.text_answers = ["Phase one"]
    tab.rename_button.click()
    qtbot.waitUntil(lambda: tab.model.index(0, 0).data() == "Phase one")
    asked = []
    prompts.confirm = lambda title, message: asked.append(message) or True
    tab.delete_button.click()
    assert "It holds 1 document and 1 code; they stay" in asked[-1]
    assert sets.list_sets(p) == []
    win.undo_action.trigger()
    back = sets.get_set(p, "Phase one")
    assert back.documents == (talks,) and back.codes == (killed,)
    win.undo_action.trigger()
    assert [x.name for x in sets.list_sets(p)] == ["Phase 1"]


def test_the_choices_dialog_names_its_controls_and_closes_with_esc(window, qtbot):
    from desktop.ui import a11y

    p = window.project
    attributes.add_attribute(p, "kind", "choice", ["wire", "paper"], scope="case")
    win = open_cases(window, qtbot)
    col = column(win, "kind")
    entry(win.header_menu(col), "Edit choices of “kind”").trigger()
    dlg = win.attribute_dialog
    qtbot.waitExposed(dlg)
    assert a11y.unnamed(dlg) == []
    assert "held by 0 cases" in dlg.held.text()
    dlg.activateWindow()
    qtbot.keyClick(dlg.focusWidget() or dlg, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dlg.isVisible())
