"""The memo editor: it says which coding the memo is about without running off its edge,
Enter makes a new line, Ctrl+Enter saves, Esc closes without saving, and the memo's size
is shown as it is typed."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.services.coding import codings
from tests.ui.helpers import select


def coded(window, qtbot, needle="Syria's regime"):
    select(window, needle)
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)
    return codings.list_codings(window.project)[0]


def test_enter_is_a_new_line_ctrl_enter_saves_and_the_size_is_shown(window, qtbot, prompts):
    c = coded(window, qtbot)
    seen = {}

    def work(editor):
        editor.show()
        qtbot.waitExposed(editor)
        seen["about"] = editor.about.text()
        qtbot.keyClicks(editor.edit, "named with Russia")
        qtbot.keyClick(editor.edit, Qt.Key.Key_Return)
        qtbot.keyClicks(editor.edit, "as one side")
        assert editor.isVisible()  # Enter did not close it
        seen["size"] = editor.size_label.text()
        qtbot.keyClick(editor.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        seen["closed"] = not editor.isVisible()

    prompts.on_memo_editor = work
    window.codings_panel.memo_requested.emit(c.id)
    assert "Actors/State forces" in seen["about"] and "Syria's regime" in seen["about"]
    assert seen["size"] == "29 characters · 6 words"
    assert seen["closed"]
    assert codings.get_coding(window.project, c.id).memo == "named with Russia\nas one side"


def test_esc_closes_without_saving(window, qtbot, prompts):
    c = coded(window, qtbot)

    def work(editor):
        editor.show()
        qtbot.waitExposed(editor)
        qtbot.keyClicks(editor.edit, "half a thought")
        qtbot.keyClick(editor.edit, Qt.Key.Key_Escape)
        assert not editor.isVisible()

    prompts.on_memo_editor = work
    window.codings_panel.memo_requested.emit(c.id)
    assert codings.get_coding(window.project, c.id).memo == ""
    assert window.ctx.undo_stack.count() == 1  # the coding only: nothing to undo for the memo


def test_a_long_passage_wraps_inside_the_editor_with_all_of_it_in_the_tooltip(
    window, qtbot, prompts
):
    long = "Syria's regime and its ally Russia resumed air strikes on the south on Wednesday"
    c = coded(window, qtbot, long)
    seen = {}

    def work(editor):
        editor.show()
        qtbot.waitExposed(editor)
        about = editor.about
        seen["wraps"] = about.wordWrap()
        seen["inside"] = about.geometry().right() <= editor.contentsRect().right()
        seen["tooltip"] = about.toolTip()
        screen = editor.screen().availableGeometry()
        seen["fits"] = editor.frameGeometry().width() <= screen.width()
        editor.reject()

    prompts.on_memo_editor = work
    window.coding.edit_memo(c.id)
    assert seen == {"wraps": True, "inside": True, "tooltip": long, "fits": True}
