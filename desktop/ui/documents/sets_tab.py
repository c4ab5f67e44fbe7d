"""The Sets tab of the Cases and sets window: every set with how many documents and
codes it holds, and below it the documents and the codes of the selected set. Documents
dragged from the documents list onto a set join it; codes join from the codebook's
right-click menu; the selected members are taken out with Remove (or Delete). Each
change is one undoable step."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core import wording
from desktop.services.documents import sets
from desktop.services.documents.sets import SetInfo
from desktop.ui import a11y
from desktop.ui.documents import commands as dcmd
from desktop.ui.documents.dragging import DropRowsModel, drop_target
from desktop.ui.models import ID_ROLE

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
COLUMNS = ("Set", "Documents", "Codes")


class SetTableModel(DropRowsModel):
    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        x: SetInfo = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (x.name, str(len(x.documents)), str(len(x.codes)))[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            memo = f"\n{x.memo}" if x.memo else ""
            return (f"{x.name}: {wording.count(len(x.documents), 'document')}, "
                    f"{wording.count(len(x.codes), 'code')}{memo}")  # fmt: skip
        if role == ID_ROLE:
            return x.id
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0:
            return _RIGHT
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return super().flags(index) | Qt.ItemFlag.ItemIsDropEnabled


class SetsTab(QWidget):
    def __init__(self, window) -> None:  # the Cases and sets window
        super().__init__()
        self.win = window
        self.setObjectName("setsTab")
        self.model = SetTableModel(self, lambda x, ids: self.add_documents(x.name, ids))
        self.view = QTableView()
        self.view.setObjectName("setsTable")
        a11y.name(self.view, "Sets", "Drop documents on a set to add them to it")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for i in (1, 2):
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
        drop_target(self.view)
        a11y.tab_leaves(self.view)
        self.new_button = QPushButton("&New set…")
        self.new_button.setToolTip(
            "An empty set: drop documents on it, add codes from the codebook"
        )
        self.new_button.clicked.connect(self.new_set)
        self.rename_button = QPushButton("Rena&me set…")
        self.rename_button.clicked.connect(lambda: self.rename_set())
        self.delete_button = QPushButton("De&lete set…")
        self.delete_button.setToolTip("Delete the set; its documents and codes stay")
        self.delete_button.clicked.connect(lambda: self.delete_set())
        hint = QLabel("Drag documents from the documents list onto a set to add them; add codes "
                      "with the codebook's right-click menu (Add to set).")  # fmt: skip
        hint.setObjectName("hint")
        hint.setWordWrap(True)

        self.documents = self._members("setDocuments", "Documents of the set")
        self.codes = self._members("setCodes", "Codes of the set")
        self.documents.itemActivated.connect(lambda i: self.win.actions.open(i.data(ID_ROLE)))
        self.documents_label = QLabel("&Documents")
        self.documents_label.setBuddy(self.documents)
        self.codes_label = QLabel("C&odes")
        self.codes_label.setBuddy(self.codes)
        self.remove_button = QPushButton("&Remove from set")
        self.remove_button.setToolTip(
            "Take the selected documents and codes out of the set (Delete)"
        )
        self.remove_button.clicked.connect(self.remove_selected)

        top = QWidget()
        top_lay = QVBoxLayout(top)
        top_lay.setContentsMargins(0, 0, 0, 0)
        top_lay.addWidget(hint)
        top_lay.addWidget(self.view, 1)
        row = QHBoxLayout()
        for b in (self.new_button, self.rename_button, self.delete_button):
            row.addWidget(b)
        row.addStretch(1)
        top_lay.addLayout(row)
        bottom = QWidget()
        grid = QGridLayout(bottom)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.documents_label, 0, 0)
        grid.addWidget(self.codes_label, 0, 1)
        grid.addWidget(self.documents, 1, 0)
        grid.addWidget(self.codes, 1, 1)
        grid.addWidget(self.remove_button, 2, 0, Qt.AlignmentFlag.AlignLeft)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setChildrenCollapsible(False)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setSizes([300, 240])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        lay.addWidget(split)
        self.view.selectionModel().currentChanged.connect(lambda *_: self._show_members())

    def _members(self, name: str, spoken: str) -> QListWidget:
        box = QListWidget()
        box.setObjectName(name)
        box.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        box.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        a11y.name(box, spoken)
        a11y.tab_leaves(box)
        key = QShortcut(QKeySequence(Qt.Key.Key_Delete), box)
        key.setContext(Qt.ShortcutContext.WidgetShortcut)
        key.activated.connect(self.remove_selected)
        return box

    @property
    def ctx(self):
        return self.win.ctx

    def reload(self) -> None:
        current = self.view.currentIndex().data(ID_ROLE)
        self.model.beginResetModel()
        self.model.rows = sets.list_sets(self.ctx.project)
        self.model.endResetModel()
        row = self.model.row_of(current) if current is not None else -1
        if row < 0 and self.model.rows:
            row = 0
        if row >= 0:
            self.view.setCurrentIndex(self.model.index(row, 0))
        self._show_members()

    def current_set(self) -> SetInfo | None:
        idx = self.view.currentIndex()
        return self.model.rows[idx.row()] if idx.isValid() else None

    def _show_members(self) -> None:
        x = self.current_set()
        self.documents.clear()
        self.codes.clear()
        self.remove_button.setEnabled(x is not None and bool(x.documents or x.codes))
        self.rename_button.setEnabled(x is not None)
        self.delete_button.setEnabled(x is not None)
        if x is None:
            self.documents_label.setText("&Documents (no set yet: New set… makes one)")
            self.codes_label.setText("C&odes")
            return
        self.documents_label.setText(f"&Documents in “{x.name}” ({len(x.documents):,})")
        self.codes_label.setText(f"C&odes in “{x.name}” ({len(x.codes):,})")
        names = self.win.names
        for did in sorted(x.documents, key=lambda d: names.get(d, "").lower()):
            self._item(self.documents, names.get(did, f"document {did}"), did)
        codes = getattr(self.win.w, "codes", {}) or {}
        for cid in sorted(x.codes, key=lambda c: codes[c].path.lower() if c in codes else ""):
            self._item(self.codes, codes[cid].path if cid in codes else f"code {cid}", cid)

    @staticmethod
    def _item(box: QListWidget, text: str, item_id: int) -> None:
        item = QListWidgetItem(text)
        item.setData(ID_ROLE, item_id)
        item.setToolTip(text)
        box.addItem(item)

    def new_set(self) -> bool:
        name = self.win.w.prompts.ask_text("New set", "Name of the new set:")
        if not name or not name.strip():
            return False
        return self.ctx.run(dcmd.ChangeSet(self.ctx, name.strip(), (), create=True))

    def rename_set(self) -> bool:
        x = self.current_set()
        if x is None:
            return False
        new = self.win.w.prompts.ask_text("Rename set", f"New name of “{x.name}”:", x.name)
        if not new or not new.strip() or new.strip() == x.name:
            return False
        return self.ctx.run(dcmd.RenameSet(self.ctx, x.name, new))

    def delete_set(self) -> bool:
        """Delete the selected set after saying what it held (the members stay)."""
        x = self.current_set()
        if x is None:
            return False
        held = [wording.count(len(x.documents), "document"), wording.count(len(x.codes), "code")]
        if not self.win.w.prompts.confirm(
            "Delete set", f"Delete the set “{x.name}”? It holds {' and '.join(held)}; they stay "
            "in the project. Edit > Undo brings the set back."):  # fmt: skip
            return False
        return self.ctx.run(dcmd.DeleteSet(self.ctx, x.name))

    def add_documents(self, set_name: str, ids: list[int]) -> bool:
        return self.ctx.run(dcmd.ChangeSet(self.ctx, set_name, ids))

    def remove_selected(self) -> bool:
        x = self.current_set()
        docs = [i.data(ID_ROLE) for i in self.documents.selectedItems()]
        codes = [i.data(ID_ROLE) for i in self.codes.selectedItems()]
        if x is None or not (docs or codes):
            return False
        return self.ctx.run(dcmd.ChangeSet(self.ctx, x.name, docs, add=False, code_ids=codes))
