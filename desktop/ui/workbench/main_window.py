"""The coding workbench: documents on the left, the document in the middle, the
codebook and the document's codings on the right. The window builds its parts and
answers the features (``host.Workbench``); keeping its views in step with the project is
refresh.py's, what it remembers between sessions window_state.py's."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter, QWidget

from desktop.core import wording
from desktop.services.codebook.codebook import CodeInfo
from desktop.services.coding.codings import CodingInfo
from desktop.services.documents import documents
from desktop.services.project.project import Project
from desktop.services.teams import coders, server_team
from desktop.services.teams.coders import CoderInfo
from desktop.ui import long_tasks, theme
from desktop.ui.codebook.controller import CodebookUI
from desktop.ui.coding.actions import CodingActions
from desktop.ui.dialogs import CodePicker, Prompts
from desktop.ui.documents.importing import ImportController, legacy_files
from desktop.ui.models import one_line
from desktop.ui.project import backups as backups_ui
from desktop.ui.teams import actions as teams_ui
from desktop.ui.workbench import live as live_ui
from desktop.ui.workbench import menus
from desktop.ui.workbench.access import WorkbenchAccess
from desktop.ui.workbench.context import ALL, CHOSEN, MINE, Context
from desktop.ui.workbench.findbar import FindBar
from desktop.ui.workbench.host import Actions, project_key
from desktop.ui.workbench.panels import CodebookPanel, CodingsPanel, DocumentsPanel
from desktop.ui.workbench.refresh import WorkbenchRefresh
from desktop.ui.workbench.spans import Span
from desktop.ui.workbench.viewer import DocumentViewer
from desktop.ui.workbench.window_state import WindowState
from desktop.ui.workers import Task, TaskRunner

# The side panels' narrowest, and the smallest screen the three columns must fit together.
DOCUMENTS_MIN_WIDTH = 180
SIDE_MIN_WIDTH = 260
HANDLE_WIDTH = 3
SMALLEST_SCREEN = 1024

ORG, APP = "Tessera", "Tessera"


def app_settings() -> QSettings:
    return QSettings(ORG, APP)


class MainWindow(WorkbenchRefresh, WindowState, QMainWindow):
    """The window; what the features may use of it is ``host.Workbench``."""

    export_done = Signal(str)  # the file written ("" if none)
    project_opened = Signal(object)  # the Project, once the window shows it (start, open, new)

    def __init__(self, project: Project, *, settings: QSettings | None = None,
                 prompts: Prompts | None = None) -> None:  # fmt: skip
        super().__init__()
        self.setObjectName("mainWindow")
        self.settings = settings or app_settings()
        self.prompts = prompts or Prompts(self)
        self.runner = TaskRunner(self)
        self.ctx: Context | None = None
        self._lists_counted: object = "unread"  # the coders the lists' counts are of
        self.document_id: int | None = None
        self.codes: dict[int, CodeInfo] = {}
        self.coders: dict[int, CoderInfo] = {}
        self.codings_by_id: dict[int, CodingInfo] = {}
        self._pages: list[tuple[int, int]] = []
        self._page_starts: list[int] = []
        self.setAcceptDrops(True)
        self._build()
        self.coding = CodingActions(self)
        self.importer = ImportController(
            self, self.runner, lambda: self.project, self._show_summary
        )
        self.importer.done.connect(self._import_done)
        self.long_task: Task | None = None  # the one long task started from a menu
        self.backup_task: Task | None = None  # the backup made on opening a project
        self.review_window = None  # Review > Compare coders…, once opened
        self.agreement_dialog = None  # Review > Agreement…, once opened
        self.analysis_window = None  # Analysis > Analysis window…, once opened
        self.documents_window = None  # Documents > Documents table…, once opened
        self.memos_window = None  # Documents > Memos…, once opened
        self.codebook_ui = CodebookUI(self)  # inspector, drag and drop, values
        self.help_windows: dict = {}  # Help menu windows, once opened, by name
        self.access = WorkbenchAccess(self)  # keyboard, screen readers, zoom, code keys
        self.actions: Actions = menus.build(self, self.codebook_ui)
        self.blind_badge = teams_ui.blind_badge()
        self.statusBar().addPermanentWidget(self.blind_badge)  # after the coder's name
        self.project_opened.connect(self._project_opened)
        self._restore_window_state()
        self.set_project(project)

    # -- construction ----------------------------------------------------------------
    def _build(self) -> None:
        self.documents_panel = DocumentsPanel()
        self.viewer = DocumentViewer()
        self.find_bar = FindBar(self.viewer)
        self.codebook_panel = CodebookPanel()
        self.codings_panel = CodingsPanel()
        self.picker = CodePicker(self)
        centre = QWidget()
        centre.setObjectName("centre")
        from PySide6.QtWidgets import QVBoxLayout

        lay = QVBoxLayout(centre)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.doc_title = QLabel()
        self.doc_title.setObjectName("docTitle")
        lay.addWidget(self.doc_title)
        lay.addWidget(self.viewer, 1)
        lay.addWidget(self.find_bar)
        self.right_split = QSplitter(Qt.Orientation.Vertical)
        self.right_split.addWidget(self.codebook_panel)
        self.right_split.addWidget(self.codings_panel)
        self.right_split.setSizes([450, 350])
        self.main_split = QSplitter(Qt.Orientation.Horizontal)
        self.main_split.setObjectName("mainSplit")
        self.main_split.addWidget(self.documents_panel)
        self.main_split.addWidget(centre)
        self.main_split.addWidget(self.right_split)
        # the side panels keep their width while the window grows and give way first when
        # it shrinks: the reading column never gets narrower than a readable measure
        self.main_split.setStretchFactor(0, 0)
        self.main_split.setStretchFactor(1, 1)
        self.main_split.setStretchFactor(2, 0)
        self.main_split.setSizes([240, 800, 440])
        self.centre = centre
        self.documents_panel.setMinimumWidth(DOCUMENTS_MIN_WIDTH)
        self.right_split.setMinimumWidth(SIDE_MIN_WIDTH)
        for split in (self.main_split, self.right_split):
            split.setChildrenCollapsible(False)
            split.setHandleWidth(HANDLE_WIDTH)
        self.fit_reading_column()
        self.setCentralWidget(self.main_split)
        self.status_project = QLabel()
        self.status_coder = QLabel()
        self.status_coder.setObjectName("coderBadge")
        self.status_coder.setToolTip("Click to switch coder (Ctrl+Shift+C)")
        self.status_coder.linkActivated.connect(lambda _link: self.switch_coder())
        self.status_counts = QLabel()
        self.status_page = QLabel()
        sb = self.statusBar()
        sb.addWidget(self.status_project)
        sb.addWidget(self.status_counts)
        sb.addPermanentWidget(self.status_page)
        sb.addPermanentWidget(self.status_coder)
        self.documents_panel.document_chosen.connect(self.open_document)
        self.codings_panel.coding_chosen.connect(self.show_coding)
        self.viewer.coding_clicked.connect(self.show_coding)
        self.viewer.cursor_page_changed.connect(
            lambda n: self.status_page.setText(f"Page {n} of {len(self._pages)}" if n else "")
        )
        self.viewer.tooltip_for = self._tooltip
        self.viewer.unhandled_key.connect(self._key_fallback)

    def fit_reading_column(self) -> None:
        """The reading column's minimum: MIN_MEASURE characters of its font on a line, but
        never so wide that the window no longer fits a SMALLEST_SCREEN with both side
        panels (a large reading font, zoomed in or a wide one: the column gives way)."""
        room = SMALLEST_SCREEN - DOCUMENTS_MIN_WIDTH - SIDE_MIN_WIDTH - 2 * HANDLE_WIDTH
        self.centre.setMinimumWidth(min(self.viewer.min_reading_width(), room))

    def _key_fallback(self, e) -> None:
        """A key the text did not use: a single-key coding key (they act only here, in
        the text), or a key that reached the text because no window shortcut took it (the
        window was not the active one a moment ago): do what the shortcut would have done."""
        seq = QKeySequence(e.keyCombination())
        n = self.access.code_number(e)
        if n is not None:
            self.coding.apply_quick(n)
            return
        for action in self.findChildren(QAction):
            if action.isEnabled() and any(
                sc.matches(seq) == QKeySequence.SequenceMatch.ExactMatch
                for sc in action.shortcuts()
            ):
                action.trigger()
                return

    # -- what features use (host.Workbench) -----------------------------------------
    def run_long(self, title: str, label: str, fn, **options) -> Task:
        """Run ``fn(progress, cancelled)`` in a worker behind a progress dialog; one at a
        time (``long_task``). The options are those of ``long_tasks.run_long``."""

        def closed(task: Task) -> None:
            if self.long_task is task:
                self.long_task = None

        self.long_task = long_tasks.run_long(self, title, label, fn, closed=closed, **options)
        return self.long_task

    def show_message(self, text: str, msecs: int = 0) -> None:
        self.statusBar().showMessage(text, msecs)

    def _project_opened(self, project: Project) -> None:
        self.backup_task = backups_ui.after_open(self, project)
        teams_ui.attach(self)
        live_ui.attach(self)  # a server project: others' changes, a lost connection

    @property
    def project(self) -> Project:
        assert self.ctx is not None
        return self.ctx.project

    # -- project ---------------------------------------------------------------------
    def set_project(self, project: Project) -> None:
        if self.ctx is not None:
            self._save_project_state()
            live_ui.detach(self)
            old = self.ctx
            old.undo_stack.clear()
            old.project.close()
            old.deleteLater()
        self.ctx = ctx = Context(project, self)
        self._project_name = project.name
        ctx.codings_changed.connect(self._codings_changed)
        ctx.coding_added.connect(self._coding_added)
        ctx.coding_removed.connect(self._coding_removed)
        ctx.coding_updated.connect(self._coding_updated)
        ctx.codebook_changed.connect(self.refresh_codebook)
        ctx.documents_changed.connect(self.refresh_documents)
        ctx.document_changed.connect(self._document_changed)
        ctx.coder_changed.connect(self._update_status)
        ctx.filter_changed.connect(self._filter_changed)
        ctx.error.connect(self.prompts.error)
        self.codebook_ui.attach(ctx)
        menus.connect_undo(self, ctx.undo_stack)
        self.document_id = None
        self.viewer.set_text("")
        self._lists_counted: object = "unread"  # the lists are read once the view is known
        key = project_key(project.path)
        coder = self.settings.value(f"projects/{key}/coder", "", str)
        me = server_team.identity(project) if project.is_server else None
        if me is not None and me.coder is not None:
            # a team server knows who connected (the database role): that is the coder
            coder = me.coder.name
        elif not coder:
            known = [c.name for c in coders.list_coders(project)]
            coder = (
                self.prompts.ask_coder(known, known[0] if known else _default_coder())
                or _default_coder()
            )
        if ctx.set_coder(coder) is None:
            ctx.set_view(ALL)  # nothing is "mine" in a file this coder cannot write to
        else:
            self.settings.setValue(f"projects/{key}/coder", coder)
            mode = self.settings.value(f"projects/{key}/view", MINE, str)
            ctx.set_view(mode if mode in (MINE, ALL, CHOSEN) else MINE)
        self._refresh_counted_lists()
        menus.remember_recent(self, project.path)
        self.setWindowTitle(f"{project.name} — Tessera")
        last = self.settings.value(f"projects/{key}/document", 0, int)
        docs = self.documents_panel.model
        if last and docs.row_of(last) >= 0:
            self.documents_panel.select(last)
        elif docs.rowCount():
            self.documents_panel.select(docs.document(0).id)
        self._update_status()
        self.viewer.setFocus()
        self.project_opened.emit(project)

    def switch_coder(self) -> None:
        me = server_team.identity(self.project) if self.project.is_server else None
        if me is not None and me.coder is not None:
            self.prompts.error(
                f"On this team server you code as {me.coder.name} (you connected as the "
                f"database role {me.role}). To code as someone else, open the project "
                "with their login."
            )
            return
        known = [c.name for c in coders.list_coders(self.project)]
        name = self.prompts.ask_coder(known, self.ctx.coder.name if self.ctx.coder else "")
        if name:
            self.ctx.set_coder(name)
            self.settings.setValue(f"projects/{project_key(self.project.path)}/coder", name)
            self.refresh_coders()

    def set_view(self, mode: str) -> None:
        chosen = None
        if mode == CHOSEN:
            chosen = self.prompts.choose_coders(
                coders.list_coders(self.project), self.ctx.chosen_coders
            )
            if chosen is None:
                menus.sync_view(self)
                return
        self.ctx.set_view(mode, chosen)
        self.settings.setValue(f"projects/{project_key(self.project.path)}/view", mode)

    # -- status bar ------------------------------------------------------------------
    def _update_status(self) -> None:
        if self.ctx is None:
            return
        self.status_project.setText(f"<b>{_esc(self._project_name)}</b>")
        coder = self.ctx.coder
        mode = {MINE: "my codings", ALL: "all coders", CHOSEN: "chosen coders"}[self.ctx.view_mode]
        link = (
            f"<a href='coder' style='color:{theme.current().ink}; font-weight:600'>"
            f"{_esc(coder.name)}</a>"
            if coder
            else ""
        )
        if coder is None and self.ctx.reader:
            self.status_coder.setText(
                f"Reading as {_esc(self.ctx.reader)}, not a coder of this project "
                f"(it cannot be written to) · showing {mode}"
            )
        else:
            self.status_coder.setText(f"Coder: {link} · showing {mode}" if coder else "")
        n_docs = self.documents_panel.model.rowCount()
        shown = len(self.codings_by_id)
        whose = {MINE: "yours", ALL: "all coders'", CHOSEN: "chosen coders'"}[self.ctx.view_mode]
        self.status_counts.setText(
            f"{wording.count(n_docs, 'document')} · {wording.count(len(self.codes), 'code')} · "
            f"{wording.count(shown, 'coding')} in this document ({whose})"
        )
        self.status_counts.setToolTip(
            "The codings counted here are those the view shows (Coders menu); the Documents "
            "list and the codebook count every coder's codings."
        )

    # -- documents -------------------------------------------------------------------
    def open_document(self, document_id: int) -> None:
        if document_id == self.document_id:
            return
        text = documents.get_text(self.project, document_id)  # (may be refused: then
        pages = documents.get_pages(self.project, document_id)  # nothing changes)
        self.document_id = document_id
        self.find_bar.reset()
        self._pages = pages
        self._page_starts = [a for a, _b in self._pages]
        self.viewer.set_text(text, self._pages)
        info = self.documents_panel.model.info(document_id)
        self.doc_title.setText((info.title or info.name) if info else "")
        self.status_page.setText(f"{len(self._pages)} pages" if self._pages else "")
        self.refresh_codings()
        self.settings.setValue(f"projects/{project_key(self.project.path)}/document", document_id)

    def show_passage(self, document_id: int, start: int, end: int) -> None:
        self.open_document(document_id)
        self.viewer.select_range(start, end)
        self.raise_()
        self.activateWindow()

    def show_document(self, document_id: int) -> None:
        self.documents_panel.select(document_id)  # opens it, unless the list hides it
        self.open_document(document_id)
        self.raise_()
        self.activateWindow()

    def select_code(self, code_id: int) -> None:
        view = self.codebook_panel.view
        if not view.index_of(code_id).isValid():  # the filter hides it
            self.codebook_panel.filter.clear()
        view.select_code(code_id)
        self.raise_()
        self.activateWindow()

    def show_coding(self, coding_id: int) -> None:
        """Scroll to a coding and select its text (from the panel or a margin stripe)."""
        c = self.codings_by_id.get(coding_id)
        if c is None:
            return
        self.viewer.selected_coding = coding_id
        self.viewer.select_range(c.start, c.end)
        self.codings_panel.select(coding_id)
        self.viewer.viewport().update()

    def _tooltip(self, span: Span) -> str:
        c = self.codings_by_id.get(span.coding_id)
        code, coder = self.codes.get(span.code_id), self.coders.get(span.coder_id)
        muted = theme.current().muted
        parts = [f"<b style='color:{span.color}'>■</b> <b>{_esc(code.path if code else '?')}</b>"]
        if coder:
            parts.append(f"<span style='color:{muted}'>coded by {_esc(coder.name)}</span>")
        if c and c.memo:
            parts.append(f"<i>{_esc(one_line(c.memo, 300))}</i>")
        if code and code.description:
            parts.append(
                f"<span style='color:{muted}'>{_esc(one_line(code.description, 300))}</span>"
            )
        return "<br>".join(parts)

    # -- import, drag and drop -----------------------------------------------------------
    def import_files(self, paths: list[str] | None = None) -> None:
        paths = paths if paths is not None else self.prompts.open_files()
        if not paths or self.importer.busy:
            return
        paths = [str(p) for p in paths]
        encodings: dict[str, str] = {}
        guessed = legacy_files(paths)
        if guessed:
            answer = self.prompts.choose_encodings(guessed)
            if answer is None:
                return
            encodings = answer
        self.importer.start(paths, encodings=encodings)

    def _import_done(self, report) -> None:
        self.refresh_documents()
        if report is not None and report.imported:  # the first new one, to start reading
            self.documents_panel.select(report.imported[0].id)

    def _show_summary(self, title: str, message: str, details: str) -> None:
        self.prompts.summary(title, message, details)

    def dragEnterEvent(self, e: QDragEnterEvent) -> None:
        if e.mimeData().hasUrls() and any(u.isLocalFile() for u in e.mimeData().urls()):
            e.acceptProposedAction()

    def dropEvent(self, e: QDropEvent) -> None:
        paths = [u.toLocalFile() for u in e.mimeData().urls() if u.isLocalFile()]
        if paths:
            e.acceptProposedAction()
            QTimer.singleShot(0, lambda: self.import_files(paths))

    # -- closing ---------------------------------------------------------------------
    def closeEvent(self, e: QCloseEvent) -> None:
        if self.importer.busy and self.importer.task is not None:
            self.importer.task.cancel()
            self.runner.wait(10_000)
        self.save_state()
        super().closeEvent(e)

    def shutdown(self) -> None:
        """Close the project (tests and app exit)."""
        self.runner.wait(10_000)
        live_ui.detach(self)
        if self.ctx is not None:
            self.ctx.undo_stack.clear()
            self.ctx.project.close()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _default_coder() -> str:
    import getpass

    try:
        return getpass.getuser() or "coder"
    except Exception:
        return "coder"
