"""The three side panels: documents, codebook and the current document's codings.
Each is a view over a lazy item model with a filter box; none touches the database."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.codebook.tree import CodebookTreeModel, CodebookTreeView
from desktop.ui.codebook.values_model import CodingsValuesModel
from desktop.ui.models import ID_ROLE, DocumentListModel


def _header(text: str) -> QLabel:
    label = QLabel(text.upper())
    label.setObjectName("panelTitle")
    label.setWordWrap(True)  # a narrow panel or a large system font wraps it, never clips it
    return label


def _filter_box(placeholder: str) -> QLineEdit:
    edit = QLineEdit(placeholderText=placeholder)
    edit.setClearButtonEnabled(True)
    edit.setObjectName("filterBox")
    return edit


def size_columns(view, stretch: tuple[int, ...], samples: dict[int, str] | None = None) -> None:
    """The ``stretch`` columns share the room the others leave; each other column fits its
    header (with room for the sort arrow) and its widest ``samples`` value, and the user
    may resize it (the window remembers the header). Long names elide in the middle, so
    both ends of ``deraa-talks-fail.txt`` stay readable; the full text is in the tooltip."""
    header = view.header() if isinstance(view, QTreeView) else view.horizontalHeader()
    header.setStretchLastSection(False)
    header.setMinimumSectionSize(28)
    head_fm, fm = header.fontMetrics(), view.fontMetrics()
    model = view.model()
    for col in range(model.columnCount()):
        if col in stretch:
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
            continue
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        label = str(model.headerData(col, Qt.Orientation.Horizontal) or "")
        sample = (samples or {}).get(col, "")
        header.resizeSection(
            col, max(head_fm.horizontalAdvance(label) + 20, fm.horizontalAdvance(sample) + 36)
        )
    view.setTextElideMode(Qt.TextElideMode.ElideMiddle)


class _Panel(QWidget):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lay = QVBoxLayout(self)
        self.lay.setContentsMargins(10, 10, 10, 6)
        self.lay.setSpacing(6)
        self.title = _header(title)
        self.lay.addWidget(self.title)


class DocumentsPanel(_Panel):
    document_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Documents", parent)
        self.model = DocumentListModel(self)  # filtered and sorted by the database: no proxy
        self.filter = _filter_box("Filter documents")
        self.filter.textChanged.connect(self._typed)
        # filtering reads the documents' order again (about 75 ms at 100,000 documents):
        # in a big project, once the typing pauses rather than at every key
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(150)
        self._filter_timer.timeout.connect(lambda: self._filter(self.filter.text()))
        # a table, not a tree view: a tree lays out every row (100,000 calls into the
        # model) before it paints; a table asks only for the rows on screen
        self.view = QTableView()
        self.view.setObjectName("documentList")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.horizontalHeader().setHighlightSections(False)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(False)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.setModel(self.model)
        # sized from samples, not to contents: that would read every row of a big project
        size_columns(self.view, (0,), {1: "docx", 2: "999", 3: "9999"})
        # each column's width when shown: a hidden section measures 0
        header = self.view.horizontalHeader()
        self._widths = {col: header.sectionSize(col) for col in (1, 2, 3)}
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self.view.viewport().installEventFilter(self)
        self.view.installEventFilter(self)
        self._fit_rows()
        self.model.modelReset.connect(self._fit_columns)
        self.lay.addWidget(self.filter)
        self.lay.addWidget(self.view)

    # a narrow panel drops Kind, then Pages, then Codings (all three are in the row's
    # tooltip) before the names get too short to read
    MIN_NAME_W, OPTIONAL_COLUMNS = 90, (1, 2, 3)

    def eventFilter(self, obj, e) -> bool:
        if obj is self.view.viewport() and e.type() == QEvent.Type.Resize:
            self._fit_columns()
        elif obj is self.view and e.type() == QEvent.Type.FontChange:
            self._fit_rows()
        return False

    def _fit_rows(self) -> None:
        """Rows as tall as the font needs (a large system font is not clipped); one
        height for all, so the table never measures its rows."""
        self.view.verticalHeader().setDefaultSectionSize(
            max(24, self.view.fontMetrics().height() + 8)
        )

    def _width(self, col: int) -> int:
        """The column's width when shown (the user may have resized it since)."""
        h = self.view.horizontalHeader()
        if not h.isSectionHidden(col):
            self._widths[col] = h.sectionSize(col)
        return self._widths[col]

    def _fit_columns(self) -> None:
        h = self.view.horizontalHeader()
        room = self.view.width() - 2 * self.view.frameWidth() - self.MIN_NAME_W
        if self.view.verticalScrollBar().isVisible():
            room -= self.view.verticalScrollBar().width()
        used = 0
        paged = self.model.paged
        for col in reversed(self.OPTIONAL_COLUMNS):  # Codings kept longest, then Pages
            width = self._width(col)
            fits = used + width <= room and (col != 2 or paged)
            h.setSectionHidden(col, not fits)
            used += width if fits else 0

    def _current_changed(self, current: QModelIndex, _prev: QModelIndex) -> None:
        if current.isValid():
            self.document_chosen.emit(current.data(ID_ROLE))

    def _typed(self, text: str) -> None:
        if self.model.largest > FILTER_WHEN_PAUSED:
            self._filter_timer.start()
        else:
            self._filter(text)

    def _filter(self, text: str) -> None:
        current = self.view.currentIndex().data(ID_ROLE)
        self.model.set_filter(text)
        if current is not None:
            self.select(current, emit=False)

    def select(self, document_id: int, emit: bool = True) -> None:
        row = self.model.row_of(document_id)
        if row >= 0:
            self.view.selectionModel().blockSignals(not emit)
            self.view.setCurrentIndex(self.model.index(row, 0))
            self.view.selectionModel().blockSignals(False)
            self.view.scrollTo(self.model.index(row, 0))


class CodebookPanel(_Panel):
    code_clicked = Signal(int)
    context_requested = Signal(object, object)  # code id or None, global pos

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Codebook", parent)
        self.model = CodebookTreeModel(self)  # + drag and drop, full tooltips
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter = _filter_box("Filter codes")
        self.filter.textChanged.connect(self._filter)
        self.view = CodebookTreeView()  # keeps expansion and selection across reloads
        self.view.setObjectName("codebookTree")
        self.view.setUniformRowHeights(True)
        self.view.setModel(self.proxy)
        self.view.setIndentation(14)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(
            lambda pos: self.context_requested.emit(
                self.code_at(pos), self.view.viewport().mapToGlobal(pos)
            )
        )
        size_columns(self.view, (0,), {1: "9999", 2: "9"})
        self.view.clicked.connect(lambda idx: self.code_clicked.emit(idx.data(ID_ROLE)))
        self.lay.addWidget(self.filter)
        self.lay.addWidget(self.view)

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self.view.expandAll()

    def code_at(self, pos) -> int | None:
        idx = self.view.indexAt(pos)
        return idx.data(ID_ROLE) if idx.isValid() else None

    def current_code(self) -> int | None:
        idx = self.view.currentIndex()
        return idx.data(ID_ROLE) if idx.isValid() else None

    def index_of(self, code_id: int) -> QModelIndex:
        return self.proxy.mapFromSource(self.model.index_of(code_id))


class CodingsTable(QTableView):
    delete_pressed = Signal()

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if e.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_pressed.emit()
            return
        super().keyPressEvent(e)


MEMO_COLUMN, VALUES_COLUMN = 3, 5  # of CodingsValuesModel
# documents from which the list filters once typing pauses (reading their order takes
# about 15 ms at 20,000)
FILTER_WHEN_PAUSED = 20_000
COMPACT_BELOW = 320  # px of table: narrower, memo and values go to the row's tooltip


class CodingsPanel(_Panel):
    coding_chosen = Signal(int)
    memo_requested = Signal(int)
    remove_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Codings in this document", parent)
        self.model = CodingsValuesModel(
            self
        )  # + Values column; sorts itself: no proxy over thousands of rows
        self.view = CodingsTable()
        self.view.setObjectName("codingsTable")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(4, Qt.SortOrder.AscendingOrder)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(24)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # the code, the quote and the values share what the coder, memo and page leave
        size_columns(self.view, (0, 2, 5), {1: "Maya", 3: "Memo", 4: "999"})
        self.view.clicked.connect(lambda idx: self.coding_chosen.emit(idx.data(ID_ROLE)))
        self.view.doubleClicked.connect(lambda idx: self.memo_requested.emit(idx.data(ID_ROLE)))
        self.view.delete_pressed.connect(self._delete)
        self.lay.addWidget(self.view)
        for sig in (self.model.modelReset, self.model.dataChanged, self.model.rowsInserted,
                    self.model.rowsRemoved):  # fmt: skip
            sig.connect(self._show_filled_columns)
        self.view.viewport().installEventFilter(self)
        self._show_filled_columns()

    def _show_filled_columns(self, *_args) -> None:
        """Memo and Values show only while a coding here has one, and while the table is
        wide enough for them beside the code and the quote (a narrow panel puts them in
        the row's tooltip instead: an empty or squeezed column would cut every header)."""
        m = self.model
        rows = [m.coding(r) for r in range(m.rowCount())]
        roomy = self.view.viewport().width() >= COMPACT_BELOW
        self.view.setColumnHidden(MEMO_COLUMN, not (roomy and any(c.memo for c in rows)))
        self.view.setColumnHidden(VALUES_COLUMN, not (roomy and any(m.fields_of(c) for c in rows)))

    def eventFilter(self, obj, e) -> bool:
        if obj is self.view.viewport() and e.type() == QEvent.Type.Resize:
            self._show_filled_columns()
        return False

    def current_coding(self) -> int | None:
        idx = self.view.currentIndex()
        return idx.data(ID_ROLE) if idx.isValid() else None

    def _delete(self) -> None:
        cid = self.current_coding()
        if cid is not None:
            self.remove_requested.emit(cid)

    def select(self, coding_id: int) -> None:
        row = self.model.row_of(coding_id)
        if row >= 0:
            idx = self.model.index(row, 0)
            self.view.setCurrentIndex(idx)
            self.view.scrollTo(idx)

    def set_page_column(self, shown: bool) -> None:
        self.view.setColumnHidden(4, not shown)
