"""The Analysis window: one tab per kind of query over the open project. Every query
runs in a worker of the window (progress, Cancel); blind coding is respected through
the coders the context lets the user see; a passage or a hit opens in the workbench."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QMainWindow, QTabWidget

from desktop.services.analysis import selection
from desktop.services.documents import sets
from desktop.services.teams import coders
from desktop.ui.analysis.charts import ChartsTab
from desktop.ui.analysis.matrix import MatrixTab
from desktop.ui.analysis.passages import PassagesTab
from desktop.ui.analysis.search import SearchTab
from desktop.ui.analysis.words import WordsTab
from desktop.ui.dialogs import fit_window, project_window
from desktop.ui.workers import TaskRunner

if TYPE_CHECKING:
    from desktop.services.project.project import Project
    from desktop.ui.workbench.host import Workbench

TABS = ("passages", "search", "matrix", "words", "charts")


def open_analysis_window(w: Workbench, tab: str | None = None) -> AnalysisWindow | None:
    win = project_window(w, "analysis_window", AnalysisWindow, lambda: AnalysisWindow(w),
                         lambda win: win.refresh_choices())  # fmt: skip
    if win is not None and tab in TABS:
        win.tabs.setCurrentIndex(TABS.index(tab))
    return win


def keep_full_collections_short() -> None:
    """Move every object alive now (the application, the project, the open windows)
    out of the garbage collector's full collections. A query's worker allocates many
    objects, which sets off full collections; each walks every object of the process
    and holds the interpreter meanwhile, which stopped the window for about 0.1 s (the
    event-loop row of tests/benchmarks/bench_analysis.py); with those objects frozen
    it takes a few milliseconds. They are still freed when nothing refers to them."""
    gc.freeze()


class AnalysisWindow(QMainWindow):
    def __init__(self, w: Workbench) -> None:
        keep_full_collections_short()
        super().__init__(w if hasattr(w, "metaObject") else None)
        self.w = w
        self.ctx = w.ctx
        self.runner = TaskRunner(self)
        self.setWindowTitle(f"Analysis — {self.project.name}")
        self.tabs = QTabWidget()
        self.passages = PassagesTab(self)
        self.search = SearchTab(self)
        self.matrix = MatrixTab(self)
        self.words = WordsTab(self)
        self.charts = ChartsTab(self)
        for tab, label in ((self.passages, "Coded passages"), (self.search, "Search"),
                           (self.matrix, "Matrix"), (self.words, "Words"), (self.charts, "Charts")):  # fmt: skip
            self.tabs.addTab(tab, label)
        self.setCentralWidget(self.tabs)
        # the screen's room at most, the size it was left at, Esc and Ctrl+W close it
        fit_window(self, "analysis", QSize(1200, 720))

    @property
    def project(self) -> Project:
        return self.ctx.project

    def code_paths(self) -> list[str]:
        return [p for _, _, p in selection.code_tree(self.project)]

    def coder_names(self) -> list[str]:
        return [c.name for c in coders.list_coders(self.project)]

    def set_names(self) -> list[str]:
        return [x.name for x in sets.list_sets(self.project) if x.documents]

    def visible_coders(self) -> list[int] | None:
        """Blind coding: the coders whose codings the user may see (None: all)."""
        self.ctx.refresh_blind()
        return None if self.ctx.blind_ids is None else list(self.ctx.blind_ids)

    def refresh_choices(self) -> None:
        for tab in (self.passages, self.search, self.matrix, self.words, self.charts):
            tab.refresh_choices()

    def closeEvent(self, e) -> None:
        for tab in (self.passages, self.search, self.matrix, self.words, self.charts):
            tab.runner.cancel()
        self.runner.wait(2000)  # the workers stop at their next step
        super().closeEvent(e)
