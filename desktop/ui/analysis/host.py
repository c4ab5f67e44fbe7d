"""What a tab of the Analysis window may use of it (the window implements it; the tabs
never import the window, so the imports go one way)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from desktop.services.project.project import Project
    from desktop.ui.workers import TaskRunner


class AnalysisHost(Protocol):
    w: Any  # the main window (desktop.ui.workbench.host.Workbench)
    runner: TaskRunner

    @property
    def project(self) -> Project: ...

    def code_paths(self) -> list[str]: ...

    def coder_names(self) -> list[str]: ...

    def set_names(self) -> list[str]:
        """The document sets that hold documents, by name."""

    def visible_coders(self) -> list[int] | None:
        """Blind coding: the coders whose codings the user may see (None: all)."""
