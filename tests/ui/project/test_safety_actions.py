"""Backups in the window: a backup on every open (a failure is a status-bar warning),
File > Restore from backup… brings an earlier state back into the window, and the GUI
installs the storage-error translation first thing."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.services.errors import ServiceError
from desktop.services.project import backup_folder, backups
from desktop.ui.project import backups as safety_actions
from tests.ui.helpers import panel_rows, select, stored


def idle(qtbot, window) -> None:
    qtbot.waitUntil(lambda: not window.runner.running and window.long_task is None, timeout=10_000)


def file_action(window, text):
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    return next(a for a in menu.actions() if a.text() == text)


def test_opening_a_project_backs_it_up_in_the_background(window, qtbot, project_path):
    idle(qtbot, window)
    made = backup_folder.list_backups(project_path)
    assert [b.reason for b in made] == ["open"]
    # opening it again unchanged adds nothing; after a change, the next open backs it up
    safety_actions.reopen(window, project_path)
    idle(qtbot, window)
    assert len(backup_folder.list_backups(project_path)) == 1
    select(window, "Syria's regime")
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)
    safety_actions.reopen(window, project_path)
    idle(qtbot, window)
    assert len(backup_folder.list_backups(project_path)) == 2


def test_a_backup_that_fails_is_a_warning_in_the_status_bar(
    make_window, project_path, qtbot, monkeypatch
):
    def refuse(project, *, min_interval=0.0):
        raise ServiceError("the disk is full")

    monkeypatch.setattr(backups, "backup_on_open", refuse)
    window = make_window(project_path)
    idle(qtbot, window)
    assert "the disk is full" in window.statusBar().currentMessage()
    assert "no backup was made" in window.statusBar().currentMessage().lower()
    assert window.document_id is not None  # the project stays usable


def test_restore_from_backup_shows_the_earlier_state(window, qtbot, project_path, monkeypatch):
    idle(qtbot, window)
    select(window, "Syria's regime")
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)
    kept = backups.backup_now(project_path)
    select(window, "At least 12 people were killed")
    qtbot.keyClick(window.viewer, Qt.Key.Key_5)
    assert len(stored(window)) == 2
    assert window.ctx.undo_stack.count() == 2
    offered: list[list[str]] = []

    def choose(w, items):
        offered.append([b.label() for b in items])
        return next(b for b in items if b.path == kept.path)

    monkeypatch.setattr(safety_actions, "choose_backup", choose)
    file_action(window, "Restore from &backup…").trigger()
    idle(qtbot, window)
    # newest first: the one made by hand, then the one made when the window opened
    assert "made by hand" in offered[0][0] and "opened" in offered[0][1]
    assert [q for _p, _c, q in stored(window)] == ["Syria's regime"]
    assert panel_rows(window) == [("State forces", "Maya", "Syria's regime")]
    assert window.ctx.undo_stack.count() == 0
    assert "Restored the backup" in window.statusBar().currentMessage()
    # the state before the restore is kept among the backups
    assert any(b.reason == "before-restore" for b in backup_folder.list_backups(project_path))


def test_a_refused_restore_is_explained_and_changes_nothing(
    window, qtbot, project_path, prompts, monkeypatch
):
    idle(qtbot, window)
    select(window, "Syria's regime")
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)
    monkeypatch.setattr(safety_actions, "choose_backup", lambda w, items: items[0])

    def refuse(path, backup):
        raise backups.BackupError("this backup is damaged; choose another one")

    monkeypatch.setattr(backups, "restore", refuse)
    file_action(window, "Restore from &backup…").trigger()
    idle(qtbot, window)
    assert prompts.errors == [
        "The backup was not restored: this backup is damaged; choose another one"
    ]
    assert len(stored(window)) == 1 and window.ctx.undo_stack.count() == 1


def test_restore_dialog_lists_backups_newest_first(window, qtbot, project_path):
    idle(qtbot, window)
    backups.backup_now(project_path)
    items = backup_folder.list_backups(project_path)
    dialog = safety_actions.RestoreDialog(items, project_path, window)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.list.count() == 2
    assert "made by hand" in dialog.list.item(0).text()
    assert dialog.chosen() == items[0]
    dialog.grab().save("/tmp/tessera-restore-dialog.png")


def test_the_gui_installs_storage_error_translation_first(monkeypatch):
    from desktop import app
    from desktop.services.project import storage_errors
    from desktop.ui import look

    calls = []
    monkeypatch.setattr(storage_errors, "install", lambda: calls.append("install"))
    monkeypatch.setattr(look, "apply_style", lambda _app, *_mode: None)  # keep the tests' look

    def choose(arg, settings):
        calls.append("choose")
        raise ServiceError("no such project")

    monkeypatch.setattr(app, "choose_project", choose)
    assert app.run_gui("missing.tessera") == 1
    assert calls == ["install", "choose"]


def test_a_damaged_project_is_named_at_once_and_the_newest_good_backup_restored(
    make_window, project_path, qtbot, monkeypatch
):
    from desktop.services.project.project import Project
    from desktop.services.teams import coders
    from tests.safety.test_damaged_projects import damage

    with Project.open(project_path) as p:
        coders.get_or_add_coder(p, "Maya")  # the window's coder exists: nothing to write
    good = backups.backup_now(project_path)
    damage(project_path, "audit_log")  # a table the window does not read to start
    asked = []

    def ask(w, project, offered):
        asked.append((project.damage_message, offered))
        return "restore"

    monkeypatch.setattr(safety_actions, "ask_about_damage", ask)
    window = make_window(project_path)
    qtbot.waitUntil(lambda: bool(asked), timeout=5_000)
    message, offered = asked[0]
    assert "damaged" in message and offered.path == good.path
    idle(qtbot, window)
    qtbot.waitUntil(lambda: not window.project.damage, timeout=10_000)
    assert "Restored the backup" in window.statusBar().currentMessage()
    assert window.document_id is not None


def test_a_damaged_project_opened_to_look_refuses_a_coding(
    make_window, project_path, qtbot, monkeypatch
):
    from desktop.services.project.project import Project
    from desktop.services.teams import coders
    from tests.safety.test_damaged_projects import damage

    with Project.open(project_path) as p:
        coders.get_or_add_coder(p, "Maya")
    damage(project_path, "audit_log")  # a table the window does not read to start
    monkeypatch.setattr(safety_actions, "ask_about_damage", lambda w, p, good: "read")
    window = make_window(project_path)
    qtbot.waitUntil(lambda: "reading only" in window.statusBar().currentMessage(), timeout=5_000)
    errors: list[str] = []
    window.ctx.error.connect(errors.append)
    select(window, "Syria's regime")
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)
    qtbot.waitUntil(lambda: bool(errors), timeout=5_000)
    assert "damaged" in errors[0]
    assert backup_folder.list_backups(project_path) == []  # nothing of the damaged file was copied


def test_a_damaged_project_opens_for_reading_under_a_coder_it_does_not_know(
    make_window, project_path, qtbot, monkeypatch, prompts
):
    """Naming a new coder would write to the file: the window opens it for reading
    instead, showing every coder's codings, and says so in the status bar."""
    from desktop.services.coding import codings
    from desktop.services.project.project import Project
    from desktop.services.teams import coders
    from desktop.ui.workbench.context import ALL
    from tests.safety.test_damaged_projects import damage

    with Project.open(project_path) as p:
        maya = coders.get_or_add_coder(p, "Maya")
        from desktop.services.codebook import codebook
        from desktop.services.documents import documents

        d = documents.list_documents(p)[0]
        codings.apply_coding(p, document_id=d.id, code_id=codebook.code_paths(p)["Actors"],
                             coder_id=maya.id, start=0, end=6)  # fmt: skip
    damage(project_path, "audit_log")
    monkeypatch.setattr(safety_actions, "ask_about_damage", lambda w, p, good: "read")
    prompts.coder_answers = ["Newcomer"]
    window = make_window(project_path)
    assert window.ctx.coder is None
    assert window.ctx.view_mode == ALL
    assert len(window.codings_by_id) == 1  # Maya's coding is there to read
    status = window.status_coder.text()
    assert "Reading as Newcomer" in status and "cannot be written" in status
    errors: list[str] = []
    window.ctx.error.connect(errors.append)
    select(window, "Syria's regime")
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)  # a quick code: refused with a reason
    assert errors and "reading only" in errors[0] and "Newcomer" in errors[0]
    with Project.open(project_path) as p:
        assert coders.find_coder(p, "Newcomer") is None
