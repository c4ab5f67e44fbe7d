"""Documents dragged from the documents list onto a case or a set. The list's model
offers no drag of its own, so the view starts it here: a press on a document and a move
beyond the drag distance carry the selected documents' ids (and their names as text).
``DropRowsModel`` is the receiving end: a table of cases or sets taking them on a row."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    Qt,
    QTimer,
)
from PySide6.QtGui import QDrag
from PySide6.QtWidgets import QAbstractItemView, QApplication, QTableView

from desktop.ui.models import ID_ROLE

DOCUMENTS_MIME = "application/x-tessera-document-ids"
_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


def documents_mime(ids: list[int], names: list[str] = ()) -> QMimeData:
    data = QMimeData()
    data.setData(DOCUMENTS_MIME, ",".join(str(i) for i in ids).encode())
    if names:
        data.setText("\n".join(names))
    return data


def dropped_documents(data: QMimeData | None) -> list[int]:
    """The document ids a drag carries (none if it carries no documents)."""
    if data is None or not data.hasFormat(DOCUMENTS_MIME):
        return []
    raw = bytes(data.data(DOCUMENTS_MIME).data()).decode(errors="replace")
    return [int(x) for x in raw.split(",") if x.strip().isdigit()]


def selected_documents(view: QAbstractItemView) -> tuple[list[int], list[str]]:
    """The ids and names of the documents selected in a list (the current one first)."""
    rows = {}
    current = view.currentIndex()
    indexes = [current] if current.isValid() else []
    indexes += view.selectionModel().selectedIndexes() if view.selectionModel() else []
    for idx in indexes:
        first = idx.siblingAtColumn(0)
        did = first.data(ID_ROLE)
        if did is not None and did not in rows and view.selectionModel().isSelected(first):
            rows[did] = str(first.data(Qt.ItemDataRole.DisplayRole) or "")
    return list(rows), list(rows.values())


class DocumentDrag(QObject):
    """Starts a drag of the selected documents from ``view`` (an event filter on its
    viewport)."""

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self.view = view
        self.pressed: QPoint | None = None
        view.viewport().installEventFilter(self)

    def mime(self) -> QMimeData | None:
        ids, names = selected_documents(self.view)
        return documents_mime(ids, names) if ids else None

    def eventFilter(self, obj, e) -> bool:
        kind = e.type()
        if kind == QEvent.Type.MouseButtonPress and e.button() == Qt.MouseButton.LeftButton:
            self.pressed = e.position().toPoint()
        elif kind == QEvent.Type.MouseButtonRelease:
            self.pressed = None
        elif (
            kind == QEvent.Type.MouseMove
            and self.pressed is not None
            and e.buttons() & Qt.MouseButton.LeftButton
            and (e.position().toPoint() - self.pressed).manhattanLength()
            >= QApplication.startDragDistance()
        ):
            self.pressed = None
            data = self.mime()
            if data is not None:
                drag = QDrag(self.view)
                drag.setMimeData(data)
                drag.exec(Qt.DropAction.CopyAction)
                return True
        return False


def attach_list_drag(view: QAbstractItemView) -> DocumentDrag:
    """Let the documents list's documents be dragged onto a case or a set."""
    return DocumentDrag(view)


class DropRowsModel(QAbstractTableModel):
    """Rows (cases or sets) that documents dragged from the documents list are dropped
    on: ``dropped(row, ids)`` is called once the drop has finished."""

    def __init__(self, parent, dropped) -> None:
        super().__init__(parent)
        self.rows: list = []
        self.dropped = dropped

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def mimeTypes(self) -> list[str]:
        return [DOCUMENTS_MIME]

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.MoveAction

    def _target(self, row: int, parent: _Index):
        r = parent.row() if parent.isValid() else row
        return self.rows[r] if 0 <= r < len(self.rows) else None

    def canDropMimeData(self, data, action, row, column, parent) -> bool:
        return bool(dropped_documents(data)) and self._target(row, parent) is not None

    def dropMimeData(self, data, action, row, column, parent) -> bool:
        target = self._target(row, parent)
        ids = dropped_documents(data)
        if target is None or not ids:
            return False
        # after the drop has finished: the change reloads this model
        QTimer.singleShot(0, self, lambda: self.dropped(target, ids))
        return True

    def row_of(self, row_id: int) -> int:
        return next((i for i, x in enumerate(self.rows) if x.id == row_id), -1)


def drop_target(view: QTableView) -> None:
    """A table whose rows take documents dropped on them (never between them)."""
    view.setAcceptDrops(True)
    view.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
    view.setDragDropOverwriteMode(True)
    view.setDropIndicatorShown(True)
