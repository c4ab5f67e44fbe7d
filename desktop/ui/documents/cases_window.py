"""Documents > Cases and sets: the cases of the study (an interviewee, an event, an
outlet) as rows with their own attributes as columns, edited in place, and below them
the documents of the selected case; a second tab lists the sets with their documents and
codes. Documents are added by dragging them from the documents list onto a case (or a
set), or from the documents' right-click menu; every change is one undoable step on the
project's undo stack (Ctrl+Z here or in the main window)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QPushButton,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop.core import wording
from desktop.services.documents import attributes, cases, documents
from desktop.services.documents.cases import CaseInfo
from desktop.ui import a11y
from desktop.ui.dialogs import ReloadWhenShown, fit_window, project_window
from desktop.ui.documents import commands as dcmd
from desktop.ui.documents.attribute_dialog import AttributeDialog
from desktop.ui.documents.dragging import DropRowsModel, drop_target
from desktop.ui.documents.sets_tab import SetsTab
from desktop.ui.documents.table_model import Column, attribute_label
from desktop.ui.documents.table_window import CellDelegate, ClearingTable
from desktop.ui.models import ID_ROLE

if TYPE_CHECKING:
    from desktop.ui.documents.actions import DocumentActions
    from desktop.ui.workbench.host import Workbench

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
SHORTCUT = "Ctrl+Shift+E"


def open_cases_window(w: Workbench, actions: DocumentActions, tab: str = "cases"):
    """Open (or raise) the Cases and sets window of the open project, on ``tab``."""
    win = project_window(w, "cases_window", CasesWindow, lambda: CasesWindow(w, actions),
                         lambda win: None if win.isVisible() else win.reload())  # fmt: skip
    if win is not None:
        win.tabs.setCurrentIndex(1 if tab == "sets" else 0)
    return win


class CaseTableModel(DropRowsModel):
    """One row per case: its name, how many documents it holds, its attribute values.
    Edits go to the window (undoable commands); documents dropped on a row join it."""

    def __init__(self, window: CasesWindow) -> None:
        super().__init__(window, lambda case, ids: window.add_documents(case.name, ids))
        self.win = window
        self.columns: list[Column] = []
        self.rows: list[CaseInfo] = []

    def load(self, rows: list[CaseInfo], attrs: list[attributes.AttributeInfo]) -> None:
        self.beginResetModel()
        self.columns = [Column("name", "Case", "name"), Column("documents", "Documents", "count"),
                        *(Column(f"attr:{a.id}", attribute_label(a), a.type, a)
                          for a in attrs)]  # fmt: skip
        self.rows = list(rows)
        self.endResetModel()

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            col = self.columns[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return col.title
            if role == Qt.ItemDataRole.ToolTipRole:
                a = col.attribute
                return f"{col.title} ({a.type}{': ' + ', '.join(a.choices) if a.choices else ''})" if a else col.title  # fmt: skip
        return None

    def _value(self, c: CaseInfo, col: Column) -> str:
        if col.key == "name":
            return c.name
        if col.key == "documents":
            return str(len(c.documents))
        return c.values.get(col.attribute.name, "") if col.attribute else ""

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        c, col = self.rows[index.row()], self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._value(c, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col.key in ("name", "documents"):
                return f"{c.name}: {wording.count(len(c.documents), 'document')}"
            value = self._value(c, col)
            return f"{col.title}: {value}" if value else None
        if role == ID_ROLE:
            return c.id
        if role == Qt.ItemDataRole.TextAlignmentRole and col.kind in (
            "count",
            "integer",
            "decimal",
        ):
            return _RIGHT
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = super().flags(index) | Qt.ItemFlag.ItemIsDropEnabled
        if self.columns[index.column()].editable:
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def setData(self, index: _Index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        return self.win.edit(self.rows[index.row()], self.columns[index.column()], value)


class CasesWindow(QMainWindow):
    def __init__(self, w: Workbench, actions: DocumentActions) -> None:
        super().__init__(w if isinstance(w, QWidget) else None)
        self.setWindowFlag(Qt.WindowType.Window)
        self.w, self.actions, self.ctx = w, actions, w.ctx
        self.setObjectName("casesWindow")
        self.setWindowTitle(f"Cases and sets — {self.ctx.project.name}")
        self.attribute_dialog: AttributeDialog | None = None
        self.names: dict[int, str] = {}  # document id -> name
        self.reloading = ReloadWhenShown(self, self.reload)

        bar = QToolBar("Cases")
        bar.setObjectName("casesToolbar")
        bar.setMovable(False)
        self.undo_action = self.ctx.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcuts([QKeySequence("Ctrl+Z")])
        self.redo_action = self.ctx.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for a in (self.undo_action, self.redo_action):
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            bar.addAction(a)
        bar.addSeparator()
        self.new_case_action = bar.addAction("&New case…", self.new_case)
        self.new_case_action.setToolTip("A case: an interviewee, an event, an outlet…")
        self.rename_action = bar.addAction("Re&name case…", lambda: self.rename_case())
        self.delete_action = bar.addAction("&Delete case…", lambda: self.delete_case())
        bar.addSeparator()
        self.new_attribute_action = bar.addAction("New case &attribute…", self.new_attribute)
        self.new_attribute_action.setToolTip("Define an attribute every case can have a value of")
        a11y.name_toolbar(bar)
        self.addToolBar(bar)

        # the cases, with their attributes
        self.model = CaseTableModel(self)
        self.view = ClearingTable(self.clear_current_value)
        self.view.setObjectName("casesTable")
        a11y.name(self.view, "Cases", "Drop documents on a case to add them to it")
        self.view.setModel(self.model)
        self.view.setItemDelegate(CellDelegate(self.view))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        drop_target(self.view)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(
            lambda pos: self.header_menu(header.logicalIndexAt(pos)).exec(header.mapToGlobal(pos))
        )
        a11y.tab_leaves(self.view)
        hint = QLabel("Drag documents from the documents list onto a case to add them; "
                      "double-click a cell (or type) to edit it; Delete clears a value.")  # fmt: skip
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        self.count = QLabel()
        self.count.setObjectName("hint")

        # the documents of the selected case
        self.members_label = QLabel()
        self.members_label.setWordWrap(True)
        self.members = QListWidget()
        self.members.setObjectName("caseDocuments")
        self.members.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.members.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.members.itemActivated.connect(lambda item: self.actions.open(item.data(ID_ROLE)))
        self.members_label.setBuddy(self.members)
        a11y.name(self.members, "Documents of the case", "Enter opens a document")
        a11y.tab_leaves(self.members)
        self.remove_button = QPushButton("&Remove from case")
        self.remove_button.setToolTip("Take the selected documents out of the case (Delete)")
        self.remove_button.clicked.connect(self.remove_selected)
        remove_key = QShortcut(QKeySequence(Qt.Key.Key_Delete), self.members)
        remove_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        remove_key.activated.connect(self.remove_selected)

        top = QWidget()
        top_lay = QVBoxLayout(top)
        top_lay.setContentsMargins(0, 0, 0, 0)
        top_lay.addWidget(hint)
        top_lay.addWidget(self.view, 1)
        top_lay.addWidget(self.count)
        bottom = QWidget()
        bottom_lay = QVBoxLayout(bottom)
        bottom_lay.setContentsMargins(0, 0, 0, 0)
        bottom_lay.addWidget(self.members_label)
        bottom_lay.addWidget(self.members, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        bottom_lay.addLayout(buttons)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setObjectName("casesSplit")
        split.setChildrenCollapsible(False)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setSizes([320, 220])
        cases_tab = QWidget()
        lay = QVBoxLayout(cases_tab)
        lay.setContentsMargins(8, 6, 8, 6)
        lay.addWidget(split)

        self.sets_tab = SetsTab(self)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("casesTabs")
        a11y.name(self.tabs, "Cases and sets")
        self.tabs.addTab(cases_tab, "&Cases")
        self.tabs.addTab(self.sets_tab, "&Sets")
        self.setCentralWidget(self.tabs)

        for signal in (self.ctx.study_changed, self.ctx.documents_changed,
                       self.ctx.document_changed, self.ctx.codebook_changed):  # fmt: skip
            signal.connect(self.reloading.later)
        w.project_opened.connect(self._project_opened)
        self.view.selectionModel().currentChanged.connect(lambda *_: self._show_members())
        self.reload()
        fit_window(self, "casesWindow", QSize(980, 640))

    @property
    def project(self):
        return self.ctx.project

    @property
    def settings(self):
        return self.w.settings

    def _project_opened(self, _project) -> None:
        if self.w.ctx is not self.ctx:
            self.close()

    # -- loading -------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the cases, sets and document names again, keeping the current cell."""
        self.reloading.stale = False
        current = self.view.currentIndex()
        keep = (current.data(ID_ROLE), current.column()) if current.isValid() else None
        p = self.project
        self.names = {d.id: d.name for d in documents.list_documents(p)}
        columns_before = [c.key for c in self.model.columns]
        self.model.load(cases.list_cases(p), attributes.list_attributes(p, "case"))
        if [c.key for c in self.model.columns] != columns_before:
            self._size_columns()
        row = self.model.row_of(keep[0]) if keep else -1
        if row < 0 and self.model.rows:
            row = 0
        if row >= 0:
            col = keep[1] if keep and keep[1] < self.model.columnCount() else 0
            self.view.setCurrentIndex(self.model.index(row, col))
        n = len(self.model.rows)
        attrs = len(self.model.columns) - 2
        self.count.setText(f"{wording.count(n, 'case')} · {wording.count(attrs, 'case attribute')}")
        self._show_members()
        self.sets_tab.reload()

    def _size_columns(self) -> None:
        header = self.view.horizontalHeader()
        fm = header.fontMetrics()
        # the names get the room they need, up to a third of a 1024 px window (longer
        # ones are elided in the middle, whole in their tooltips)
        cells = self.view.fontMetrics()
        longest = max((cells.horizontalAdvance(r.name) for r in self.model.rows), default=0)
        for i, c in enumerate(self.model.columns):
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
            width = {"name": min(max(220, longest + 24), 340), "count": 90}.get(c.kind, 140)
            header.resizeSection(i, max(width, fm.horizontalAdvance(c.title) + 30))
        header.setStretchLastSection(False)

    def current_case(self) -> CaseInfo | None:
        idx = self.view.currentIndex()
        return self.model.rows[idx.row()] if idx.isValid() else None

    def _show_members(self) -> None:
        case = self.current_case()
        self.members.clear()
        self.remove_button.setEnabled(case is not None and bool(case.documents))
        self.rename_action.setEnabled(case is not None)
        self.delete_action.setEnabled(case is not None)
        if case is None:
            self.members_label.setText("No case yet: New case… makes one.")
            return
        n = len(case.documents)
        self.members_label.setText(f"&Documents in “{case.name}” ({n:,})")
        self.members_label.setToolTip(case.name)
        for did in sorted(case.documents, key=lambda d: self.names.get(d, "").lower()):
            name = self.names.get(did, f"document {did}")
            item = QListWidgetItem(name)
            item.setData(ID_ROLE, did)
            item.setToolTip(name)
            self.members.addItem(item)

    # -- cases -----------------------------------------------------------------------------
    def new_case(self) -> bool:
        name = self.w.prompts.ask_text(
            "New case", "Name of the case (an interviewee, an event, an outlet):"
        )
        if not name or not name.strip():
            return False
        if not self.ctx.run(dcmd.AddCase(self.ctx, name)):
            return False
        self.reload()
        row = next((i for i, c in enumerate(self.model.rows)
                    if c.name.lower() == name.strip().lower()), -1)  # fmt: skip
        if row >= 0:
            self.view.setCurrentIndex(self.model.index(row, 0))
        return True

    def rename_case(self, case: CaseInfo | None = None) -> bool:
        case = case or self.current_case()
        if case is None:
            return False
        new = self.w.prompts.ask_text("Rename case", f"New name of “{case.name}”:", case.name)
        if not new or not new.strip() or new.strip() == case.name:
            return False
        return self.ctx.run(dcmd.RenameCase(self.ctx, case.name, new))

    def delete_case(self, case: CaseInfo | None = None) -> bool:
        """Delete a case after saying how many documents it held (they stay)."""
        case = case or self.current_case()
        if case is None:
            return False
        n = len(case.documents)
        held = (f" It holds {wording.count(n, 'document')}; "
                f"{wording.plural(n, 'it stays', 'they stay')} in the project.") if n else ""  # fmt: skip
        if not self.w.prompts.confirm(
            "Delete case", f"Delete the case “{case.name}” and its values?{held} "
            "Edit > Undo brings it back."):  # fmt: skip
            return False
        if not self.ctx.run(dcmd.DeleteCase(self.ctx, case.name)):
            return False
        self.w.show_message(f"Deleted the case “{case.name}” · Edit > Undo (Ctrl+Z) brings it back",
                            10_000)  # fmt: skip
        return True

    def edit(self, case: CaseInfo, col: Column, value: object) -> bool:
        """A cell was edited (the model asks): one undoable command."""
        if col.key == "name":
            text = str(value or "").strip()
            if not text:
                self.w.prompts.error("A case needs a name.")
                return False
            if text == case.name:
                return False
            return self.ctx.run(dcmd.RenameCase(self.ctx, case.name, text))
        if col.attribute is None:
            return False
        return self.ctx.run(dcmd.SetCaseValues(self.ctx, case.name, {col.attribute.name: value}))

    def clear_current_value(self) -> bool:
        idx = self.view.currentIndex()
        case = self.current_case()
        col = self.model.columns[idx.column()] if idx.isValid() else None
        if case is None or col is None or col.attribute is None or not idx.data():
            return False
        return self.ctx.run(dcmd.SetCaseValues(self.ctx, case.name, {col.attribute.name: None}))

    def add_documents(self, case_name: str, ids: list[int]) -> bool:
        """Documents dropped on a case join it (one undoable step)."""
        return self.ctx.run(dcmd.ChangeCase(self.ctx, case_name, ids))

    def remove_selected(self) -> bool:
        case = self.current_case()
        ids = [item.data(ID_ROLE) for item in self.members.selectedItems()]
        if case is None or not ids:
            return False
        return self.ctx.run(dcmd.ChangeCase(self.ctx, case.name, ids, add=False))

    # -- case attributes -------------------------------------------------------------------
    def new_attribute(self) -> AttributeDialog:
        dlg = self._dialog(AttributeDialog(self, scope="case"))

        def define() -> None:
            name, kind, choices = dlg.value()
            self.ctx.run(dcmd.AddAttribute(self.ctx, name, kind, choices, scope="case"))

        dlg.accepted.connect(define)
        dlg.open()
        return dlg

    def edit_choices(self, name: str) -> AttributeDialog:
        from desktop.ui.documents.attribute_dialog import open_choices_dialog

        return open_choices_dialog(self, name, "case")

    def _dialog(self, dlg: AttributeDialog) -> AttributeDialog:
        if self.attribute_dialog is not None:
            self.attribute_dialog.close()
        self.attribute_dialog = dlg
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.finished.connect(
            lambda *_: setattr(self, "attribute_dialog", None)
            if self.attribute_dialog is dlg else None
        )  # fmt: skip
        return dlg

    def header_menu(self, column: int) -> QMenu:
        menu = QMenu(self)
        menu.addAction("&New case attribute…", self.new_attribute)
        col = self.model.columns[column] if 0 <= column < len(self.model.columns) else None
        a = col.attribute if col is not None else None
        if a is not None:
            menu.addSeparator()
            if a.type == "choice":
                menu.addAction(f"Edit &choices of “{a.name}”…", lambda: self.edit_choices(a.name))
            menu.addAction(f"&Rename “{a.name}”…", lambda: self.rename_attribute(a.name))
            menu.addAction(f"&Delete “{a.name}”…", lambda: self.delete_attribute(a.name))
        return menu

    def rename_attribute(self, name: str) -> bool:
        new = self.w.prompts.ask_text("Rename case attribute", f"New name of “{name}”:", name)
        if not new or not new.strip() or new.strip() == name:
            return False
        return self.ctx.run(dcmd.RenameAttribute(self.ctx, name, new, "case"))

    def delete_attribute(self, name: str) -> bool:
        n = sum(1 for c in self.model.rows if name in c.values)
        goes = f" and its values in {wording.count(n, 'case')}" if n else ""
        if not self.w.prompts.confirm(
            "Delete case attribute", f"Delete the case attribute “{name}”{goes}? Edit > Undo "
            "brings them back."):  # fmt: skip
            return False
        return self.ctx.run(dcmd.DeleteAttribute(self.ctx, name, "case"))
