"""The codebook tree with drag and drop: drop a code on another to make it a sub-code,
between codes to reorder, on the empty area to move it to the top level. The model never
changes itself on a drop: it asks (``move_requested``) and the window runs an undoable
MoveCode, then reloads. The view keeps expansion and the current code across reloads."""

from __future__ import annotations

from PySide6.QtCore import (
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QDragMoveEvent, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QTreeView

from desktop.services.codebook.codebook import CodeInfo
from desktop.ui import theme
from desktop.ui.models import ID_ROLE, CodebookModel, one_line

MIME = "application/x-tessera-code-id"
_Index = QModelIndex | QPersistentModelIndex


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def code_tooltip(c: CodeInfo, key: int | None = None) -> str:
    """Path, definition, criteria and the first anchor example: enough to check a code
    without leaving the text."""
    parts = [f"<b>{_esc(c.path)}</b>"]
    if c.description:
        parts.append(_esc(one_line(c.description, 400)))
    if c.inclusion:
        parts.append(f"<b>Include:</b> {_esc(one_line(c.inclusion, 300))}")
    if c.exclusion:
        parts.append(f"<b>Exclude:</b> {_esc(one_line(c.exclusion, 300))}")
    if c.examples:
        more = f" (+{len(c.examples) - 1} more)" if len(c.examples) > 1 else ""
        parts.append(f"<i>e.g. “{_esc(one_line(c.examples[0], 160))}”</i>{more}")
    if key:
        parts.append(
            f"<span style='color:{theme.current().muted}'>Select text and press {key} to apply</span>"
        )
    return "<table width=360><tr><td>" + "<br>".join(parts) + "</td></tr></table>"


class CodebookTreeModel(CodebookModel):
    move_requested = Signal(int, object, object)  # code id, new parent id | None, position | None
    move_refused = Signal(str)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return super().flags(index) | Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemIsDropEnabled

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME]

    def mimeData(self, indexes) -> QMimeData:
        ids = list(dict.fromkeys(i.data(ID_ROLE) for i in indexes if i.isValid()))
        data = QMimeData()
        if ids:
            data.setData(MIME, QByteArray(str(ids[0]).encode()))
        return data

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid():
            c: CodeInfo = index.internalPointer().code
            return code_tooltip(c, self._keys.get(c.id))
        return super().data(index, role)

    # -- dropping -------------------------------------------------------------------------
    @staticmethod
    def dragged_id(data: QMimeData) -> int | None:
        if not data.hasFormat(MIME):
            return None
        try:
            return int(bytes(data.data(MIME).data()).decode())
        except ValueError:
            return None

    def refusal(self, code_id: int, parent_id: int | None) -> str | None:
        """Why ``code_id`` cannot go under ``parent_id`` (None: it can)."""
        code = self.code(code_id)
        if code is None:
            return "That code is no longer in the codebook."
        ancestor = parent_id
        while ancestor is not None:
            if ancestor == code_id:
                return f"Cannot move “{code.name}” into itself or one of its sub-codes."
            parent = self.code(ancestor)
            ancestor = parent.parent_id if parent else None
        if parent_id != code.parent_id:
            siblings = self._node(self.index_of(parent_id)) if parent_id else self._root
            if any(n.code.name == code.name for n in siblings.children):
                where = f"“{self.code(parent_id).name}”" if parent_id else "the top level"
                return f"Cannot move “{code.name}”: {where} already has a code of that name."
        return None

    def _target(self, row: int, parent: _Index) -> tuple[int | None, int | None]:
        parent_id = parent.data(ID_ROLE) if parent.isValid() else None
        return parent_id, (row if row >= 0 else None)

    def canDropMimeData(self, data, action, row, column, parent) -> bool:
        code_id = self.dragged_id(data)
        if code_id is None:
            return False
        parent_id, _pos = self._target(row, parent.sibling(parent.row(), 0))
        return self.refusal(code_id, parent_id) is None

    def dropMimeData(self, data, action, row, column, parent) -> bool:
        code_id = self.dragged_id(data)
        if code_id is None:
            return False
        parent_id, position = self._target(row, parent.sibling(parent.row(), 0))
        reason = self.refusal(code_id, parent_id)
        if reason:
            self.move_refused.emit(reason)
            return False
        code = self.code(code_id)
        if position is not None and parent_id == code.parent_id:
            if position > self._by_id[code_id].row:
                position -= 1  # the code leaves its old place first
            if position == self._by_id[code_id].row:
                return False  # dropped where it was
        # after the drop has finished: the move reloads this model
        QTimer.singleShot(0, lambda: self.move_requested.emit(code_id, parent_id, position))
        return True


class CodebookTreeView(QTreeView):
    """Drag and drop; keys (F2 rename, Delete, Insert a sub-code, Enter edits the
    definition, Alt+arrows move); expansion and the current code kept across reloads."""

    rename_requested = Signal(int)
    delete_requested = Signal(int)
    new_requested = Signal(object)  # parent code id or None
    define_requested = Signal(int)  # Enter: edit the definition in the inspector
    hint = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.collapsed_ids: set[int] = set()
        self._keep: int | None = None
        self._restoring = False
        self.collapsed.connect(lambda i: self._track(i, True))
        self.expanded.connect(lambda i: self._track(i, False))

    def _track(self, index: QModelIndex, collapsed: bool) -> None:
        if self._restoring:
            return
        cid = index.data(ID_ROLE)
        if collapsed:
            self.collapsed_ids.add(cid)
        else:
            self.collapsed_ids.discard(cid)

    def setModel(self, model) -> None:
        super().setModel(model)
        if model is not None:
            model.modelAboutToBeReset.connect(self._remember)
            model.modelReset.connect(self._restore)

    def _source(self) -> CodebookTreeModel:
        m = self.model()
        return m.sourceModel() if isinstance(m, QSortFilterProxyModel) else m

    def index_of(self, code_id: int) -> QModelIndex:
        m = self.model()
        idx = self._source().index_of(code_id)
        return m.mapFromSource(idx) if isinstance(m, QSortFilterProxyModel) else idx

    def current_code(self) -> int | None:
        idx = self.currentIndex()
        return idx.data(ID_ROLE) if idx.isValid() else None

    def select_code(self, code_id: int) -> None:
        idx = self.index_of(code_id)
        if idx.isValid():
            self.setCurrentIndex(idx)
            self.scrollTo(idx)

    def _remember(self) -> None:
        self._keep = self.current_code()

    def _restore(self) -> None:
        if self._keep is not None:
            self.select_code(self._keep)
        self._apply_collapsed()

    def _apply_collapsed(self) -> None:
        self._restoring = True
        try:
            for cid in list(self.collapsed_ids):
                idx = self.index_of(cid)
                if idx.isValid():
                    self.collapse(idx)
        finally:
            self._restoring = False

    def expandAll(self) -> None:  # the window calls it after each reload
        self._restoring = True
        try:
            super().expandAll()
        finally:
            self._restoring = False
        m = self.model()
        filtering = isinstance(m, QSortFilterProxyModel) and bool(
            m.filterRegularExpression().pattern()
        )
        if not filtering:
            self._apply_collapsed()

    def _keyboard_move(self, cid: int, key: Qt.Key) -> None:
        """Alt+Up/Down reorder, Alt+Left moves out of the parent, Alt+Right into the code
        above: drag and drop for the keyboard, through the same refusals."""
        src = self._source()
        idx = src.index_of(cid)
        code = src.code(cid)
        row, n = idx.row(), src.rowCount(idx.parent())
        target: tuple[int | None, int | None] | None = None
        if key == Qt.Key.Key_Up and row > 0:
            target = (code.parent_id, row - 1)
        elif key == Qt.Key.Key_Down and row < n - 1:
            target = (code.parent_id, row + 1)
        elif key == Qt.Key.Key_Left and code.parent_id is not None:
            parent = src.code(code.parent_id)
            target = (parent.parent_id, src.index_of(parent.id).row() + 1)
        elif key == Qt.Key.Key_Right and row > 0:
            target = (src.index(row - 1, 0, idx.parent()).data(ID_ROLE), None)
        if target is None:
            return
        reason = src.refusal(cid, target[0])
        if reason:
            self.hint.emit(reason)
        else:
            src.move_requested.emit(cid, *target)

    def keyPressEvent(self, e: QKeyEvent) -> None:
        cid = self.current_code()
        key = e.key()
        arrows = (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Left, Qt.Key.Key_Right)
        if e.modifiers() == Qt.KeyboardModifier.AltModifier and key in arrows:
            if cid is not None:
                self._keyboard_move(cid, key)
        elif key == Qt.Key.Key_F2 and cid is not None:
            self.rename_requested.emit(cid)
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and cid is not None:
            self.delete_requested.emit(cid)
        elif key == Qt.Key.Key_Insert:
            self.new_requested.emit(cid)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and cid is not None:
            self.define_requested.emit(cid)
        else:
            super().keyPressEvent(e)

    def dragMoveEvent(self, e: QDragMoveEvent) -> None:
        super().dragMoveEvent(e)
        src = self._source()
        code_id = src.dragged_id(e.mimeData())
        if code_id is not None and not e.isAccepted():
            under = self.indexAt(e.position().toPoint())
            reason = src.refusal(code_id, under.data(ID_ROLE) if under.isValid() else None)
            if reason:
                self.hint.emit(reason)
