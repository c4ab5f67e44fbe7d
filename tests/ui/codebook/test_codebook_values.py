"""Typed field values in the window: asked for by keyboard when a code with fields is
applied, shown in the codings panel's Values column, edited later, undoable; required
fields left out mark the coding incomplete."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from desktop.services.codebook import codebook
from desktop.services.codebook import fields as fieldsvc
from desktop.services.coding import codings
from desktop.ui.codebook.values_model import VALUES
from tests.ui.helpers import select


def cid(window, path: str) -> int:
    return codebook.find_code(window.project, path).id


def values_by_name(window, coding_id: int) -> dict[str, str]:
    names = {
        f.id: f.name for f in fieldsvc.effective_fields(window.project, cid(window, "Casualties"))
    }
    return {names[k]: v for k, v in fieldsvc.coding_values(window.project, coding_id).items()}


def double_click(qtbot, view, pos) -> None:
    """A press first: item views only emit doubleClicked on the index pressed."""
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def apply_casualties_by_keyboard(window, qtbot) -> int:
    select(window, "At least 12 people were killed")
    qtbot.keyClick(window.viewer, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(window.picker.edit, "Casualties")
    qtbot.keyClick(window.picker.edit, Qt.Key.Key_Return)
    (coding,) = codings.list_codings(window.project)
    return coding.id


def test_applying_a_code_with_fields_asks_for_values_by_keyboard(window, qtbot):
    coding_id = apply_casualties_by_keyboard(window, qtbot)
    popup = window.codebook_ui.popup
    assert popup.isVisible() and popup.is_open
    count = popup.focusWidget()
    assert count is popup.form.first_editor()
    qtbot.keyClicks(count, "12")
    qtbot.keyClick(count, Qt.Key.Key_Tab)
    who = popup.focusWidget()
    assert isinstance(who, QComboBox)
    qtbot.keyClicks(who, "civ")  # type-ahead
    assert who.currentText() == "civilians"
    qtbot.keyClick(who, Qt.Key.Key_Return)
    assert not popup.isVisible()
    assert values_by_name(window, coding_id) == {"count": "12", "who": "civilians"}
    model = window.codings_panel.model
    assert model.index(0, VALUES).data() == "count=12; who=civilians"
    assert not window.codings_panel.view.isColumnHidden(VALUES)
    assert window.viewer.hasFocus() or window.focusWidget() is window.viewer
    window.actions.undo.trigger()  # the values
    assert fieldsvc.coding_values(window.project, coding_id) == {}
    assert model.index(0, VALUES).data() == ""
    window.actions.redo.trigger()
    assert model.index(0, VALUES).data() == "count=12; who=civilians"


def test_esc_skips_and_bad_numbers_are_refused(window, qtbot):
    coding_id = apply_casualties_by_keyboard(window, qtbot)
    popup = window.codebook_ui.popup
    count = popup.form.first_editor()
    qtbot.keyClicks(count, "abc")  # the validator lets no letter in
    assert count.text() == ""
    count.setText("1.5")  # pasted past the validator: refused on Enter
    qtbot.keyClick(count, Qt.Key.Key_Return)
    assert popup.isVisible() and "whole number" in popup.message.text()
    qtbot.keyClick(count, Qt.Key.Key_Escape)
    assert not popup.isVisible()
    assert fieldsvc.coding_values(window.project, coding_id) == {}
    assert len(codings.list_codings(window.project)) == 1  # the coding stays


def test_a_required_field_left_out_marks_the_coding_incomplete(window, qtbot):
    fieldsvc.add_field(window.project, cid(window, "Casualties"), "source date", "date",
                       required=True)  # fmt: skip
    window.refresh_codebook()
    window.codebook_ui._load_fields()
    coding_id = apply_casualties_by_keyboard(window, qtbot)
    popup = window.codebook_ui.popup
    editor = popup.form.first_editor()
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert popup.isVisible() and "source date is required" in popup.message.text()
    qtbot.keyClick(popup.focusWidget(), Qt.Key.Key_Escape)
    assert not popup.isVisible()
    assert "required" in window.statusBar().currentMessage()
    assert codings.get_coding(window.project, coding_id)  # kept
    cell = window.codings_panel.model.index(0, VALUES)
    assert cell.data().startswith("⚠")
    assert "Incomplete: source date" in cell.data(Qt.ItemDataRole.ToolTipRole)


def test_values_are_edited_later_from_the_codings_panel(window, qtbot):
    coding_id = apply_casualties_by_keyboard(window, qtbot)
    popup = window.codebook_ui.popup
    qtbot.keyClick(popup.form.first_editor(), Qt.Key.Key_Escape)
    view = window.codings_panel.view
    rect = view.visualRect(window.codings_panel.model.index(0, VALUES))
    double_click(qtbot, view, rect.center())
    assert popup.isVisible() and popup.coding_id == coding_id
    editor = popup.form.first_editor()
    qtbot.keyClicks(editor, "7")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert values_by_name(window, coding_id) == {"count": "7"}
    menu = window.codebook_ui.build_codings_menu(coding_id)
    next(a for a in menu.actions() if a.text() == "Edit values…").trigger()
    assert popup.form.first_editor().text() == "7"
    popup.form.first_editor().setText("")
    popup.save()
    assert values_by_name(window, coding_id) == {}
    window.actions.undo.trigger()
    assert values_by_name(window, coding_id) == {"count": "7"}


def test_double_click_elsewhere_still_edits_the_memo(window, qtbot, prompts):
    select(window, "Syria's regime")
    window.coding.apply_code(cid(window, "Actors/State forces"))
    window.codebook_ui.popup.skip()
    prompts.text_answers = ["a memo"]
    view = window.codings_panel.view
    rect = view.visualRect(window.codings_panel.model.index(0, 2))
    double_click(qtbot, view, rect.center())
    assert codings.list_codings(window.project)[0].memo == "a memo"


def test_asking_can_be_turned_off(window, qtbot):
    window.codebook_ui.ask_values_action.setChecked(False)
    apply_casualties_by_keyboard(window, qtbot)
    assert not window.codebook_ui.popup.isVisible()


def test_digits_typed_in_the_editor_do_not_apply_codes_and_dates_are_checked(window, qtbot):
    fieldsvc.add_field(window.project, cid(window, "Casualties"), "reported", "date")
    window.refresh_codebook()
    apply_casualties_by_keyboard(window, qtbot)
    popup = window.codebook_ui.popup
    who = popup.form.editors[
        fieldsvc.effective_fields(window.project, cid(window, "Casualties"))[1].id
    ]
    who.setFocus()
    qtbot.keyClick(who, Qt.Key.Key_1)  # a window shortcut elsewhere: applies code 1
    assert len(codings.list_codings(window.project)) == 1
    date = popup.form.editors[popup.form.fields[-1].id]
    date.setFocus()
    qtbot.keyClicks(date, "2026-13-01")
    qtbot.keyClick(date, Qt.Key.Key_Return)
    assert popup.isVisible() and "not a date" in popup.message.text()
    date.setText("2026-11-25")
    qtbot.keyClick(date, Qt.Key.Key_Return)
    assert not popup.isVisible()
    (coding,) = codings.list_codings(window.project)
    assert "2026-11-25" in fieldsvc.coding_values(window.project, coding.id).values()
