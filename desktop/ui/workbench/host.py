"""What a feature may use of the main window: a small named interface.

The features (project, documents, teams, exchange, review, codebook, coding) take a
``Workbench``, never the MainWindow class: no feature imports the window, the window
imports the features it composes, and the imports go one way. MainWindow is the one
implementation; tests drive features through it. The window is also the parent widget
of a feature's dialogs.

``Actions`` are the window's named menu entries (declared in menus.py), so a feature
reaches an entry by name, never by its label."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings, SignalInstance
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QLabel, QMenu

    from desktop.services.project.project import Project
    from desktop.ui.dialogs import Prompts
    from desktop.ui.workbench.context import Context
    from desktop.ui.workers import Task, TaskRunner


def project_key(path: Path | str) -> str:
    """The key under which the window keeps its settings for one project file."""
    return hashlib.sha1(str(Path(path).resolve()).encode()).hexdigest()[:16]


@dataclass
class Actions:
    """The menu entries a feature or a test may need by name."""

    recent_menu: QMenu
    import_menu: QMenu
    book_menu: QMenu
    undo: QAction
    redo: QAction
    code_as: QAction
    snap: QAction
    blind: QAction
    merge: QAction
    copy_for_coder: QAction
    restore: QAction
    view: dict[str, QAction] = field(default_factory=dict)  # by view mode (MINE, ALL, CHOSEN)
    panels: dict[str, QAction] = field(default_factory=dict)  # View > side panels, by name
    help: dict[str, QAction] = field(default_factory=dict)  # Help menu entries, by name


class Workbench(Protocol):
    """The main window as the features see it."""

    # what is open
    ctx: Context | None  # the open project's context: active coder, coder filter, undo stack
    document_id: int | None  # the document in the viewer
    prompts: Prompts  # every question asked of the user (tests answer them)
    settings: QSettings
    runner: TaskRunner  # workers of this window
    actions: Actions
    project_opened: SignalInstance  # the Project, once the window shows it
    export_done: SignalInstance  # the file written ("" if none)
    long_task: Task | None  # the long task in progress (set by run_long), if any
    backup_task: Task | None  # the backup made on opening the project
    importer: Any  # ImportController: files being imported, if ``importer.busy``
    blind_badge: QLabel  # the status bar's "Blind coding" badge
    # secondary windows the Review menu opens, one of each
    review_window: Any
    agreement_dialog: Any
    analysis_window: Any  # Analysis > Analysis window…, once opened
    documents_window: Any  # Documents > Documents table…, once opened
    memos_window: Any  # Documents > Memos…, once opened

    @property
    def project(self) -> Project: ...

    def set_project(self, project: Project) -> None:
        """Show another project (the previous one is closed)."""

    def run_long(self, title: str, label: str, fn: Callable[..., object], **options: Any) -> Task:
        """Run ``fn(progress, cancelled)`` in a worker behind a progress dialog, one long
        task at a time; ``options`` (done, failed, cancellable, progressed) are those of
        ``desktop.ui.long_tasks.run_long``."""

    def show_passage(self, document_id: int, start: int, end: int) -> None:
        """Open a document in the viewer with [start, end) selected and in view."""

    def show_document(self, document_id: int) -> None:
        """Open a document in the viewer, select it in the documents list, raise the window."""

    def select_code(self, code_id: int) -> None:
        """Select a code in the codebook (its inspector shows it) and raise the window."""

    def show_coding(self, coding_id: int) -> None:
        """Select a coding of the document shown, in the text and in the codings panel."""

    def show_message(self, text: str, msecs: int = 0) -> None:
        """A message in the status bar, for ``msecs`` (0: until the next one)."""

    def current_codings(self) -> list[Any]:
        """The codings shown for the document in the viewer."""

    def refresh_documents(self) -> None: ...

    def refresh_codebook(self) -> None: ...

    def refresh_coders(self) -> None: ...

    def refresh_codings(self) -> None: ...


class WorkbenchWindow(Workbench, Protocol):
    """The window as its own parts see it (menus, coding actions, the codebook's
    controller): the interface above and the widgets they work on. The parts are typed
    loosely on purpose: naming their classes here would make the parts import each other."""

    viewer: Any  # DocumentViewer
    find_bar: Any  # FindBar
    picker: Any  # CodePicker
    coding: Any  # CodingActions
    codebook_ui: Any  # CodebookUI
    documents_panel: Any
    codebook_panel: Any
    codings_panel: Any
    right_split: Any  # QSplitter: the codebook panel over the codings panel
    codes: dict[int, Any]  # CodeInfo by id, as shown
    codings_by_id: dict[int, Any]  # CodingInfo by id, of the document shown

    def menuBar(self) -> Any: ...

    def statusBar(self) -> Any: ...

    def close(self) -> bool: ...

    def import_files(self, paths: list[str] | None = None) -> None: ...

    def switch_coder(self) -> None: ...

    def set_view(self, mode: str) -> None: ...

    def open_document(self, document_id: int) -> None: ...

    def fit_reading_column(self) -> None:
        """The reading column's minimum width again, after its font changed (zoom)."""
