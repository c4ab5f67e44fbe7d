"""The Memos window in the real app: every memo with what it belongs to, search, the
journal written and edited here (undoable), a memo opening what it is about, export."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop.services.codebook import codebook
from desktop.services.coding import codings, memos
from desktop.services.documents import documents
from tests.ui.helpers import select
from tests.ui.workbench.test_windows_fit import menu_action


@pytest.fixture
def memo_window(window, qtbot):
    p = window.project
    talks = documents.find_document(p, "talks.txt").id
    memos.add_journal_entry(p, "Talks and strikes co-occur in Reuters.", "Week 1")
    memos.set_document_memo(p, talks, "The first article.")
    killed = codebook.find_code(p, "Casualties/Killed")
    memos.set_code_memo(p, killed.id, "Only deaths stated as fact.")
    window.codebook_ui.ask_values_action.setChecked(False)
    select(window, "At least 12 people were killed")
    assert window.coding.apply_code(killed.id)
    c = window.current_codings[0]
    codings.set_memo(p, c.id, "A monitor's figure.")
    menu_action(window, "&Documents", "Memos").trigger()
    win = window.memos_window
    qtbot.waitUntil(win.isVisible)
    return win


def rows(win) -> list[tuple[str, str]]:
    m = win.model
    return [(m.index(r, 0).data(), m.index(r, 1).data()) for r in range(m.rowCount())]


def choose(win, kind: str) -> None:
    m = win.model
    row = next(r for r in range(m.rowCount()) if m.index(r, 0).data() == kind)
    win.view.selectRow(row)


def undo(win, qtbot) -> None:
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    qtbot.keyClick(win.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


def test_every_memo_is_listed_with_what_it_belongs_to(memo_window):
    kinds = rows(memo_window)
    assert [k for k, _ in kinds] == ["journal", "document", "code", "coding"]
    assert kinds[1][1] == "talks.txt"
    assert kinds[2][1] == "Casualties/Killed"
    assert "Casualties/Killed in talks.txt" in kinds[3][1]
    assert memo_window.count.text() == "4 memos"


def test_search_and_kind_narrow_the_list(memo_window, qtbot):
    qtbot.keyClicks(memo_window.search, "monitor")
    assert [k for k, _ in rows(memo_window)] == ["coding"]
    assert memo_window.count.text() == "1 of 4 memos shown"
    memo_window.search.clear()
    memo_window.kind.setCurrentIndex(memo_window.kind.findData("code"))
    assert [k for k, _ in rows(memo_window)] == ["code"]


def test_a_journal_entry_is_written_edited_and_undone(memo_window, qtbot):
    win, p = memo_window, memo_window.project
    qtbot.keyClick(win.view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert win.writing_new and win.title.isVisible()
    qtbot.keyClicks(win.title, "Week 2")
    qtbot.keyClicks(win.text, "Threats split in two.")
    win.save_button.click()
    entries = [x for x in memos.list_memos(p, kinds=("journal",))]
    assert [(x.title, x.text) for x in entries][0] == ("Week 2", "Threats split in two.")
    assert win.current is not None and win.current.title == "Week 2"  # selected
    # edit it; moving to another memo stores the change
    win.text.setPlainText("Threats split in two: explicit and implied.")
    choose(win, "code")
    assert memos.list_memos(p, kinds=("journal",))[0].text.endswith("implied.")
    undo(win, qtbot)
    assert memos.list_memos(p, kinds=("journal",))[0].text == "Threats split in two."
    undo(win, qtbot)
    assert [x.title for x in memos.list_memos(p, kinds=("journal",))] == ["Week 1"]


def test_document_code_and_coding_memos_are_edited_here(memo_window, qtbot):
    win, p = memo_window, memo_window.project
    choose(win, "document")
    win.text.setPlainText("The first article, from Reuters.")
    win.save_button.click()
    talks = documents.find_document(p, "talks.txt").id
    assert memos.document_memo(p, talks) == "The first article, from Reuters."
    choose(win, "coding")
    win.text.setPlainText("The monitor is SOHR.")
    win.save_button.click()
    assert codings.list_codings(p)[0].memo == "The monitor is SOHR."
    choose(win, "code")
    win.text.setPlainText("Deaths stated as fact.")
    win.save_button.click()
    assert codebook.find_code(p, "Casualties/Killed").memo == "Deaths stated as fact."
    undo(win, qtbot)
    undo(win, qtbot)
    undo(win, qtbot)
    assert memos.document_memo(p, talks) == "The first article."
    assert codings.list_codings(p)[0].memo == "A monitor's figure."
    assert codebook.find_code(p, "Casualties/Killed").memo == "Only deaths stated as fact."


def test_open_shows_what_the_memo_is_about(memo_window, window, qtbot):
    win = memo_window
    choose(win, "code")
    win.open_button.click()
    killed = codebook.find_code(window.project, "Casualties/Killed").id
    assert window.codebook_panel.view.current_code() == killed
    choose(win, "coding")
    window.viewer.select_range(0, 3)  # elsewhere, to see it move
    win.open_button.click()
    assert window.viewer.textCursor().selectedText() == "At least 12 people were killed"
    assert window.codings_panel.current_coding() == window.current_codings[0].id
    choose(win, "document")
    win.view.doubleClicked.emit(win.view.currentIndex())
    assert window.document_id == documents.find_document(window.project, "talks.txt").id


@pytest.mark.parametrize("suffix", ["md", "html", "docx"])
def test_export_writes_the_memos_shown(memo_window, prompts, tmp_path, suffix, qtbot):
    qtbot.keyClicks(memo_window.search, "first article")
    prompts.save_to = str(tmp_path / f"memos.{suffix}")
    assert memo_window.export_action.isEnabled()
    memo_window.export_action.trigger()
    out = tmp_path / f"memos.{suffix}"
    assert out.exists()
    if suffix == "docx":
        import docx

        text = "\n".join(par.text for par in docx.Document(str(out)).paragraphs)
    else:
        text = out.read_text("utf-8")
    assert "The first article." in text and "Only deaths" not in text


def test_leaving_the_memo_stores_it_before_another_project_opens(memo_window, window, qtbot):
    win, p = memo_window, memo_window.project
    talks = documents.find_document(p, "talks.txt").id
    choose(win, "document")
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    win.text.setFocus()
    qtbot.waitUntil(win.text.hasFocus)
    win.text.selectAll()
    qtbot.keyClicks(win.text, "Typed, then the main window clicked.")
    window.activateWindow()  # the user goes back to the main window (to open a project)
    qtbot.waitUntil(lambda: memos.document_memo(p, talks) == "Typed, then the main window clicked.")
