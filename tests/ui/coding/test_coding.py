"""Coding in the real window: by key, by Ctrl+K, by menu; undo, redo, remove, memo,
snapping, emoji offsets, find."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.documents import documents
from tests.ui.helpers import (
    painted_colour,
    panel_rows,
    quotes,
    select,
    stored,
    tinted_by,
    tree_count,
)


def code_id(window, path):
    return codebook.find_code(window.project, path).id


def test_the_window_opens_the_document_and_shows_the_codebook(window):
    assert window.document_id is not None
    assert window.viewer.text.startswith("Rebels say talks")
    assert window.codebook_panel.model.rowCount() == 3  # Actors, Claims, Casualties
    assert "Maya" in window.status_coder.text()
    assert (
        "1 documents" in window.status_counts.text() or "1 document" in window.status_counts.text()
    )


def test_key_1_codes_the_selection_with_the_first_code(window, qtbot):
    select(window, "Syria's regime")
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)  # the second code: Actors/State forces
    assert stored(window) == [("Actors/State forces", window.ctx.coder.id, "Syria's regime")]
    assert panel_rows(window) == [("State forces", "Maya", "Syria's regime")]
    assert tree_count(window, code_id(window, "Actors/State forces")) == "1"
    assert len(window.viewer.index) == 1
    # the viewer paints the code's colour behind the passage (once it is not selected)
    cursor = window.viewer.textCursor()
    cursor.clearSelection()
    window.viewer.setTextCursor(cursor)
    colour = painted_colour(window, "Syria's regime")
    assert colour != window.viewer.palette().base().color()
    assert tinted_by(colour, window.codes[code_id(window, "Actors/State forces")].color)
    # the documents list counts it
    assert window.documents_panel.model.document(0).codings == 1


def test_ctrl_k_filters_codes_and_enter_applies(window, qtbot):
    select(window, "At least 12 people were killed")
    qtbot.keyClick(window.viewer, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert window.picker.isVisible()
    qtbot.keyClicks(window.picker.edit, "kill")
    qtbot.keyClick(window.picker.edit, Qt.Key.Key_Return)
    assert not window.picker.isVisible()
    assert stored(window) == [
        ("Casualties/Killed", window.ctx.coder.id, "At least 12 people were killed")
    ]


def test_ctrl_k_creates_a_new_code_and_undo_removes_both(window, qtbot):
    select(window, "resumed air strikes")
    qtbot.keyClick(window.viewer, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(window.picker.edit, "Events/Air strikes")
    qtbot.keyClick(window.picker.edit, Qt.Key.Key_Return)
    new = codebook.find_code(window.project, "Events/Air strikes")
    assert new is not None and new.codings == 1
    assert window.codebook_panel.model.index_of(new.id).data() == "Air strikes"
    qtbot.keyClick(window.viewer, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert codings.list_codings(window.project) == []
    assert codebook.find_code(window.project, "Events/Air strikes") is None
    qtbot.keyClick(window.viewer, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    again = codebook.find_code(window.project, "Events/Air strikes")
    assert again is not None and again.id == new.id and again.codings == 1
    assert panel_rows(window) == [("Air strikes", "Maya", "resumed air strikes")]


def test_context_menu_code_as_and_in_vivo(window, qtbot):
    select(window, "government takeover")
    menu = window.viewer.build_context_menu(window.viewer.viewport().rect().center())
    actions = {a.text(): a for a in menu.actions()}
    assert actions["Code as…"].isEnabled()
    actions["In-vivo code"].trigger()
    code = codebook.find_code(window.project, "government takeover")
    assert code is not None
    assert stored(window) == [("government takeover", window.ctx.coder.id, "government takeover")]
    select(window, "a monitor said")
    menu = window.viewer.build_context_menu(window.viewer.viewport().rect().center())
    next(a for a in menu.actions() if a.text() == "Code as…").trigger()
    assert window.picker.isVisible()
    qtbot.keyClicks(window.picker.edit, "Claims")
    qtbot.keyClick(window.picker.edit, Qt.Key.Key_Return)
    assert ("Claims", window.ctx.coder.id, "a monitor said") in stored(window)


def test_clicking_a_code_applies_it_to_the_selection(window, qtbot):
    select(window, "rebels", partial=(1, 4))  # "ebe": snaps to the whole word
    panel = window.codebook_panel
    idx = panel.index_of(code_id(window, "Actors/Armed groups"))
    rect = panel.view.visualRect(idx)
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert quotes(window) == ["rebels"]


def test_snapping_can_be_turned_off(window, qtbot):
    window.actions.snap.setChecked(False)
    select(window, "Wednesday", partial=(0, 3))
    qtbot.keyClick(window.viewer, Qt.Key.Key_1)
    assert quotes(window) == ["Wed"]


def test_undo_redo_and_remove_from_the_panel(window, qtbot):
    select(window, "Syria's regime")
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)
    select(window, "its ally Russia")
    qtbot.keyClick(window.viewer, Qt.Key.Key_5)
    assert len(quotes(window)) == 2
    qtbot.keyClick(window.viewer, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert quotes(window) == ["Syria's regime"]
    qtbot.keyClick(
        window.viewer,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert sorted(quotes(window)) == ["Syria's regime", "its ally Russia"]
    # remove with Delete in the codings panel
    view = window.codings_panel.view
    view.setCurrentIndex(window.codings_panel.model.index(0, 0))
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert len(quotes(window)) == 1
    assert len(panel_rows(window)) == 1
    window.actions.undo.trigger()
    assert len(quotes(window)) == 2 and len(window.viewer.index) == 2


def test_remove_from_the_highlight_context_menu(window, qtbot):
    start, end = select(window, "air strikes")
    qtbot.keyClick(window.viewer, Qt.Key.Key_1)
    v = window.viewer
    a, b = v.qt_span(start, end)
    _f, _l, blocks = v._visible_range()
    point = v._rects(a, b, blocks)[0].center().toPoint()
    menu = v.build_context_menu(point)
    remove = next(a for a in menu.actions() if a.text().startswith("Remove coding"))
    remove.trigger()
    assert quotes(window) == []
    assert len(v.index) == 0


def test_memo_edit_is_stored_shown_and_undoable(window, qtbot, prompts):
    select(window, "Syria's regime")
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)
    coding = codings.list_codings(window.project)[0]
    prompts.text_answers = ["named with Russia"]
    window.codings_panel.memo_requested.emit(coding.id)
    assert codings.get_coding(window.project, coding.id).memo == "named with Russia"
    assert window.codings_panel.model.index(0, 3).data() == "named with Russia"
    tip = window._tooltip(window.viewer.index.spans[0])
    assert "Actors/State forces" in tip and "Maya" in tip and "named with Russia" in tip
    assert "Government armies" in tip  # the code's definition
    window.actions.undo.trigger()
    assert codings.get_coding(window.project, coding.id).memo == ""


def test_a_passage_after_an_emoji_is_stored_with_code_point_offsets(
    make_window, project_path, qtbot
):
    from desktop.services.project.project import Project

    p = Project.open(project_path)
    text = "Reaction 😀😀 online: the ceasefire 👍 was welcomed by residents."
    doc = documents.add_document(p, name="emoji.txt", text=text, kind="txt")
    p.close()
    window = make_window(project_path)
    window.documents_panel.select(doc.id)
    assert window.document_id == doc.id
    select(window, "welcomed by residents")
    qtbot.keyClick(window.viewer, Qt.Key.Key_1)
    assert window.prompts.errors == []
    c = codings.list_codings(window.project, document_id=doc.id)[0]
    assert c.quote == "welcomed by residents"
    assert text[c.start : c.end] == "welcomed by residents"
    assert (c.start, c.end) == (text.index("welcomed"), text.index("welcomed") + 21)
    # the highlight covers the same text in Qt's positions
    span = window.viewer.index.spans[0]
    units = window.viewer.document().toPlainText().encode("utf-16-le")
    assert units[2 * span.start : 2 * span.end].decode("utf-16-le") == "welcomed by residents"


def test_find_highlights_all_matches_and_steps(window, qtbot):
    qtbot.keyClick(window.viewer, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    bar = window.find_bar
    assert bar.isVisible()
    qtbot.keyClicks(bar.edit, "rebels")
    assert bar.total == 2 and bar.count.text() == "2 matches"
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    first = window.viewer.textCursor().selectionStart()
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    second = window.viewer.textCursor().selectionStart()
    assert first < second and bar.count.text() == "2 of 2"
    assert window.viewer.textCursor().selectedText().lower() == "rebels"
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert window.viewer.textCursor().selectionStart() == first
    qtbot.keyClick(bar.edit, Qt.Key.Key_Escape)
    assert not bar.isVisible()


def test_codebook_delete_with_codings_is_confirmed_and_undone(window, qtbot, prompts):
    select(window, "At least 12 people were killed")
    killed = code_id(window, "Casualties/Killed")
    window.coding.apply_code(killed)
    casualties = code_id(window, "Casualties")
    window.coding.delete_code(casualties)
    assert codebook.find_code(window.project, "Casualties") is None
    assert quotes(window) == [] and len(window.viewer.index) == 0
    window.actions.undo.trigger()
    assert codebook.find_code(window.project, "Casualties/Killed").codings == 1
    assert panel_rows(window) == [("Killed", "Maya", "At least 12 people were killed")]
    prompts.text_answers = ["Deaths"]
    window.coding.rename_code(killed)
    assert panel_rows(window)[0][0] == "Deaths"
    window.actions.undo.trigger()
    assert codebook.get_code(window.project, killed).name == "Killed"


def test_a_refused_action_shows_its_reason_and_leaves_no_undo_entry(window, qtbot, prompts):
    select(window, "Syria's regime")
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)  # the same coding again
    assert len(quotes(window)) == 1
    assert prompts.errors and "already coded" in prompts.errors[0]
    assert window.ctx.undo_stack.count() == 1


def test_hovering_a_highlight_shows_code_coder_memo_and_definition(window, qtbot, monkeypatch):
    from PySide6.QtCore import QEvent, QPoint
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QToolTip

    start, end = select(window, "Syria's regime")
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)
    shown = []
    monkeypatch.setattr(QToolTip, "showText", lambda pos, text, *a: shown.append(text))
    v = window.viewer
    a, b = v.qt_span(start, end)
    _f, _l, blocks = v._visible_range()
    point = v._rects(a, b, blocks)[0].center().toPoint()
    v.viewportEvent(QHelpEvent(QEvent.Type.ToolTip, point, v.viewport().mapToGlobal(point)))
    assert shown and "Actors/State forces" in shown[0] and "Maya" in shown[0]
    assert "Government armies" in shown[0]
    shown.clear()
    v.viewportEvent(
        QHelpEvent(QEvent.Type.ToolTip, QPoint(2, 2), v.viewport().mapToGlobal(QPoint(2, 2)))
    )
    assert shown == []


def test_clicking_a_row_in_the_panel_scrolls_to_and_selects_the_coding(window, qtbot):
    start, end = select(window, "At least 12 people were killed")
    qtbot.keyClick(window.viewer, Qt.Key.Key_1)
    select(window, "Rebels say")
    view = window.codings_panel.view
    rect = view.visualRect(window.codings_panel.model.index(0, 2))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.viewer.selected_range() == (start, end)
    assert window.viewer.selected_coding == window.codings_panel.model.coding(0).id


def test_paged_documents_show_page_numbers(make_window, project_path, qtbot):
    from desktop.services.project.project import Project

    page1 = "First page: the talks began in the morning.\n"
    page2 = "Second page: at least 12 people were killed.\n"
    p = Project.open(project_path)
    doc = documents.add_document(p, name="a-report.pdf", text=page1 + page2, kind="pdf",
                                 pages=[(0, len(page1)), (len(page1), len(page1 + page2))])  # fmt: skip
    p.close()
    window = make_window(project_path)
    window.documents_panel.select(doc.id)
    assert (
        window.documents_panel.model.document(window.documents_panel.model.row_of(doc.id)).pages
        == 2
    )
    select(window, "12 people were killed")
    qtbot.keyClick(window.viewer, Qt.Key.Key_1)
    assert not window.codings_panel.view.isColumnHidden(4)
    assert window.codings_panel.model.index(0, 4).data() == "2"
    assert window.status_page.text() == "Page 2 of 2"


def test_codebook_add_move_recolour_with_undo(window, qtbot, prompts):
    claims = code_id(window, "Claims")
    prompts.text_answers = ["Threats"]
    window.coding.add_code(claims)
    threats = codebook.find_code(window.project, "Claims/Threats")
    assert threats is not None
    assert window.codebook_panel.model.index_of(threats.id).data() == "Threats"
    prompts.text_answers = ["Actors"]
    window.coding.move_code(threats.id)
    assert codebook.get_code(window.project, threats.id).path == "Actors/Threats"
    prompts.text_answers = ["#123456"]
    window.coding.recolour(threats.id)
    assert codebook.get_code(window.project, threats.id).color == "#123456"
    menu = window.coding.build_codebook_menu(threats.id)
    assert {"Rename…", "Move under…", "Delete…"} <= {a.text() for a in menu.actions()}
    for _ in range(3):
        window.actions.undo.trigger()
    assert codebook.find_code(window.project, "Claims/Threats") is None
    assert codebook.find_code(window.project, "Actors/Threats") is None
    window.actions.redo.trigger()
    assert codebook.find_code(window.project, "Claims/Threats").id == threats.id


def test_keys_the_window_shortcuts_missed_still_work_in_the_viewer(window, qtbot):
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent

    select(window, "Syria's regime")
    window._key_fallback(
        QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_2, Qt.KeyboardModifier.NoModifier, "2")
    )
    assert quotes(window) == ["Syria's regime"]
    window._key_fallback(
        QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    )
    assert quotes(window) == []


def test_delete_in_the_codings_list_says_what_it_removed_and_selects_the_next(window, qtbot):
    select(window, "Syria's regime")
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)
    select(window, "At least 12 people were killed")
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)
    table = window.codings_panel.view
    first = window.codings_panel.model.coding(0)
    window.codings_panel.select(first.id)
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    message = window.statusBar().currentMessage()
    assert "Removed" in message and "State forces" in message and "Syria's regime" in message
    assert "Ctrl+Z" in message
    remaining = window.codings_panel.model.coding(0)
    assert window.codings_panel.current_coding() == remaining.id
    assert window.viewer.selected_coding == remaining.id  # shown in the text, not a surprise


def test_a_removal_from_the_list_offers_undo_in_the_status_bar(window, qtbot):
    select(window, "Syria's regime")
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)
    select(window, "At least 12 people were killed")
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)
    panel = window.codings_panel
    first = panel.model.coding(0)
    panel.select(first.id)
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key.Key_Delete)
    undo = window.coding.undo_button
    qtbot.wait(20)  # what Qt does later: the message keeps the bar's other labels hidden
    assert undo.isVisible() and ">Undo<" in undo.text()
    assert not window.status_counts.isVisible()
    qtbot.mouseClick(undo, Qt.MouseButton.LeftButton, pos=undo.rect().center())
    assert sorted(quotes(window)) == ["At least 12 people were killed", "Syria's regime"]
    assert panel.current_coding() == first.id  # the coding that came back is selected
    assert not undo.isVisible()
    assert "Restored" in window.statusBar().currentMessage()


def test_the_status_bar_undo_never_undoes_a_later_change(window, qtbot):
    select(window, "Syria's regime")
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)
    panel = window.codings_panel
    panel.select(panel.model.coding(0).id)
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key.Key_Delete)
    select(window, "air strikes")
    window.coding.apply_quick(1)  # coded while "Removed …" still shows
    undo = window.coding.undo_button
    undo.show()  # even if the link were still there
    qtbot.mouseClick(undo, Qt.MouseButton.LeftButton, pos=undo.rect().center())
    assert quotes(window) == ["air strikes"]
    assert "Other changes came after" in window.statusBar().currentMessage()
