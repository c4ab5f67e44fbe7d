"""Coders (asked once per project, switchable, view filter) and reopening a project:
what the user sees comes back, and what was done before a kill is stored."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from PySide6.QtCore import Qt

from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.project.project import Project
from desktop.services.teams import coders
from tests.ui.helpers import painted_colour, panel_rows, select, tinted_by, tree_count

REPO = Path(__file__).resolve().parents[3]


def test_coder_is_asked_once_per_project_and_set_as_actor(
    window, prompts, make_window, project_path
):
    assert prompts.asked_coder == 1
    assert window.ctx.coder.name == "Maya" and window.project.actor == "Maya"
    window.close()
    again = make_window(project_path)
    assert prompts.asked_coder == 1  # remembered on this machine
    assert again.ctx.coder.name == "Maya"


def test_switch_coder_and_filter_views(window, qtbot, prompts):
    select(window, "Syria's regime")
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)
    prompts.coder_answers = ["Jonas"]
    window.switch_coder()
    assert "Jonas" in window.status_coder.text() and window.project.actor == "Jonas"
    assert panel_rows(window) == []  # "my codings": Jonas has none yet
    select(window, "its ally Russia")
    qtbot.keyClick(window.viewer, Qt.Key.Key_5)
    assert panel_rows(window) == [("International actors", "Jonas", "its ally Russia")]
    window.actions.view["all"].trigger()
    rows = panel_rows(window)
    assert sorted(r[1] for r in rows) == ["Jonas", "Maya"]
    assert not window.codings_panel.view.isColumnHidden(1)  # the coder column
    assert window.viewer.show_coders  # coder colours in underlines and stripes
    maya = coders.find_coder(window.project, "Maya")
    prompts.chosen_coders = {maya.id}
    window.actions.view["chosen"].trigger()
    assert panel_rows(window) == [("State forces", "Maya", "Syria's regime")]
    # audit: the second coding was made by Jonas
    from desktop.services.project import audit

    actors = [row.actor for row in audit.history(window.project, entity="coding")]
    assert actors == ["Maya", "Jonas"]


def test_reopening_shows_what_was_coded(window, qtbot, make_window, project_path, settings):
    select(window, "Syria's regime")
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)
    select(window, "At least 12 people were killed")
    window.coding.apply_code(codebook.find_code(window.project, "Casualties/Killed").id)
    window.main_split.setSizes([300, 700, 400])
    saved_sizes = window.main_split.sizes()
    window.close()
    window.shutdown()
    again = make_window(project_path)
    assert again.main_split.sizes() == saved_sizes
    assert again.viewer.text.startswith("Rebels say talks")
    assert sorted(r[2] for r in panel_rows(again)) == [
        "At least 12 people were killed",
        "Syria's regime",
    ]
    assert tree_count(again, codebook.find_code(again.project, "Casualties/Killed").id) == "1"
    assert len(again.viewer.index) == 2
    colour = painted_colour(again, "At least 12 people")
    paths = {c.path: c.color for c in codebook.list_codes(again.project)}
    assert tinted_by(colour, paths["Casualties/Killed"])
    assert tinted_by(painted_colour(again, "Syria's regime"), paths["Actors/State forces"])


def test_last_document_is_remembered(window, make_window, project_path):
    from desktop.services.documents import documents

    other = documents.add_document(window.project, name="zz.txt", text="Another text.", kind="txt")
    window.refresh_documents()
    window.documents_panel.select(other.id)
    assert window.document_id == other.id
    window.close()
    assert make_window(project_path).document_id == other.id


def test_work_done_before_a_kill_is_stored(project_path, tmp_path):
    script = textwrap.dedent(f"""
        import os, signal, sys
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        sys.path.insert(0, {str(REPO)!r})
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication
        from desktop.services.project.project import Project
        from desktop.ui.workbench.main_window import MainWindow
        from tests.ui.conftest import FakePrompts
        app = QApplication([])
        settings = QSettings({str(tmp_path / "kill.ini")!r}, QSettings.Format.IniFormat)
        w = MainWindow(Project.open({str(project_path)!r}), settings=settings, prompts=FakePrompts())
        text = w.viewer.text
        for needle, n in (("Syria's regime", 2), ("air strikes", 1), ("12 people", 3)):
            a = text.index(needle)
            w.viewer.select_range(a, a + len(needle))
            w.coding.apply_quick(n)
        w.ctx.undo_stack.undo()  # the last one is undone before the kill
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    with Project.open(project_path) as p:
        assert sorted(c.quote for c in codings.list_codings(p)) == ["Syria's regime", "air strikes"]


def test_sample_project_is_made_from_resources(tmp_path):
    from desktop.app import create_sample_project
    from desktop.services.documents import documents

    p = create_sample_project(tmp_path)
    try:
        docs = documents.list_documents(p)
        assert len(docs) >= 2 and any(d.name == "deraa-talks-fail.txt" for d in docs)
        assert codebook.find_code(p, "Actors/State forces") is not None
    finally:
        p.close()
    assert os.path.exists(tmp_path / "Sample project.tessera")


def test_new_open_and_recent_projects(window, prompts, tmp_path, project_path):
    from desktop.ui.project import actions as project_actions
    from desktop.ui.workbench import menus

    new_path = tmp_path / "fresh.tessera"
    prompts.new_project = lambda templates: (str(new_path), templates[0])
    prompts.coder_answers = ["Ana"]
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    next(a for a in file_menu.actions() if a.text() == "&New project…").trigger()
    assert window.project.path == new_path and window.ctx.coder.name == "Ana"
    assert (
        codebook.find_code(window.project, "Casualties/Killed") is not None
    )  # conflict-news first
    assert window.documents_panel.model.rowCount() == 0
    project_actions.open_project(window, str(project_path))
    assert window.project.path == project_path and window.ctx.coder.name == "Maya"
    menus._fill_recent(window)
    recent = [a.text() for a in window.actions.recent_menu.actions()]
    assert recent[:2] == ["study.tessera", "fresh.tessera"]
    prompts.errors.clear()
    project_actions.open_project(window, str(tmp_path / "missing.tessera"))
    assert prompts.errors and window.project.path == project_path
