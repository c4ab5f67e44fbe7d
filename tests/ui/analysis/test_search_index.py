"""The Search tab of a large project made before the full-text index: the window
opens at once, the index is built in the background with "Indexing… n of N
documents" on the tab's line, and the search then finds every hit."""

from __future__ import annotations

from desktop.services.analysis import fulltext
from desktop.services.project.project import Project
from desktop.ui.analysis.runner import QueryRunner
from tests.services.analysis.test_fulltext import EXTRA, make_old_project, scan


def test_search_tab_builds_the_index_with_progress_then_finds_every_hit(
    make_window, prompts, tmp_path, qtbot, monkeypatch
):
    path = tmp_path / "old.tessera"
    make_old_project(path)
    monkeypatch.setattr(fulltext, "BATCH_CHARS", 1_000_000)
    said: list[str] = []
    shown = QueryRunner._progress

    def record(self, task, value):
        if isinstance(value, tuple):
            said.append(value[1])
        shown(self, task, value)

    monkeypatch.setattr(QueryRunner, "_progress", record)
    prompts.coder_answers = ["ana"]
    w = make_window(path)
    menu = next(a.menu() for a in w.menuBar().actions() if a.text() == "&Analysis")
    entry = next(a for a in menu.actions() if "passages" in a.text())
    entry.trigger()  # the window opens without waiting for the index
    tab = w.analysis_window.search
    qtbot.waitUntil(lambda: not tab.runner.busy, timeout=60000)
    total = EXTRA + 3
    assert said[0] == f"Indexing… 0 of {total} documents"
    assert said[-1] == f"Indexing… {total} of {total} documents"
    assert len(said) > 3  # batch by batch
    tab.query.setText("negotiators")
    with qtbot.waitSignal(tab.runner.finished, timeout=20000):
        tab.run()
    found = [
        (tab.model.hit(r).document, tab.model.hit(r).start) for r in range(tab.model.rowCount())
    ]
    with Project.open(path) as p:
        assert fulltext.state(p).ready
        assert sorted(found) == scan(p, "negotiators")
