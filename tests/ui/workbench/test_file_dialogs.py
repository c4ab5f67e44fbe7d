"""File dialogs start in the project's folder, then in the last folder the user chose,
never in the directory the app was started from."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog

from desktop.ui.dialogs import Prompts


def test_file_dialogs_start_in_the_project_folder_then_the_last_one(
    window, project_path, tmp_path, monkeypatch
):
    seen: list[str] = []
    elsewhere = tmp_path / "articles"
    elsewhere.mkdir()

    def fake_open(parent, title, folder, file_filter):
        seen.append(folder)
        return [str(elsewhere / "a.txt")], ""

    def fake_save(parent, title, folder, file_filter):
        seen.append(folder)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", fake_open)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake_save)
    monkeypatch.chdir("/")
    prompts = Prompts(window)
    assert prompts.open_files() == [str(elsewhere / "a.txt")]
    prompts.save_path("Export", "codings.csv", "CSV (*.csv)")
    assert seen == [str(project_path.parent), str(elsewhere / "codings.csv")]
