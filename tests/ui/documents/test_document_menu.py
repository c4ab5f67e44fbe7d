"""The documents list's right-click menu and the Properties dialog, in the real window:
open, rename, memo, sets (undoable), delete (says how many codings go), and properties
stored as one undoable step or refused with the reason."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMenu, QPushButton

from desktop.services.coding import memos
from desktop.services.documents import attributes, cases, documents, sets
from desktop.ui.documents.actions import DocumentActions
from tests.ui.helpers import select, stored
from tests.ui.workbench.test_windows_fit import menu_action


def right_click_menu(window, monkeypatch, name: str) -> QMenu:
    """Right-click the document in the list; the menu that would pop up."""
    shown: list[QMenu] = []
    actions = window.findChild(DocumentActions)
    monkeypatch.setattr(actions, "pop_up", lambda menu, pos: shown.append(menu))
    view = window.documents_panel.view
    row = window.documents_panel.model.row_of(documents.find_document(window.project, name).id)
    rect = view.visualRect(window.documents_panel.model.index(row, 0))
    view.customContextMenuRequested.emit(rect.center())
    assert shown, "no menu"
    return shown[-1]


def entry(menu: QMenu, text: str):
    for a in menu.actions():
        if a.text().replace("&", "").startswith(text):
            return a
    raise AssertionError(f"no {text!r} in {[a.text() for a in menu.actions()]}")


def add_second(window):
    d = documents.add_document(window.project, name="second.txt", text="Another article.\n",
                               kind="txt")  # fmt: skip
    window.refresh_documents()
    return d.id


def undo(window, qtbot):
    qtbot.keyClick(window.viewer, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


def test_the_menu_offers_what_can_be_done_to_a_document(window, monkeypatch):
    menu = right_click_menu(window, monkeypatch, "talks.txt")
    texts = [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]
    assert texts == [
        "Open",
        "Rename…",
        "Properties…",
        "Memo…",
        "Add to set",
        "Add to case",
        "Delete…",
    ]


def test_open_rename_and_memo_from_the_menu_and_undo(window, qtbot, monkeypatch, prompts):
    second = add_second(window)
    entry(right_click_menu(window, monkeypatch, "second.txt"), "Open").trigger()
    assert window.document_id == second and window.viewer.text.startswith("Another")
    prompts.text_answers = ["renamed.txt"]
    entry(right_click_menu(window, monkeypatch, "second.txt"), "Rename").trigger()
    listed = window.documents_panel.model
    names = [listed.index(r, 0).data() for r in range(listed.rowCount())]
    assert "renamed.txt" in names and "second.txt" not in names
    undo(window, qtbot)
    assert documents.get_document(window.project, second).name == "second.txt"
    prompts.text_answers = ["Background piece, not news."]
    entry(right_click_menu(window, monkeypatch, "second.txt"), "Memo").trigger()
    assert memos.document_memo(window.project, second) == "Background piece, not news."
    undo(window, qtbot)
    assert memos.document_memo(window.project, second) == ""


def test_add_to_a_new_set_and_to_an_existing_one(window, qtbot, monkeypatch, prompts):
    prompts.text_answers = ["Phase 1"]
    sets_menu = entry(right_click_menu(window, monkeypatch, "talks.txt"), "Add to set").menu()
    entry(sets_menu, "New set").trigger()
    talks = documents.find_document(window.project, "talks.txt").id
    assert sets.get_set(window.project, "Phase 1").documents == (talks,)
    # the set is listed, checked; choosing it again takes the document out
    sets_menu = entry(right_click_menu(window, monkeypatch, "talks.txt"), "Add to set").menu()
    phase = entry(sets_menu, "Phase 1")
    assert phase.isCheckable() and phase.isChecked()
    phase.trigger()
    assert sets.get_set(window.project, "Phase 1").documents == ()
    undo(window, qtbot)
    assert sets.get_set(window.project, "Phase 1").documents == (talks,)
    undo(window, qtbot)
    assert sets.list_sets(window.project) == []


def test_delete_says_how_many_codings_go_and_undo_brings_them_back(
    window, qtbot, monkeypatch, prompts
):
    window.codebook_ui.ask_values_action.setChecked(False)
    select(window, "Syria's regime")
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)
    select(window, "At least 12 people")
    qtbot.keyClick(window.viewer, Qt.Key.Key_3)
    assert len(stored(window)) == 2
    asked = []

    def confirm(title, message):
        asked.append(message)
        return False

    prompts.confirm = confirm
    entry(right_click_menu(window, monkeypatch, "talks.txt"), "Delete").trigger()
    assert "its 2 codings" in asked[-1]
    assert documents.find_document(window.project, "talks.txt") is not None  # refused
    prompts.confirm = lambda title, message: True
    entry(right_click_menu(window, monkeypatch, "talks.txt"), "Delete").trigger()
    assert documents.find_document(window.project, "talks.txt") is None
    assert stored(window) == []
    assert window.documents_panel.model.rowCount() == 0
    assert window.document_id is None and window.viewer.text == ""
    undo(window, qtbot)  # back, with its codings
    assert documents.find_document(window.project, "talks.txt") is not None
    assert len(stored(window)) == 2
    assert window.documents_panel.model.rowCount() == 1


def properties_dialog(window):
    menu_action(window, "&Documents", "Properties of this document").trigger()
    dlg = window.findChild(DocumentActions).properties_dialog
    assert dlg is not None and dlg.isVisible()
    return dlg


def ok(dlg):
    dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()


def test_properties_are_stored_in_one_undoable_step(window, qtbot, prompts):
    p = window.project
    attributes.add_attribute(p, "outlet", "choice", ["Reuters", "AFP"])
    attributes.add_attribute(p, "words", "integer")
    sets.add_set(p, "Phase 1")
    cases.add_case(p, "Dera'a offensive")
    talks = window.document_id
    dlg = properties_dialog(window)
    assert dlg.windowTitle() == "Properties — talks.txt"
    dlg.name.setText("talks-2018.txt")
    dlg.editors["title"].setText("Rebels say talks failed")
    outlet = dlg.editors["outlet"]
    outlet.setCurrentIndex(outlet.findText("AFP"))
    dlg.editors["words"].setText("1,200")
    dlg.memo.setPlainText("The first article of the corpus.")
    dlg.sets.item(0).setCheckState(Qt.CheckState.Checked)
    prompts.text_answers = ["Syria desk"]
    next(b for b in dlg.findChildren(QPushButton) if b.text() == "New &case…").click()
    ok(dlg)
    qtbot.waitUntil(lambda: not dlg.isVisible())
    d = documents.get_document(p, talks)
    assert d.name == "talks-2018.txt" and d.title == "Rebels say talks failed"
    assert attributes.values_of(p, talks)["outlet"] == "AFP"
    assert attributes.values_of(p, talks)["words"] == "1200"
    assert memos.document_memo(p, talks) == "The first article of the corpus."
    assert sets.get_set(p, "Phase 1").documents == (talks,)
    assert cases.get_case(p, "Syria desk").documents == (talks,)
    assert cases.get_case(p, "Dera'a offensive").documents == ()
    undo(window, qtbot)  # one step takes all of it back
    d = documents.get_document(p, talks)
    assert d.name == "talks.txt" and d.title is None
    assert "outlet" not in attributes.values_of(p, talks)
    assert memos.document_memo(p, talks) == ""
    assert sets.get_set(p, "Phase 1").documents == ()
    assert "Syria desk" not in [c.name for c in cases.list_cases(p)]


def test_a_wrong_value_in_properties_stores_nothing(window, qtbot):
    p = window.project
    attributes.add_attribute(p, "published", "date")
    talks = window.document_id
    dlg = properties_dialog(window)
    dlg.name.setText("other.txt")
    dlg.editors["published"].setText("2018-02-30")
    ok(dlg)
    assert dlg.isVisible() and dlg.problem.isVisible()
    assert "published" in dlg.problem.text() and "not a date" in dlg.problem.text()
    assert documents.get_document(p, talks).name == "talks.txt"
    qtbot.keyClick(dlg, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dlg.isVisible())
    assert documents.get_document(p, talks).name == "talks.txt"
