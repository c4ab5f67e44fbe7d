"""Documents > Documents table: every document as a row, every attribute as a column
(built-in title, author, date, source and url first), with its codings, sets and case.
Sort by any column, filter by text over all cells, by set, or by a condition
("outlet = Reuters and date in 2018"); edit a cell in place with its attribute's type
(a list for a choice, a check box for yes/no, a checked date or number); each edit is
one undoable step on the project's undo stack (Ctrl+Z here or in the main window). A
value the attribute refuses is not stored and the message says why."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QStyledItemDelegate,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop.core import wording
from desktop.services.documents import table as table_svc
from desktop.services.documents.filter import DocumentFilter
from desktop.services.errors import ServiceError
from desktop.ui import a11y
from desktop.ui.codebook.field_editor import editor_for, raw_value
from desktop.ui.dialogs import ReloadWhenShown, fit_window, project_window
from desktop.ui.documents import commands as dcmd
from desktop.ui.documents.attribute_dialog import AttributeDialog
from desktop.ui.documents.table_model import Column, DocumentTableModel
from desktop.ui.models import ID_ROLE

if TYPE_CHECKING:
    from desktop.ui.documents.actions import DocumentActions
    from desktop.ui.workbench.host import Workbench

HEADER_KEY = "documentsTable/header"
WIDTHS = {"name": 220, "text": 150, "date": 104, "integer": 84, "decimal": 90, "boolean": 84,
          "choice": 130, "codings": 76, "sets": 150, "cases": 140}  # fmt: skip
ALL_SETS = "All documents"


def open_documents_window(w: Workbench, actions: DocumentActions) -> DocumentsWindow | None:
    """Open (or raise) the Documents table of the open project."""
    return project_window(w, "documents_window", DocumentsWindow,
                          lambda: DocumentsWindow(w, actions),
                          lambda win: None if win.isVisible() else win.reload())  # fmt: skip


class CellDelegate(QStyledItemDelegate):
    """Editors by attribute type: a list for a choice, a validated line for a number or
    a date (the service checks it again), plain text otherwise. Yes/no cells are check
    boxes and need no editor."""

    def createEditor(self, parent, option, index):
        col: Column = index.model().columns[index.column()]
        if col.attribute is None:
            return super().createEditor(parent, option, index)
        ed = editor_for(col.attribute, index.data(Qt.ItemDataRole.EditRole) or None)
        ed.setParent(parent)
        a11y.name(ed, col.title)
        return ed

    def initStyleOption(self, option, index) -> None:
        super().initStyleOption(option, index)
        if index.column() == 0:  # names: both ends stay readable (deraa-…-fail.txt)
            option.textElideMode = Qt.TextElideMode.ElideMiddle

    def setEditorData(self, editor, index) -> None:
        if isinstance(editor, QComboBox):
            value = index.data(Qt.ItemDataRole.EditRole) or ""
            i = editor.findText(value) if value else 0
            editor.setCurrentIndex(max(0, i))
            return
        super().setEditorData(editor, index)

    def setModelData(self, editor, model, index) -> None:
        col: Column = model.columns[index.column()]
        if col.attribute is None:
            super().setModelData(editor, model, index)
            return
        model.setData(index, raw_value(editor), Qt.ItemDataRole.EditRole)


class ClearingTable(QTableView):
    """A table where Delete or Backspace clears the selected attribute cells (one undo
    step): ``clear()`` is called when no cell is being edited."""

    def __init__(self, clear) -> None:
        super().__init__()
        self._clear = clear

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if e.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and (
            self.state() != QAbstractItemView.State.EditingState
        ):
            self._clear()
            return
        super().keyPressEvent(e)


class DocumentsWindow(QMainWindow):
    def __init__(self, w: Workbench, actions: DocumentActions) -> None:
        super().__init__(w if isinstance(w, QWidget) else None)
        self.setWindowFlag(Qt.WindowType.Window)
        self.w, self.actions, self.ctx = w, actions, w.ctx
        self.setObjectName("documentsWindow")
        self.setWindowTitle(f"Documents — {self.project.name}")
        self.model = DocumentTableModel(self)
        self.model.edit_requested = self.edit
        self.reloading = ReloadWhenShown(self, self.reload)
        self.attribute_dialog: AttributeDialog | None = None

        self.filter = QLineEdit(placeholderText="Filter: text in any column")
        self.filter.setClearButtonEnabled(True)
        self.filter.setObjectName("filterBox")
        a11y.name(
            self.filter, "Filter documents", "Shows the documents with this text in any column"
        )
        self.filter.textChanged.connect(self._filter_text)
        self.set_box = QComboBox()
        self.set_box.setObjectName("setFilter")
        a11y.name(self.set_box, "Set", "Shows only the documents of one set")
        self.set_box.setToolTip("Show only the documents of one set")
        self.set_box.currentIndexChanged.connect(self._filter_set)
        self.where = QLineEdit(placeholderText="Where: outlet = Reuters and date in 2018")
        self.where.setClearButtonEnabled(True)
        self.where.setObjectName("whereBox")
        self.where.setToolTip(
            "A condition on attributes, sets and cases (= != < <= > >= ~ in), joined with "
            "'and'; Enter applies it"
        )
        a11y.name(self.where, "Condition", self.where.toolTip())
        self.where.returnPressed.connect(self.apply_condition)
        self.where.textChanged.connect(lambda t: not t.strip() and self.apply_condition())
        self.count = QLabel()
        self.count.setObjectName("hint")
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.hide()

        self.view = ClearingTable(self.clear_selected_cells)
        self.view.setObjectName("documentsTable")
        a11y.name(self.view, "Documents table")
        self.view.setModel(self.model)
        self.view.setItemDelegate(CellDelegate(self.view))
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        vh = self.view.verticalHeader()
        vh.hide()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(self.view.fontMetrics().height() + 10)
        header = self.view.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._row_menu)
        self.view.activated.connect(self._activated)
        a11y.tab_leaves(self.view)
        a11y.context_menu_key(self)  # Shift+F10: the menu of the current row

        bar = QToolBar("Documents")
        bar.setObjectName("documentsToolbar")
        bar.setMovable(False)
        self.undo_action = ctx_undo = self.ctx.undo_stack.createUndoAction(self, "&Undo")
        ctx_undo.setShortcuts([QKeySequence("Ctrl+Z")])
        self.redo_action = ctx_redo = self.ctx.undo_stack.createRedoAction(self, "&Redo")
        ctx_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for a in (ctx_undo, ctx_redo):
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            bar.addAction(a)
        bar.addSeparator()
        self.new_attribute_action = bar.addAction("&New attribute…", self.new_attribute)
        self.new_attribute_action.setToolTip(
            "Define an attribute every document can have a value of"
        )
        self.set_from_shown_action = bar.addAction("Make a &set of these…", self.set_from_shown)
        self.set_from_shown_action.setToolTip("A new set holding the documents shown now")
        a11y.name_toolbar(bar)
        self.addToolBar(bar)

        filters = QHBoxLayout()
        filters.addWidget(self.filter, 2)
        filters.addWidget(self.set_box, 1)
        filters.addWidget(self.where, 3)
        centre = QWidget()
        lay = QVBoxLayout(centre)
        lay.setContentsMargins(8, 6, 8, 6)
        lay.addLayout(filters)
        lay.addWidget(self.problem)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.count)
        self.setCentralWidget(centre)

        ctx = self.ctx
        ctx.document_changed.connect(self._document_changed)
        ctx.documents_changed.connect(self.reloading.later)
        ctx.study_changed.connect(self.reloading.later)
        ctx.codings_changed.connect(self._codings_changed)
        ctx.coding_added.connect(lambda c: self.model.bump_codings(c.document_id, +1))
        ctx.coding_removed.connect(lambda c: self.model.bump_codings(c.document_id, -1))
        w.project_opened.connect(self._project_opened)
        self.reload()
        fit_window(self, "documentsTable", QSize(1180, 680))

    def _project_opened(self, _project) -> None:
        """Another project is open in the main window: this window showed the last one."""
        if self.w.ctx is not self.ctx:
            self.close()

    @property
    def project(self):
        return self.ctx.project

    # -- loading -----------------------------------------------------------------------
    def reload(self) -> None:
        """Read the table again, keeping the filters, the order and the current cell."""
        self.reloading.stale = False
        current = self.view.currentIndex()
        keep = (current.data(ID_ROLE), self.model.columns[current.column()].key) if (
            current.isValid()) else None  # fmt: skip
        header = self.view.horizontalHeader()
        if self.model.columns:
            self.settings.setValue(HEADER_KEY, header.saveState())
        table = table_svc.load_table(self.project)
        old_columns = [c.key for c in self.model.columns]
        self.model.set_table(table)
        if [c.key for c in self.model.columns] != old_columns:
            self._size_columns()
        self._fill_sets(table.sets)
        self._update_count()
        QTimer.singleShot(0, self, self.model.haystacks)  # the text filter's index, once idle
        if keep is not None:
            row, col = self.model.row_of(keep[0]), self.model.column_of(keep[1])
            if row >= 0 and col >= 0:
                self.view.setCurrentIndex(self.model.index(row, col))

    @property
    def settings(self):
        return self.w.settings

    def _size_columns(self) -> None:
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(48)
        fm = header.fontMetrics()
        for i, c in enumerate(self.model.columns):
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
            width = max(WIDTHS.get(c.kind, 140), fm.horizontalAdvance(c.title) + 30)
            header.resizeSection(i, width)
        saved = self.settings.value(HEADER_KEY)
        if isinstance(saved, QByteArray) and not saved.isEmpty():
            keys = self.settings.value(HEADER_KEY + "Columns", "", str)
            if keys == ",".join(c.key for c in self.model.columns):
                header.restoreState(saved)
        self.settings.setValue(HEADER_KEY + "Columns", ",".join(c.key for c in self.model.columns))

    def _fill_sets(self, names: dict[int, str]) -> None:
        chosen = self.set_box.currentData()
        self.set_box.blockSignals(True)
        self.set_box.clear()
        self.set_box.addItem(ALL_SETS, None)
        for sid, name in names.items():
            self.set_box.addItem(f"Set: {name}", sid)
        i = self.set_box.findData(chosen) if chosen is not None else 0
        self.set_box.setCurrentIndex(max(0, i))
        self.set_box.blockSignals(False)
        if chosen is not None and i < 0:
            self.model.set_set_filter(None)

    def _document_changed(self, document_id: int) -> None:
        if not self.isVisible():
            self.reloading.stale = True
            return
        attrs = tuple(c.attribute for c in self.model.attribute_columns())
        rows = table_svc.load_rows(self.project, [document_id], attrs)
        self.model.replace_rows(rows, gone=[document_id])
        self._update_count()

    def _codings_changed(self, document_id: int) -> None:
        if document_id:
            self._document_changed(document_id)
        else:
            self.reloading.later()

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), len(self.model.all_rows())
        attrs = len(self.model.attribute_columns())
        self.count.setText(
            (f"{wording.count(total, 'document')}" if shown == total
             else f"{shown:,} of {wording.count(total, 'document')} shown")
            + f" · {wording.count(attrs, 'attribute')}"
            + " · double-click a cell (or type) to edit it; Delete clears it"
        )  # fmt: skip

    # -- filters -------------------------------------------------------------------------
    def _filter_text(self, text: str) -> None:
        self.model.set_filter(text)
        self._update_count()

    def _filter_set(self, _i: int) -> None:
        self.model.set_set_filter(self.set_box.currentData())
        self._update_count()

    def apply_condition(self) -> bool:
        text = self.where.text().strip()
        ids = None
        if text:
            try:
                ids = DocumentFilter.parse(text).document_ids(self.project)
            except ServiceError as exc:
                self.problem.setText(f"Condition not applied: {exc}")
                self.problem.show()
                a11y.announce(self, self.problem.text())
                return False
        self.problem.hide()
        self.model.set_id_filter(ids)
        self._update_count()
        return True

    # -- editing -------------------------------------------------------------------------
    def edit(self, document_id: int, col: Column, value: object) -> bool:
        """A cell was edited (the model asks): one undoable command through the services."""
        ctx = self.ctx
        if col.key == "name":
            text = str(value or "").strip()
            if not text:
                self.w.prompts.error("A document needs a name.")
                return False
            return ctx.run(dcmd.RenameDocument(ctx, document_id, text))
        if col.attribute is None:
            return False
        return ctx.run(dcmd.SetValues(ctx, document_id, {col.attribute.name: value}))

    def clear_selected_cells(self) -> None:
        by_doc: dict[int, dict[str, None]] = {}
        for idx in self.view.selectionModel().selectedIndexes():
            col = self.model.columns[idx.column()]
            if col.attribute is not None and idx.data(Qt.ItemDataRole.EditRole):
                by_doc.setdefault(idx.data(ID_ROLE), {})[col.attribute.name] = None
        if not by_doc:
            return
        parts = [dcmd.SetValues(self.ctx, did, values) for did, values in by_doc.items()]
        n = sum(len(v) for v in by_doc.values())
        command = parts[0] if len(parts) == 1 else dcmd.Several(
            self.ctx, f"Clear {wording.count(n, 'value')}", parts)  # fmt: skip
        self.ctx.run(command)

    def selected_ids(self) -> list[int]:
        """The documents of the selected cells, current one first."""
        current = self.view.currentIndex().data(ID_ROLE)
        ids = {idx.data(ID_ROLE) for idx in self.view.selectionModel().selectedIndexes()}
        if current is not None:
            ids.add(current)
        return ([current] if current is not None else []) + sorted(ids - {current})

    def _activated(self, index) -> None:
        """Enter on a cell that cannot be edited opens the document."""
        if not self.model.columns[index.column()].editable:
            self.actions.open(index.data(ID_ROLE))

    def _row_menu(self, pos) -> None:
        idx = self.view.indexAt(pos)
        if not idx.isValid():
            return
        if idx.data(ID_ROLE) not in self.selected_ids():
            self.view.setCurrentIndex(idx)
        menu = self.actions.build_menu(self.selected_ids(), self)
        self.actions.pop_up(menu, self.view.viewport().mapToGlobal(pos))

    # -- attributes --------------------------------------------------------------------
    def new_attribute(self) -> AttributeDialog:
        """Ask for the attribute in a dialog; OK defines it (one undoable step)."""
        if self.attribute_dialog is not None:
            self.attribute_dialog.close()
        dlg = self.attribute_dialog = AttributeDialog(self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.finished.connect(lambda *_: self._forget_dialog(dlg))

        def define() -> None:
            name, kind, choices = dlg.value()
            self.ctx.run(dcmd.AddAttribute(self.ctx, name, kind, choices))

        dlg.accepted.connect(define)
        dlg.open()
        return dlg

    def _forget_dialog(self, dlg) -> None:
        if self.attribute_dialog is dlg:
            self.attribute_dialog = None

    def _header_menu(self, pos) -> None:
        header = self.view.horizontalHeader()
        column = header.logicalIndexAt(pos)
        self.header_menu(column).exec(header.mapToGlobal(pos))

    def header_menu(self, column: int) -> QMenu:
        menu = QMenu(self)
        menu.addAction("&New attribute…", self.new_attribute)
        col = self.model.columns[column] if 0 <= column < len(self.model.columns) else None
        a = col.attribute if col is not None else None
        if a is not None and not a.builtin:
            menu.addSeparator()
            if a.type == "choice":
                menu.addAction(f"Edit &choices of “{a.name}”…", lambda: self.edit_choices(a.name))
            menu.addAction(f"&Rename “{a.name}”…", lambda: self.rename_attribute(a.name))
            menu.addAction(f"&Delete “{a.name}”…", lambda: self.delete_attribute(a.name))
        hide = QAction("Hide this column", menu)
        hide.setEnabled(column > 0)
        hide.triggered.connect(lambda: self.view.setColumnHidden(column, True))
        menu.addSeparator()
        menu.addAction(hide)
        hidden = [i for i in range(len(self.model.columns)) if self.view.isColumnHidden(i)]
        if hidden:
            menu.addAction("Show all columns",
                           lambda: [self.view.setColumnHidden(i, False) for i in hidden])  # fmt: skip
        return menu

    def edit_choices(self, name: str) -> AttributeDialog:
        """The choices of a choice attribute: add, rename, remove (one undoable step)."""
        from desktop.ui.documents.attribute_dialog import open_choices_dialog

        return open_choices_dialog(self, name)

    def rename_attribute(self, name: str) -> bool:
        new = self.w.prompts.ask_text("Rename attribute", f"New name of “{name}”:", name)
        if not new or not new.strip() or new.strip() == name:
            return False
        return self.ctx.run(dcmd.RenameAttribute(self.ctx, name, new))

    def delete_attribute(self, name: str) -> bool:
        col = next(c for c in self.model.attribute_columns() if c.attribute.name == name)
        i = self.model.columns.index(col) - 1
        n = sum(1 for r in self.model.all_rows() if r.values[i] is not None)
        goes = f" and its values in {wording.count(n, 'document')}" if n else ""
        if not self.w.prompts.confirm(
            "Delete attribute", f"Delete the attribute “{name}”{goes}? Edit > Undo brings "
            "them back."):  # fmt: skip
            return False
        return self.ctx.run(dcmd.DeleteAttribute(self.ctx, name))

    def set_from_shown(self) -> bool:
        ids = self.model.shown_ids()
        if not ids:
            return False
        name = self.w.prompts.ask_text(
            "New set", f"Name of a new set of the {wording.count(len(ids), 'document')} shown:"
        )
        if not name or not name.strip():
            return False
        return self.ctx.run(dcmd.ChangeSet(self.ctx, name.strip(), ids, create=True))

    def closeEvent(self, e) -> None:
        self.settings.setValue(HEADER_KEY, self.view.horizontalHeader().saveState())
        super().closeEvent(e)
