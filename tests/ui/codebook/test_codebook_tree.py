"""The codebook tree as an instrument: drag and drop (child, reorder, refusals), merge
and delete through the window with undo and redo, expansion and selection kept."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QModelIndex, QPointF, Qt
from PySide6.QtGui import QDropEvent

from desktop.services.codebook import codebook
from desktop.ui.codebook.tree import MIME
from tests.ui.helpers import select, stored, tree_count


def cid(window, path: str) -> int:
    return codebook.find_code(window.project, path).id


def top_names(window) -> list[str]:
    m = window.codebook_panel.model
    return [m.index(r, 0).data() for r in range(m.rowCount())]


def child_names(window, path: str) -> list[str]:
    m = window.codebook_panel.model
    parent = m.index_of(cid(window, path))
    return [m.index(r, 0, parent).data() for r in range(m.rowCount(parent))]


def drag_data(code_id: int) -> QMimeData:
    data = QMimeData()
    data.setData(MIME, str(code_id).encode())
    return data


def drop(window, qtbot, code_id: int, row: int, parent: QModelIndex) -> bool:
    """Drop as the view does: through the proxy, then let the deferred move run."""
    proxy = window.codebook_panel.proxy
    before = window.ctx.undo_stack.count()
    column = -1 if row < 0 else 0  # as QAbstractItemView passes them
    ok = proxy.dropMimeData(drag_data(code_id), Qt.DropAction.MoveAction, row, column, parent)
    if ok:
        qtbot.waitUntil(lambda: window.ctx.undo_stack.count() > before, timeout=2000)
    return ok


def test_dropping_a_code_on_another_makes_it_a_sub_code_and_undo_puts_it_back(window, qtbot):
    denials = cid(window, "Claims/Denials")
    panel = window.codebook_panel
    assert panel.proxy.flags(panel.index_of(denials)) & Qt.ItemFlag.ItemIsDragEnabled
    assert drop(window, qtbot, denials, -1, panel.index_of(cid(window, "Actors")))
    assert codebook.get_code(window.project, denials).path == "Actors/Denials"
    assert child_names(window, "Actors")[-1] == "Denials"
    assert "Denials" not in child_names(window, "Claims")
    assert panel.view.current_code() == denials  # the moved code is selected
    window.actions.undo.trigger()
    assert codebook.get_code(window.project, denials).path == "Claims/Denials"
    assert child_names(window, "Claims") == ["Accusations", "Demands", "Denials"]
    window.actions.redo.trigger()
    assert codebook.get_code(window.project, denials).path == "Actors/Denials"


def test_dropping_between_codes_reorders(window, qtbot):
    casualties = cid(window, "Casualties")
    assert drop(window, qtbot, casualties, 1, QModelIndex())  # between Actors and Claims
    assert top_names(window) == ["Actors", "Casualties", "Claims"]
    killed = cid(window, "Casualties/Killed")
    parent = window.codebook_panel.index_of(casualties)
    assert drop(window, qtbot, killed, 3, parent)  # after Displaced
    assert child_names(window, "Casualties") == ["Injured", "Displaced", "Killed"]
    window.actions.undo.trigger()
    window.actions.undo.trigger()
    assert top_names(window) == ["Actors", "Claims", "Casualties"]
    assert child_names(window, "Casualties") == ["Killed", "Injured", "Displaced"]


def test_a_drop_that_would_make_a_cycle_or_a_name_clash_is_refused(window, qtbot, prompts):
    actors = cid(window, "Actors")
    civilians = window.codebook_panel.index_of(cid(window, "Actors/Civilians"))
    proxy = window.codebook_panel.proxy
    data = drag_data(actors)
    assert not proxy.canDropMimeData(data, Qt.DropAction.MoveAction, -1, -1, civilians)
    assert not proxy.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1, civilians)
    assert "into itself" in window.statusBar().currentMessage()
    codebook.add_code(window.project, "Killed")
    window.refresh_codebook()
    assert not drop(window, qtbot, cid(window, "Casualties/Killed"), -1, QModelIndex())
    assert "already has a code of that name" in window.statusBar().currentMessage()
    assert codebook.find_code(window.project, "Casualties/Killed") is not None
    assert window.ctx.undo_stack.count() == 0 and prompts.errors == []


def test_a_drop_through_the_view_moves_the_code(window, qtbot):
    view = window.codebook_panel.view
    demands = cid(window, "Claims/Demands")
    target = view.visualRect(window.codebook_panel.index_of(cid(window, "Casualties")))
    data = drag_data(demands)  # kept alive: the event holds a bare pointer
    event = QDropEvent(
        QPointF(target.center()), Qt.DropAction.MoveAction, data,
        Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    view.dropEvent(event)
    qtbot.waitUntil(lambda: window.ctx.undo_stack.count() == 1, timeout=2000)
    assert codebook.get_code(window.project, demands).path == "Casualties/Demands"


def test_merge_into_moves_codings_and_undo_redo_restore_them(window, qtbot):
    select(window, "At least 12 people were killed")
    injured, killed = cid(window, "Casualties/Injured"), cid(window, "Casualties/Killed")
    window.coding.apply_code(injured)
    window.codebook_ui.popup.skip()
    menu = window.coding.build_codebook_menu(injured)
    texts = [a.text() for a in menu.actions()]
    assert "Merge into…" in texts and "Fields…" in texts
    assert texts.index("Merge into…") < texts.index("Delete…")
    offered = []

    def choose(code, candidates):
        offered.extend(c.path for c in candidates)
        return killed

    window.codebook_ui.ask_merge_target = choose
    next(a for a in menu.actions() if a.text() == "Merge into…").trigger()
    assert "Casualties/Injured" not in offered and "Casualties/Killed" in offered
    assert child_names(window, "Casualties") == ["Killed", "Displaced"]
    assert tree_count(window, killed) == "1"
    assert [s[0] for s in stored(window)] == ["Casualties/Killed"]
    assert "1 coding moved" in window.statusBar().currentMessage()
    assert window.codebook_panel.view.current_code() == killed
    window.actions.undo.trigger()
    assert child_names(window, "Casualties") == ["Killed", "Injured", "Displaced"]
    assert codebook.get_code(window.project, injured).codings == 1
    assert tree_count(window, injured) == "1" and tree_count(window, killed) == ""
    assert [s[0] for s in stored(window)] == ["Casualties/Injured"]
    assert window.codings_panel.model.index(0, 0).data() == "Injured"
    window.actions.redo.trigger()
    assert [s[0] for s in stored(window)] == ["Casualties/Killed"]
    assert codebook.find_code(window.project, "Casualties/Injured") is None


def test_delete_says_how_many_codings_go_and_undo_brings_them_back(window, qtbot, monkeypatch):
    select(window, "At least 12 people were killed")
    killed = cid(window, "Casualties/Killed")
    window.coding.apply_code(killed)
    window.codebook_ui.popup.skip()
    asked = []
    monkeypatch.setattr(window.prompts, "confirm", lambda t, m: asked.append(m) or True)
    window.codebook_panel.view.select_code(killed)
    qtbot.keyClick(window.codebook_panel.view, Qt.Key.Key_Delete)
    assert asked and "1 coding" in asked[0]
    assert codebook.find_code(window.project, "Casualties/Killed") is None
    assert stored(window) == []
    window.actions.undo.trigger()
    assert [s[0] for s in stored(window)] == ["Casualties/Killed"]
    assert tree_count(window, killed) == "1"


def test_the_tree_keeps_collapsed_branches_and_the_selection_after_a_change(window, qtbot, prompts):
    view = window.codebook_panel.view
    actors = cid(window, "Actors")
    view.collapse(window.codebook_panel.index_of(actors))
    demands = cid(window, "Claims/Demands")
    view.select_code(demands)
    prompts.text_answers = ["Requests"]
    qtbot.keyClick(view, Qt.Key.Key_F2)
    assert codebook.get_code(window.project, demands).name == "Requests"
    assert not view.isExpanded(window.codebook_panel.index_of(actors))
    assert view.isExpanded(window.codebook_panel.index_of(cid(window, "Claims")))
    assert view.current_code() == demands
    window.actions.undo.trigger()
    assert view.current_code() == demands
    assert not view.isExpanded(window.codebook_panel.index_of(actors))


def test_the_tree_tooltip_shows_definition_and_criteria(window):
    killed = cid(window, "Casualties/Killed")
    codebook.update_code(
        window.project, killed, inclusion="A number of dead", exclusion="Historical totals"
    )
    window.refresh_codebook()
    tip = window.codebook_panel.index_of(killed).data(Qt.ItemDataRole.ToolTipRole)
    assert "Deaths attributed" in tip
    assert "Include:</b> A number of dead" in tip and "Exclude:</b> Historical totals" in tip


def test_a_drop_the_service_refuses_says_why_in_the_status_bar(window, qtbot, prompts):
    from desktop.services.codebook import fields as fieldsvc

    tally = codebook.add_code(window.project, "Tally")
    fieldsvc.add_field(window.project, tally.id, "count", "integer")
    window.refresh_codebook()
    casualties = window.codebook_panel.index_of(cid(window, "Casualties"))
    proxy = window.codebook_panel.proxy
    assert proxy.dropMimeData(drag_data(tally.id), Qt.DropAction.MoveAction, -1, -1, casualties)
    qtbot.waitUntil(lambda: "would clash" in window.statusBar().currentMessage(), timeout=2000)
    assert codebook.get_code(window.project, tally.id).path == "Tally"
    assert window.ctx.undo_stack.count() == 0 and prompts.errors == []


def test_dragging_over_a_forbidden_place_says_why(window, qtbot):
    from PySide6.QtGui import QDragMoveEvent

    view = window.codebook_panel.view
    target = view.visualRect(window.codebook_panel.index_of(cid(window, "Actors/Civilians")))
    data = drag_data(cid(window, "Actors"))  # kept alive: the event holds a bare pointer
    event = QDragMoveEvent(
        target.center(), Qt.DropAction.MoveAction, data,
        Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    view.dragMoveEvent(event)
    assert not event.isAccepted()
    assert "into itself" in window.statusBar().currentMessage()


def test_alt_arrows_move_codes_by_keyboard(window, qtbot):
    view = window.codebook_panel.view
    alt = Qt.KeyboardModifier.AltModifier
    injured = cid(window, "Casualties/Injured")
    view.select_code(injured)
    qtbot.keyClick(view, Qt.Key.Key_Up, alt)
    assert child_names(window, "Casualties") == ["Injured", "Killed", "Displaced"]
    qtbot.keyClick(view, Qt.Key.Key_Up, alt)  # already first: nothing
    qtbot.keyClick(view, Qt.Key.Key_Left, alt)  # out of Casualties, just after it
    assert top_names(window) == ["Actors", "Claims", "Casualties", "Injured"]
    qtbot.keyClick(view, Qt.Key.Key_Right, alt)  # into the code above
    assert child_names(window, "Casualties")[-1] == "Injured"
    assert view.current_code() == injured
    assert window.ctx.undo_stack.count() == 3
    view.select_code(cid(window, "Casualties"))
    qtbot.keyClick(view, Qt.Key.Key_Right, alt)  # into Claims
    assert codebook.get_code(window.project, cid(window, "Claims/Casualties")).parent_id
    for _ in range(4):
        window.actions.undo.trigger()
    assert top_names(window) == ["Actors", "Claims", "Casualties"]
    assert child_names(window, "Casualties") == ["Killed", "Injured", "Displaced"]
