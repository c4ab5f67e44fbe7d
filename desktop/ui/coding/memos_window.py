"""Documents > Memos: every memo of the project in one list (the journal's entries,
newest first, then the memos of documents, codes and codings) with what each belongs
to; a search box and a kind filter; the selected memo below, edited in place (Save, or
moving to another memo, stores it as one undoable step); Open shows what the memo is
about in the main window (the document, the code in the codebook, the coding in the
text); journal entries are added and deleted here; Export writes the memos shown as
Markdown, HTML or Word. In blind coding other coders' coding memos are not listed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop.core import wording
from desktop.services.coding import codings, memos
from desktop.services.coding.memos import MemoInfo
from desktop.services.errors import ServiceError
from desktop.services.teams import coders
from desktop.ui import a11y
from desktop.ui.coding import commands as ccmd
from desktop.ui.coding import memo_commands as mcmd
from desktop.ui.dialogs import fit_window, project_window
from desktop.ui.models import one_line

if TYPE_CHECKING:
    from desktop.ui.workbench.host import Workbench

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
KINDS = (("", "All memos"), ("journal", "Journal"), ("document", "Documents"),
         ("code", "Codes"), ("coding", "Codings"))  # fmt: skip
EXPORT_FILTER = "Markdown (*.md);;HTML (*.html);;Word (*.docx)"


def open_memos_window(w: Workbench, *, new_entry: bool = False) -> MemosWindow | None:
    """Open (or raise) the Memos window; ``new_entry``: with a new journal entry to write."""
    win = project_window(w, "memos_window", MemosWindow, lambda: MemosWindow(w),
                         lambda win: win.reload())  # fmt: skip
    if win is not None and new_entry:
        win.new_entry()
    return win


class MemoListModel(QAbstractTableModel):
    HEADERS = ("Kind", "About", "Title", "Date", "By", "Memo")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._all: list[MemoInfo] = []
        self._rows: list[MemoInfo] = []
        self._search, self._kind = "", ""

    def set_memos(self, items: list[MemoInfo]) -> None:
        self.beginResetModel()
        self._all = list(items)
        self._apply()
        self.endResetModel()

    def set_filter(self, search: str | None = None, kind: str | None = None) -> None:
        self.beginResetModel()
        if search is not None:
            self._search = search.strip().lower()
        if kind is not None:
            self._kind = kind
        self._apply()
        self.endResetModel()

    def _apply(self) -> None:
        rows = [x for x in self._all if not self._kind or x.kind == self._kind]
        if self._search:
            s = self._search
            rows = [x for x in rows
                    if s in x.text.lower() or s in x.title.lower() or s in x.about.lower()]  # fmt: skip
        self._rows = rows

    def memo(self, row: int) -> MemoInfo:
        return self._rows[row]

    def shown(self) -> list[MemoInfo]:
        return list(self._rows)

    def row_of(self, kind: str, owner_id: int) -> int:
        return next(
            (i for i, x in enumerate(self._rows) if x.kind == kind and x.owner_id == owner_id), -1
        )

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        x = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                x.kind, _about(x), x.title, x.at.strftime("%Y-%m-%d %H:%M") if x.at else "",
                x.author, one_line(x.text, 200),
            )[col]  # fmt: skip
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 1:
                return x.about
            if col == 5:
                return one_line(x.text, 600)
        return None


def _about(x: MemoInfo) -> str:
    """What the memo belongs to, without the kind the first column already says."""
    if x.kind == "journal":
        return "project journal"
    return x.about.split(" ", 1)[1] if " " in x.about else x.about


class MemosWindow(QMainWindow):
    def __init__(self, w: Workbench) -> None:
        super().__init__(w if isinstance(w, QWidget) else None)
        self.setWindowFlag(Qt.WindowType.Window)
        self.w, self.ctx = w, w.ctx
        self.setObjectName("memosWindow")
        self.setWindowTitle(f"Memos — {self.project.name}")
        self.current: MemoInfo | None = None
        self.writing_new = False  # the editor holds a journal entry not stored yet

        self.search = QLineEdit(placeholderText="Search the memos")
        self.search.setClearButtonEnabled(True)
        self.search.setObjectName("filterBox")
        a11y.name(self.search, "Search the memos")
        self.search.textChanged.connect(lambda t: self._refilter(search=t))
        self.kind = QComboBox()
        for key, label in KINDS:
            self.kind.addItem(label, key)
        a11y.name(self.kind, "Kind of memo")
        self.kind.currentIndexChanged.connect(
            lambda _i: self._refilter(kind=self.kind.currentData())
        )

        self.model = MemoListModel(self)
        self.view = QTableView()
        self.view.setObjectName("memoList")
        a11y.name(self.view, "Memos")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 10)
        header = self.view.horizontalHeader()
        for col, width in enumerate((80, 240, 140, 124, 90)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)  # the whole text is the tooltip
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        self.view.doubleClicked.connect(lambda _i: self.open_owner())
        a11y.tab_leaves(self.view)

        self.about = QLabel()
        self.about.setObjectName("panelTitle")
        self.about.setWordWrap(True)
        self.title = QLineEdit(placeholderText="Title of the journal entry (optional)")
        a11y.name(self.title, "Title of the journal entry")
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText("Select a memo above, or write a new journal entry")
        self.text.setTabChangesFocus(True)
        a11y.name(self.text, "Memo text")
        self.text.installEventFilter(self)
        self.title.installEventFilter(self)
        self.save_button = QPushButton("&Save")
        self.save_button.setToolTip("Store the memo (Ctrl+S); Edit > Undo takes it back")
        self.save_button.clicked.connect(self.save)
        self.open_button = QPushButton("&Open what it is about")
        self.open_button.setToolTip("Show the document, the code or the coding in the main window")
        self.open_button.clicked.connect(self.open_owner)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        editor = QWidget()
        ed_lay = QVBoxLayout(editor)
        ed_lay.setContentsMargins(0, 6, 0, 0)
        ed_lay.addWidget(self.about)
        ed_lay.addWidget(self.title)
        ed_lay.addWidget(self.text, 1)
        ed_lay.addLayout(buttons)

        bar = QToolBar("Memos")
        bar.setObjectName("memosToolbar")
        bar.setMovable(False)
        undo = self.ctx.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcuts([QKeySequence("Ctrl+Z")])
        redo = self.ctx.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for a in (undo, redo):
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            bar.addAction(a)
        bar.addSeparator()
        self.new_action = bar.addAction("&New journal entry", self.new_entry)
        self.new_action.setShortcut(QKeySequence("Ctrl+N"))
        self.delete_action = bar.addAction("&Delete entry…", self.delete_entry)
        self.delete_action.setToolTip("Delete the selected journal entry")
        bar.addSeparator()
        self.export_action = bar.addAction("&Export…", self.export)
        self.export_action.setToolTip("Save the memos shown as Markdown, HTML or Word")
        save = self.addAction("Save memo")
        save.setShortcut(QKeySequence.StandardKey.Save)
        save.triggered.connect(self.save)
        a11y.name_toolbar(bar)
        self.addToolBar(bar)

        top = QHBoxLayout()
        top.addWidget(self.search, 3)
        top.addWidget(self.kind, 1)
        self.count = QLabel()
        self.count.setObjectName("hint")
        split = QSplitter(Qt.Orientation.Vertical)
        split.setChildrenCollapsible(False)
        split.addWidget(self.view)
        split.addWidget(editor)
        split.setSizes([330, 260])
        centre = QWidget()
        lay = QVBoxLayout(centre)
        lay.setContentsMargins(8, 6, 8, 6)
        lay.addLayout(top)
        lay.addWidget(split, 1)
        lay.addWidget(self.count)
        self.setCentralWidget(centre)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.reload)
        for signal in (self.ctx.memos_changed, self.ctx.codebook_changed,
                       self.ctx.documents_changed, self.ctx.document_changed,
                       self.ctx.coding_updated, self.ctx.codings_changed,
                       self.ctx.coding_removed):  # fmt: skip
            signal.connect(lambda *_: self._later())
        w.project_opened.connect(self._project_opened)
        self.reload()
        self._show(None)
        fit_window(self, "memos", QSize(1000, 680))

    def _project_opened(self, _project) -> None:
        """Another project is open in the main window: this window showed the last one
        (what was typed here was stored when the focus left the memo)."""
        if self.w.ctx is not self.ctx:
            self._stored = (self.title.text(), self.text.toPlainText())
            self.close()

    def eventFilter(self, obj, e) -> bool:
        # leaving the memo (for another window, a menu, a button) stores it, as moving to
        # another memo does: nothing typed is lost if the project is then closed
        if e.type() == QEvent.Type.FocusOut and obj in (self.text, self.title):
            QTimer.singleShot(0, self, lambda: self._dirty() and self.save())
        return False

    @property
    def project(self):
        return self.ctx.project

    # -- the list ------------------------------------------------------------------------
    def _later(self) -> None:
        """Something a memo shows changed: read them again once control returns (only
        while the window is open; opening reads them anyway)."""
        if self.isVisible():
            self._timer.start()

    def reload(self) -> None:
        keep = (self.current.kind, self.current.owner_id) if self.current else None
        items = memos.list_memos(self.project)
        self.ctx.refresh_blind()
        if self.ctx.blind_ids is not None:  # blind coding: only the codings' memos she may see
            names = {c.name for c in coders.list_coders(self.project) if c.id in self.ctx.blind_ids}
            items = [x for x in items if x.kind != "coding" or x.author in names]
        self.view.selectionModel().blockSignals(True)
        self.model.set_memos(items)
        self.view.selectionModel().blockSignals(False)
        self._reselect(keep)
        self._update_count()

    def _refilter(self, **kw) -> None:
        keep = (self.current.kind, self.current.owner_id) if self.current else None
        self.view.selectionModel().blockSignals(True)
        self.model.set_filter(**kw)
        self.view.selectionModel().blockSignals(False)
        self._reselect(keep)
        self._update_count()

    def _reselect(self, keep) -> None:
        row = self.model.row_of(*keep) if keep else -1
        if row >= 0:
            self.view.selectionModel().blockSignals(True)
            self.view.selectRow(row)
            self.view.selectionModel().blockSignals(False)
            self.current = self.model.memo(row)
            if not self._dirty():
                self._show(self.current)
        elif not self.writing_new and not self._dirty():
            self._show(None)

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), len(self.model._all)
        self.count.setText(wording.count(total, "memo") if shown == total
                           else f"{shown} of {wording.count(total, 'memo')} shown")  # fmt: skip

    def select(self, kind: str, owner_id: int) -> bool:
        row = self.model.row_of(kind, owner_id)
        if row >= 0:
            self.view.selectRow(row)
        return row >= 0

    # -- the editor ----------------------------------------------------------------------
    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._dirty():
            self.save()  # moving on stores what was written (one undo step)
        self.writing_new = False
        self.current = self.model.memo(current.row()) if current.isValid() else None
        self._show(self.current)

    def _show(self, x: MemoInfo | None) -> None:
        journal = self.writing_new or (x is not None and x.kind == "journal")
        self.title.setVisible(journal)
        if self.writing_new:
            self.about.setText("New journal entry")
            self.title.setText("")
            self.text.setPlainText("")
        elif x is None:
            self.about.setText("")
            self.title.setText("")
            self.text.setPlainText("")
        else:
            if x.kind == "journal":
                when = f" of {x.at:%Y-%m-%d %H:%M}" if x.at else ""
                self.about.setText(f"Journal entry{when}{' by ' + x.author if x.author else ''}")
            else:
                self.about.setText(x.about)
            self.about.setToolTip(x.about)
            self.title.setText(x.title)
            self.text.setPlainText(x.text)
        self._stored = (self.title.text(), self.text.toPlainText())
        editable = self.writing_new or x is not None
        self.text.setReadOnly(not editable)
        self.save_button.setEnabled(editable)
        self.open_button.setEnabled(x is not None and x.kind != "journal" and not self.writing_new)
        self.delete_action.setEnabled(
            x is not None and x.kind == "journal" and not self.writing_new
        )

    def _dirty(self) -> bool:
        stored = getattr(self, "_stored", ("", ""))
        return (self.title.text(), self.text.toPlainText()) != stored and (
            self.writing_new or self.current is not None
        )

    def new_entry(self) -> None:
        if self._dirty():
            self.save()
        self.view.selectionModel().blockSignals(True)
        self.view.clearSelection()
        self.view.setCurrentIndex(QModelIndex())
        self.view.selectionModel().blockSignals(False)
        self.current = None
        self.writing_new = True
        self._show(None)
        self.text.setFocus()

    def save(self) -> bool:
        """Store the memo in the editor (one undoable step)."""
        if not self._dirty():
            return False
        title, text = self.title.text().strip(), self.text.toPlainText()
        ctx, x = self.ctx, self.current
        if self.writing_new:
            if not text.strip() and not title:
                return False
            command = mcmd.AddJournalEntry(ctx, text, title)
        elif x.kind == "journal":
            command = mcmd.EditJournalEntry(ctx, x.owner_id, text, title)
        elif x.kind == "document":
            from desktop.ui.documents.commands import SetDocumentMemo

            command = SetDocumentMemo(ctx, x.owner_id, text)
        elif x.kind == "code":
            command = ccmd.UpdateCode(ctx, x.owner_id, memo=text)
        else:
            try:
                coding = codings.get_coding(self.project, x.owner_id)
            except ServiceError as exc:
                self.w.prompts.error(str(exc))
                return False
            command = ccmd.SetMemo(ctx, coding, text)
        self._stored = (self.title.text(), self.text.toPlainText())
        if not ctx.run(command):
            return False
        if self.writing_new:
            self.writing_new = False
            self.reload()
            self.select("journal", command.entry_id)
        a11y.announce(self, "Memo saved · Ctrl+Z takes it back")
        return True

    def delete_entry(self) -> bool:
        x = self.current
        if x is None or x.kind != "journal":
            return False
        what = f"“{x.title}”" if x.title else f"of {x.at:%Y-%m-%d %H:%M}" if x.at else ""
        if not self.w.prompts.confirm("Delete journal entry", f"Delete the journal entry {what}?"):
            return False
        self._stored = (self.title.text(), self.text.toPlainText())  # not saved on the way out
        self.current = None
        return self.ctx.run(mcmd.DeleteJournalEntry(self.ctx, x.owner_id))

    # -- what a memo is about ----------------------------------------------------------------
    def open_owner(self) -> bool:
        x = self.current
        if x is None or x.kind == "journal":
            return False
        w = self.w
        if x.kind == "document":
            w.show_document(x.owner_id)
        elif x.kind == "code":
            w.select_code(x.owner_id)
        else:
            try:
                c = codings.get_coding(self.project, x.owner_id)
            except ServiceError as exc:
                w.prompts.error(str(exc))
                return False
            w.show_passage(c.document_id, c.start, c.end)
            w.show_coding(c.id)
        return True

    def export(self) -> int:
        shown = self.model.shown()
        if not shown:
            self.w.prompts.error("There are no memos to export (the search shows none).")
            return 0
        path = self.w.prompts.save_path("Export memos", "memos.md", EXPORT_FILTER)
        if not path:
            return 0
        try:
            n = memos.export_memos(shown, path, title=f"Memos — {self.project.name}")
        except ServiceError as exc:
            self.w.prompts.error(str(exc))
            return 0
        a11y.announce(self, f"Exported {wording.count(n, 'memo')} to {path}")
        self.w.export_done.emit(path)
        return n

    def closeEvent(self, e) -> None:
        if self._dirty():
            self.save()
        super().closeEvent(e)
