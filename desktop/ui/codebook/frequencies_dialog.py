"""Codebook > Frequencies…: codings per code and document (or coder), with totals,
sortable by any column (the totals row stays pinned under the table), saved as CSV or as
an HTML page. In blind mode the table and the saved file count only the
codings the active coder may see (``Context.blind_ids``)."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from desktop.core import wording
from desktop.services.codebook import frequencies as freq
from desktop.services.codebook.frequencies import FrequencyRow, FrequencyTable
from desktop.services.errors import ServiceError
from desktop.ui.dialogs import fit_window
from desktop.ui.look import swatch

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
SAVE_FILTERS = {
    "csv": "CSV files (*.csv);;All files (*)",
    "html": "HTML pages (*.html *.htm);;All files (*)",
}


class FrequencyModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.table: FrequencyTable | None = None
        self.rows: list[FrequencyRow] = []
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self.colors: dict[int, str] = {}

    def set_table(self, table: FrequencyTable) -> None:
        self.beginResetModel()
        self.table = table
        self.rows = list(table.rows)
        self._apply_sort()
        self.endResetModel()

    @property
    def n_columns(self) -> int:
        return len(self.table.columns) if self.table else 0

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() or self.table is None else len(self.rows) + 1

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() or self.table is None else self.n_columns + 3

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or self.table is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section == 0:
                return "Code"
            if section <= self.n_columns:
                return self.table.columns[section - 1][1]
            return ("Total", "With sub-codes")[section - self.n_columns - 1]
        if role == Qt.ItemDataRole.ToolTipRole:
            if section > self.n_columns + 1:
                return "Codings of the code and of all its sub-codes"
            if 0 < section <= self.n_columns:
                return self.table.columns[section - 1][1]  # the whole name, when elided
        return None

    def value(self, row: int, column: int) -> int | str:
        """The cell as a number (code names as text); the last row holds the totals."""
        t = self.table
        if row == len(self.rows):
            if column == 0:
                return "Total"
            if column <= self.n_columns:
                return t.column_totals[column - 1]
            return t.total if column == self.n_columns + 1 else ""
        r = self.rows[row]
        if column == 0:
            return r.name
        if column <= self.n_columns:
            return r.counts[column - 1]
        return r.total if column == self.n_columns + 1 else r.total_with_subcodes

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self.table is None:
            return None
        row, col = index.row(), index.column()
        totals = row == len(self.rows)
        if role == Qt.ItemDataRole.DisplayRole:
            v = self.value(row, col)
            if col == 0 and not totals and self._sort is None:
                return "    " * self.rows[row].depth + str(v)
            return "" if v == 0 else str(v)
        if role == Qt.ItemDataRole.ToolTipRole and col == 0 and not totals:
            return self.rows[row].path
        if role == Qt.ItemDataRole.DecorationRole and col == 0 and not totals:
            color = self.colors.get(self.rows[row].code_id)
            return swatch(color) if color else None
        if role == Qt.ItemDataRole.TextAlignmentRole and col > 0:
            return _RIGHT
        if role == Qt.ItemDataRole.FontRole and (totals or col > self.n_columns):
            f = QFont()
            f.setBold(totals or col == self.n_columns + 1)
            return f
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = None if column < 0 else (column, order)
        self._apply_sort()
        self.layoutChanged.emit()

    def _apply_sort(self) -> None:
        if self.table is None:
            return
        self.rows = list(self.table.rows)
        if self._sort is None:
            return
        column, order = self._sort
        n = self.n_columns
        if column == 0:
            key = lambda r: r.path.lower()  # noqa: E731
        elif column <= n:
            key = lambda r: r.counts[column - 1]  # noqa: E731
        elif column == n + 1:
            key = lambda r: r.total  # noqa: E731
        else:
            key = lambda r: r.total_with_subcodes  # noqa: E731
        self.rows.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)


class _TotalsRow(QTableView):
    """The totals, pinned under the table: the same model and columns showing only its
    last row, so the totals stay in view however long the codebook is."""

    def __init__(self, table: QTableView) -> None:
        super().__init__()
        self.setObjectName("frequencyTotals")
        self.setAccessibleName("Totals")
        self.table = table
        self.setModel(table.model())
        self.horizontalHeader().hide()
        self.verticalHeader().hide()
        self.setShowGrid(False)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSelectionMode(QTableView.SelectionMode.NoSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = table.horizontalHeader()
        header.sectionResized.connect(lambda col, _old, size: self.setColumnWidth(col, size))
        table.horizontalScrollBar().valueChanged.connect(self.horizontalScrollBar().setValue)
        for signal in (table.model().modelReset, table.model().layoutChanged):
            signal.connect(self.follow)

    def follow(self) -> None:
        """Show only the totals row, in the table's columns and under its viewport."""
        m = self.model()
        last = m.rowCount() - 1
        for row in range(m.rowCount()):
            self.setRowHidden(row, row != last)
            self.table.setRowHidden(row, row == last)
        header = self.table.horizontalHeader()
        for col in range(m.columnCount()):
            self.setColumnWidth(col, header.sectionSize(col))
        bar = self.table.verticalScrollBar()
        self.setViewportMargins(0, 0, bar.sizeHint().width() if bar.isVisible() else 0, 0)
        row_h = self.table.verticalHeader().defaultSectionSize()
        self.verticalHeader().setDefaultSectionSize(row_h)
        self.setFixedHeight(row_h + 2 * self.frameWidth())
        self.horizontalScrollBar().setValue(self.table.horizontalScrollBar().value())


class FrequenciesDialog(QDialog):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.w = window
        self.setWindowTitle("Code frequencies")
        self.setObjectName("frequenciesDialog")
        fit_window(self, "frequencies", QSize(760, 520))
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Codings per code and"))
        self.by = QComboBox()
        self.by.addItem("document", "document")
        self.by.addItem("coder", "coder")
        self.by.currentIndexChanged.connect(lambda _i: self.refresh())
        top.addWidget(self.by)
        top.addStretch(1)
        self.summary = QLabel()
        self.summary.setObjectName("hint")
        top.addWidget(self.summary)
        lay.addLayout(top)
        self.model = FrequencyModel(self)
        self.view = QTableView()
        self.view.setObjectName("frequencyTable")
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.horizontalHeader().setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(24)
        self.view.setShowGrid(False)
        self.view.setAlternatingRowColors(True)
        self.view.viewport().installEventFilter(self)
        self.totals = _TotalsRow(self.view)
        tables = QVBoxLayout()
        tables.setSpacing(0)
        tables.addWidget(self.view, 1)
        tables.addWidget(self.totals)
        lay.addLayout(tables, 1)
        bottom = QHBoxLayout()
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.refresh)
        self.save_button = QPushButton("Save as CSV…")
        self.save_button.clicked.connect(lambda: self.save("csv"))
        self.save_html_button = QPushButton("Save as HTML…")
        self.save_html_button.setToolTip("A web page with the table, to read, print or share")
        self.save_html_button.clicked.connect(lambda: self.save("html"))
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        bottom.addWidget(refresh)
        bottom.addStretch(1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.save_html_button)
        bottom.addWidget(close)
        lay.addLayout(bottom)
        self.refresh()

    def eventFilter(self, obj, e) -> bool:
        if obj is self.view.viewport() and e.type() == QEvent.Type.Resize:
            self._fit_columns()
        return False

    def _fit_columns(self) -> None:
        """Every column in the width of the table while it can be: the totals and the
        numbers keep their width, document (or coder) names elide in the middle (the
        whole name is in the header's tooltip), the code names take what is left. Only
        with more documents than can be read side by side does the table scroll."""
        m, view = self.model, self.view
        n = m.n_columns
        if m.table is None:
            return
        header = view.horizontalHeader()
        head_fm, fm = header.fontMetrics(), view.fontMetrics()
        room = view.viewport().width()
        biggest = max([m.table.total, *m.table.column_totals, 0])
        number = fm.horizontalAdvance(f"{biggest:,}") + 20

        def label(col: int) -> int:
            return head_fm.horizontalAdvance(str(m.headerData(col, Qt.Orientation.Horizontal))) + 24

        totals = [max(label(c), number) for c in (n + 1, n + 2)]
        names = [max(label(c), number) for c in range(1, n + 1)]
        indent = fm.horizontalAdvance("    ")
        code = max([fm.horizontalAdvance(r.name) + indent * r.depth + 48 for r in m.rows] + [120])
        spare = room - sum(totals) - sum(names)
        if spare >= min(code, 160):  # everything fits; the code column takes the rest
            widths = [max(spare, 0), *names, *totals]
        else:
            code = min(code, max(140, (room - sum(totals)) * 2 // 5))
            each = (room - sum(totals) - code) // max(n, 1)
            smallest = max(number, head_fm.horizontalAdvance("abcd…wxyz.txt") + 24)
            widths = [code, *[max(smallest, min(w, each)) for w in names], *totals]
        header.setStretchLastSection(False)
        for col, width in enumerate(widths):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        self.totals.follow()

    @property
    def by_what(self) -> str:
        return self.by.currentData()

    @property
    def coder_ids(self) -> list[int] | None:
        """Whose codings are counted: None for everyone's; in blind mode only those the
        active coder may see."""
        ctx = self.w.ctx
        return None if ctx is None or ctx.blind_ids is None else list(ctx.blind_ids)

    def table(self) -> FrequencyTable:
        return freq.frequencies(self.w.project, self.by_what, coder_ids=self.coder_ids)

    def refresh(self) -> None:
        try:
            table = self.table()
        except ServiceError as exc:
            self.w.prompts.error(str(exc))
            return
        self.model.colors = {cid: c.color for cid, c in self.w.codes.items()}
        self.model.set_table(table)
        self._fit_columns()  # sections exist only once the model has columns
        blind = " · blind coding: your codings only" if self.coder_ids is not None else ""
        self.summary.setText(
            f"{wording.count(table.total, 'coding')} · {wording.count(len(table.rows), 'code')}"
            f" · {wording.count(len(table.columns), self.by_what)}{blind}"
        )

    def save(self, fmt: str) -> None:
        """Save the table as CSV or as an HTML page (``fmt``), counted with the same
        coders as the table shown (blind mode too)."""
        from pathlib import Path

        stem = Path(self.w.project.path).stem
        out = self.w.prompts.save_path(
            "Save frequencies",
            f"{stem}-frequencies-by-{self.by_what}.{fmt}",
            SAVE_FILTERS[fmt],
        )
        if not out:
            return
        # a name typed with the other format's extension is written in that format
        fmt = {".html": "html", ".htm": "html", ".csv": "csv"}.get(Path(out).suffix.lower(), fmt)
        try:
            n = freq.export_frequencies(
                self.w.project, out, fmt, by=self.by_what, coder_ids=self.coder_ids
            )
        except (ServiceError, OSError) as exc:
            self.w.prompts.error(str(exc))
            return
        self.w.statusBar().showMessage(
            f"Saved frequencies of {wording.count(n, 'code')} to {out}", 6000
        )
