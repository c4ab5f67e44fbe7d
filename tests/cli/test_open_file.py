"""``tessera FILE`` as a file manager runs it: a .tessera opens in the window, a .qdpx
asks where to save a new project and imports the file into it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from desktop.services.errors import ServiceError
from desktop.services.exchange.qdpx_project import project_from_qdpx
from desktop.services.project.project import Project
from tests.packaging.helpers import SAMPLE, user_env, window_stays_up

NVIVO = "nvivo-win-12.6_oltas0517.qdpx"
TESSERA = [sys.executable, "-c", "import sys; from desktop.cli.main import main; sys.exit(main())"]


@pytest.fixture
def qdpx(shared_dir) -> Path:
    return shared_dir / "refi" / "samples" / NVIVO


def test_a_qdpx_becomes_a_new_project_with_everything_in_it(qdpx, tmp_path):
    project, report = project_from_qdpx(qdpx, tmp_path / "from nvivo.tessera")
    info = project.info()
    project.close()
    assert info["documents"] == len(report.documents_added) > 0
    assert info["codes"] == len(report.codes_added) > 0
    assert report.codings_imported > 0


def test_an_existing_project_is_never_overwritten(qdpx, tmp_path):
    target = tmp_path / "mine.tessera"
    Project.create(target).close()
    before = target.read_bytes()
    with pytest.raises(ServiceError, match="already exists"):
        project_from_qdpx(qdpx, target)
    assert target.read_bytes() == before


def test_an_unreadable_qdpx_leaves_no_half_made_project(tmp_path):
    junk = tmp_path / "junk.qdpx"
    junk.write_bytes(b"not a zip")
    with pytest.raises(ServiceError):
        project_from_qdpx(junk, tmp_path / "junk.tessera")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.qdpx"]


def test_opening_a_qdpx_asks_where_to_save_then_imports(qapp, qdpx, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from desktop.app import project_from_qdpx_asking

    asked: list[str] = []

    def answer(parent, title, suggested, file_filter):
        asked.append(suggested)
        return str(tmp_path / "answered"), file_filter  # the user types a name, no suffix

    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer)
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.information", lambda *a, **k: None)
    project = project_from_qdpx_asking(str(qdpx))
    assert asked == [str(qdpx.with_suffix(".tessera"))]
    assert project.path == tmp_path / "answered.tessera"
    assert project.info()["documents"] > 0
    project.close()


def test_cancelling_the_save_question_makes_nothing(qapp, qdpx, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from desktop.app import project_from_qdpx_asking

    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: ("", ""))
    assert project_from_qdpx_asking(str(qdpx)) is None
    assert list(tmp_path.iterdir()) == []


def test_tessera_with_a_project_file_opens_it_in_the_window(tmp_path):
    project = tmp_path / "study.tessera"
    Project.create(project, template="conflict-news").close()
    env = user_env(tmp_path / "user")
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    alive, err = window_stays_up([*TESSERA, str(project)], env, cwd=tmp_path)
    assert alive, err
    # it opened the file named, not the sample project of a first start
    assert not (Path(env["XDG_DATA_HOME"]) / SAMPLE).exists()


def test_tessera_with_a_missing_file_says_which(tmp_path):
    # in a process of its own, as a file manager starts it: the window's set-up (its style
    # and theme) must not stay on the test process's application
    import subprocess

    env = user_env(tmp_path / "user")
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    done = subprocess.run([*TESSERA, str(tmp_path / "gone.tessera")], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 1
    assert "gone.tessera" in done.stderr and "Traceback" not in done.stderr
