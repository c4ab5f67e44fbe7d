"""The window on a team server: the person who connected codes as themselves (their
database role decides), without being asked who they are, and cannot switch to another
coder's name."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from desktop.services.coding import codings
from desktop.services.project.project import Project
from tests.postgres.conftest import coder_ids
from tests.ui.conftest import FakePrompts
from tests.ui.helpers import select


def test_a_coder_codes_as_themselves_in_the_window(team, qtbot, tmp_path):
    from desktop.ui.workbench.main_window import MainWindow

    prompts = FakePrompts()
    prompts.coder_answers = ["olga", "ben"]  # were it asked, it would take another's name
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(Project.open(team.url("ana")), settings=settings, prompts=prompts)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    try:
        assert w.ctx.coder is not None and w.ctx.coder.name == "ana"
        assert prompts.asked_coder == 0
        select(w, "Rebels")
        w.coding.apply_quick(1)
        w.switch_coder()
        assert w.ctx.coder.name == "ana"
        assert any("you code as ana" in e for e in prompts.errors)
    finally:
        w.shutdown()
    with Project.open(team.url("olga")) as p:
        stored = [(c.coder_id, c.quote) for c in codings.list_codings(p)]
    assert stored == [(coder_ids(team)["ana"], "Rebels")]


def test_opening_a_server_project_leaves_no_backups_folder_behind(
    team, qtbot, tmp_path, monkeypatch
):
    """A server project has no file to back up: nothing is made in the folder Tessera
    was started from (it once made ``<database>.backups`` there)."""
    from desktop.ui.workbench.main_window import MainWindow

    started_in = tmp_path / "cwd"
    started_in.mkdir()
    monkeypatch.chdir(started_in)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(Project.open(team.url("ana")), settings=settings, prompts=FakePrompts())
    qtbot.addWidget(w)
    try:
        assert w.runner.wait(10_000)
    finally:
        w.shutdown()
    assert list(started_in.iterdir()) == []
