"""Opening a project checks its file (SQLite's quick_check reads all of it) unless the
file is exactly as Tessera left it after a check: closed cleanly, or last backed up.
Whatever touched the file since (a bad sector, another program, a crash) brings the
check back."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.services.codebook import codebook
from desktop.services.project import project as project_module
from desktop.services.project.project import Project
from tests.safety.test_damaged_projects import damage


@pytest.fixture
def checks(monkeypatch) -> list[Path]:
    """The files the open checked."""
    seen: list[Path] = []
    real = project_module.integrity_check

    def spy(path, **kw):
        seen.append(Path(path))
        return real(path, **kw)

    monkeypatch.setattr(project_module, "integrity_check", spy)
    return seen


@pytest.fixture
def closed_cleanly(tmp_path, capsys) -> Path:
    """A project made and coded with the CLI (each command opens, backs up, closes)."""
    path = tmp_path / "study.tessera"
    assert main(["new", str(path)]) == 0
    assert main(["codes", "add", str(path), "Actors"]) == 0
    capsys.readouterr()
    return path


def test_a_project_closed_cleanly_opens_without_reading_the_whole_file(closed_cleanly, checks):
    with Project.open(closed_cleanly) as p:
        assert not p.damage
        assert [c.name for c in codebook.list_codes(p)] == ["Actors"]
    assert checks == []
    # and it seals again at this close: the next open skips the check too
    Project.open(closed_cleanly).close()
    assert checks == []


def test_a_file_damaged_after_a_clean_close_is_checked_and_named(closed_cleanly, checks):
    st = closed_cleanly.stat()
    damage(closed_cleanly)
    # a tool that puts the old times back cannot put back the change time
    os.utime(closed_cleanly, ns=(st.st_atime_ns, st.st_mtime_ns))
    with Project.open(closed_cleanly) as p:
        assert p.damage
        assert "damaged" in p.damage_message
    assert checks == [closed_cleanly]


def test_a_session_that_did_not_close_leaves_the_check_for_the_next_open(closed_cleanly, checks):
    p = Project.open(closed_cleanly)
    codebook.add_code(p, "Claims")
    p.engine.dispose()  # the process died: no close(), no seal of the new state
    with Project.open(closed_cleanly) as again:
        assert not again.damage
    assert checks == [closed_cleanly]


def test_a_damaged_project_the_user_went_on_with_is_not_sealed(closed_cleanly, checks):
    damage(closed_cleanly)
    with Project.open(closed_cleanly) as p:
        p.go_on_despite_damage()
    Project.open(closed_cleanly).close()
    assert checks == [closed_cleanly, closed_cleanly]
