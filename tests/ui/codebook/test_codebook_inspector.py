"""The code inspector: definition and criteria saved on Enter or focus-out as one
undoable change, anchor examples added, removed and taken from a coding, fields defined
in a dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from desktop.services.codebook import codebook
from desktop.services.codebook import fields as fieldsvc
from desktop.ui.codebook.code_dialogs import FieldsDialog
from tests.ui.helpers import select


def cid(window, path: str) -> int:
    return codebook.find_code(window.project, path).id


def inspect(window, path: str):
    code_id = cid(window, path)
    window.codebook_panel.view.select_code(code_id)
    return window.codebook_ui.inspector, code_id


def test_selecting_a_code_shows_its_definition_and_fields(window):
    inspector, _ = inspect(window, "Casualties/Killed")
    assert "Casualties/Killed" in inspector.path.text()
    assert inspector.boxes["description"].toPlainText().startswith("Deaths attributed")
    assert "From Casualties: count (integer)" in inspector.fields.text()


def test_definition_saved_on_enter_and_undone(window, qtbot):
    inspector, killed = inspect(window, "Casualties/Killed")
    box = inspector.boxes["description"]
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, "Deaths reported in the article")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert codebook.get_code(window.project, killed).description == "Deaths reported in the article"
    assert window.ctx.undo_stack.undoText() == "Edit definition of Killed"
    assert window.codebook_panel.view.current_code() == killed
    window.actions.undo.trigger()
    assert codebook.get_code(window.project, killed).description.startswith("Deaths attributed")
    assert box.toPlainText().startswith("Deaths attributed")


def test_criteria_saved_when_focus_leaves(window, qtbot):
    inspector, killed = inspect(window, "Casualties/Killed")
    box = inspector.boxes["inclusion"]
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, "A number of dead")
    window.viewer.setFocus()  # focus-out commits
    qtbot.waitUntil(
        lambda: codebook.get_code(window.project, killed).inclusion == "A number of dead"
    )
    assert window.ctx.undo_stack.count() == 1


def test_examples_added_removed_and_taken_from_a_coding(window, qtbot):
    inspector, killed = inspect(window, "Casualties/Killed")

    def texts():
        return [e.text for e in codebook.list_examples(window.project, killed)]

    base = texts()  # the template's own example
    assert inspector.examples.count() == len(base)
    qtbot.keyClicks(inspector.new_example, "Five soldiers died")
    qtbot.keyClick(inspector.new_example, Qt.Key.Key_Return)
    assert texts() == [*base, "Five soldiers died"]
    assert inspector.examples.count() == len(base) + 1
    inspector.examples.setCurrentRow(len(base))
    qtbot.keyClick(inspector.examples, Qt.Key.Key_Delete)
    assert texts() == base
    window.actions.undo.trigger()
    assert texts() == [*base, "Five soldiers died"]
    # "Use as example" in the codings panel's menu takes the quote in one click
    select(window, "At least 12 people were killed")
    window.coding.apply_code(killed)
    window.codebook_ui.popup.skip()
    coding_id = window.codings_panel.model.coding(0).id
    menu = window.codebook_ui.build_codings_menu(coding_id)
    next(a for a in menu.actions() if a.text() == "Use as example of “Killed”").trigger()
    examples = codebook.list_examples(window.project, killed)
    assert examples[-1].text == "At least 12 people were killed"
    assert examples[-1].coding_id == coding_id
    assert inspector.examples.count() == len(base) + 2
    window.actions.undo.trigger()
    assert texts() == [*base, "Five soldiers died"]


def test_fields_dialog_defines_fields_in_one_undoable_step(window, qtbot, monkeypatch):
    claims = cid(window, "Claims")
    code = codebook.get_code(window.project, claims)
    own = fieldsvc.list_fields(window.project, claims)
    dlg = FieldsDialog(code, own, [], window)
    qtbot.addWidget(dlg)
    assert [s["name"] for s in dlg.specs()] == ["stance", "speaker"]
    r = dlg.add_row("weapon", "choice", ["rifle", "drone"], True, None)
    assert dlg.specs()[r] == {"id": None, "name": "weapon", "type": "choice",
                              "choices": ["rifle", "drone"], "required": True}  # fmt: skip
    dlg.table.setCurrentCell(1, 0)
    dlg.remove_current()  # speaker
    specs = dlg.specs()
    specs[0]["required"] = True  # stance
    monkeypatch.setattr(window.codebook_ui, "ask_fields", lambda *a: specs)
    window.codebook_ui.edit_fields(claims)
    after = {f.name: f for f in fieldsvc.list_fields(window.project, claims)}
    assert set(after) == {"stance", "weapon"}
    assert after["stance"].required and after["weapon"].choices == ("rifle", "drone")
    assert window.ctx.undo_stack.count() == 1
    window.actions.undo.trigger()
    before = {f.name: f for f in fieldsvc.list_fields(window.project, claims)}
    assert set(before) == {"stance", "speaker"} and not before["stance"].required
    window.actions.redo.trigger()
    assert {f.name for f in fieldsvc.list_fields(window.project, claims)} == {"stance", "weapon"}


def test_fields_dialog_opens_from_the_inspector(window, qtbot, monkeypatch):
    seen = []
    monkeypatch.setattr(QDialog, "exec", lambda self: seen.append(self) or 0)
    inspector, _ = inspect(window, "Casualties")
    inspector.fields_button.click()
    assert seen and isinstance(seen[0], FieldsDialog)
    assert seen[0].table.rowCount() == 2  # count, who


def test_insert_adds_a_sub_code_and_selects_it_and_the_swatch_recolours(window, qtbot, prompts):
    inspector, claims = inspect(window, "Claims")
    prompts.text_answers = ["Threats"]
    qtbot.keyClick(window.codebook_panel.view, Qt.Key.Key_Insert)
    threats = codebook.find_code(window.project, "Claims/Threats")
    assert threats is not None and window.codebook_panel.view.current_code() == threats.id
    assert "Claims/Threats" in inspector.path.text()
    prompts.text_answers = ["#123456"]
    inspector.swatch.click()
    assert codebook.get_code(window.project, threats.id).color == "#123456"
    window.actions.undo.trigger()
    assert codebook.get_code(window.project, threats.id).color != "#123456"


def test_highlights_offer_values_and_example_and_show_criteria(window, qtbot, monkeypatch):
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QToolTip

    killed = cid(window, "Casualties/Killed")
    codebook.update_code(window.project, killed, exclusion="Historical totals")
    window.refresh_codebook()
    start, end = select(window, "At least 12 people were killed")
    window.coding.apply_code(killed)
    popup = window.codebook_ui.popup
    qtbot.keyClicks(popup.form.first_editor(), "12")
    popup.save()
    v = window.viewer
    a, b = v.qt_span(start, end)
    _f, _l, blocks = v._visible_range()
    point = v._rects(a, b, blocks)[0].center().toPoint()
    shown = []
    monkeypatch.setattr(QToolTip, "showText", lambda pos, text, *args: shown.append(text))
    v.viewportEvent(QHelpEvent(QEvent.Type.ToolTip, point, v.viewport().mapToGlobal(point)))
    assert shown and "count=12" in shown[0] and "Exclude:</b> Historical totals" in shown[0]
    menu = v.build_context_menu(point)
    texts = [act.text() for act in menu.actions()]
    assert "Edit values of “Killed”…" in texts and "Use as example of “Killed”" in texts
    next(act for act in menu.actions() if act.text() == "Use as example of “Killed”").trigger()
    assert (
        codebook.list_examples(window.project, killed)[-1].text == "At least 12 people were killed"
    )


def test_enter_in_the_tree_goes_to_the_definition(window, qtbot):
    inspector, killed = inspect(window, "Casualties/Killed")
    window.codebook_panel.view.setFocus()
    qtbot.keyClick(window.codebook_panel.view, Qt.Key.Key_Return)
    assert window.focusWidget() is inspector.boxes["description"]


def test_renaming_a_choice_in_the_fields_dialog_renames_stored_values(window, qtbot, monkeypatch):
    casualties = cid(window, "Casualties")
    who = next(f for f in fieldsvc.list_fields(window.project, casualties) if f.name == "who")
    select(window, "At least 12 people were killed")
    window.coding.apply_code(cid(window, "Casualties/Killed"))
    window.codebook_ui.popup.skip()
    coding_id = window.codings_panel.model.coding(0).id
    fieldsvc.set_coding_values(window.project, coding_id, {"who": "civilians"})
    specs = [
        {"id": f.id, "name": f.name, "type": f.type, "choices": list(f.choices),
         "required": f.required}
        for f in fieldsvc.list_fields(window.project, casualties)
    ]  # fmt: skip
    specs[1]["choices"] = ["non-combatants", "combatants", "unknown", "disputed"]
    monkeypatch.setattr(window.codebook_ui, "ask_fields", lambda *a: specs)
    index = window.ctx.undo_stack.index()
    window.codebook_ui.edit_fields(casualties)
    # one value more: not a rename but a list change; civilians is gone so it is refused
    assert window.prompts.errors and "would no longer be valid" in window.prompts.errors[0]
    window.prompts.errors.clear()
    assert window.ctx.undo_stack.index() == index  # nothing changed, nothing to undo
    specs[1]["choices"] = ["non-combatants", "combatants", "unknown"]
    window.codebook_ui.edit_fields(casualties)
    assert window.prompts.errors == []
    assert fieldsvc.get_field(window.project, who.id).choices[0] == "non-combatants"
    assert fieldsvc.coding_values(window.project, coding_id)[who.id] == "non-combatants"
    window.actions.undo.trigger()
    assert fieldsvc.coding_values(window.project, coding_id)[who.id] == "civilians"
