"""The Analysis window: coded passages across the corpus, corpus search with
keyword-in-context and code-all, code matrices and co-occurrence, word frequencies
and charts. Each tab builds a query, runs it in a worker (progress, Cancel) through
the analysis services, and shows the result; the main window's Analysis menu calls
the opener below."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.ui.workbench.host import Workbench


def open_analysis(w: Workbench, tab: str | None = None) -> None:
    """Analysis > … : open (or raise) the window, on ``tab`` if given."""
    from desktop.ui.analysis.window import open_analysis_window

    open_analysis_window(w, tab)
