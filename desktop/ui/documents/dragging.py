"""Documents dragged from the documents list onto a case or a set. The list's model
offers no drag of its own, so the view starts it here: a press on a document and a move
beyond the drag distance carry the selected documents' ids (and their names as text)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QMimeData, QObject, QPoint, Qt
from PySide6.QtGui import QDrag
from PySide6.QtWidgets import QAbstractItemView, QApplication

from desktop.ui.models import ID_ROLE

DOCUMENTS_MIME = "application/x-tessera-document-ids"


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
