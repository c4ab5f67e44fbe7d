"""Codebook > Frequencies…: codings per code and document (or coder), with totals,
sortable by any column (the totals row stays last), saved as CSV (or an HTML table when
the file name ends in .html). In blind mode the table and the saved file count only the
codings the active coder may see (``Context.blind_ids``)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSize, Qt
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

from desktop.services.codebook import frequencies as freq
from desktop.services.codebook.frequencies import FrequencyRow, FrequencyTable
from desktop.services.errors import ServiceError
from desktop.ui.dialogs import fit_window
from desktop.ui.look import swatch

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
SAVE_FILTER = "CSV files (*.csv);;HTML tables (*.html);;All files (*)"


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
        if role == Qt.ItemDataRole.ToolTipRole and section > self.n_columns + 1:
            return "Codings of the code and of all its sub-codes"
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
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(24)
        self.view.setShowGrid(False)
        self.view.setAlternatingRowColors(True)
        lay.addWidget(self.view, 1)
        bottom = QHBoxLayout()
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.refresh)
        self.save_button = QPushButton("Save as CSV…")
        self.save_button.clicked.connect(self.save_csv)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        bottom.addWidget(refresh)
        bottom.addStretch(1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(close)
        lay.addLayout(bottom)
        self.refresh()

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
        h = self.view.horizontalHeader()  # sections exist only once the model has columns
        h.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        blind = " · blind coding: your codings only" if self.coder_ids is not None else ""
        self.summary.setText(
            f"{table.total} codings · {len(table.rows)} codes · {len(table.columns)} "
            f"{self.by_what}{'s' if len(table.columns) != 1 else ''}{blind}"
        )

    def save_csv(self) -> None:
        from pathlib import Path

        stem = Path(self.w.project.path).stem
        out = self.w.prompts.save_path(
            "Save frequencies", f"{stem}-frequencies-by-{self.by_what}.csv", SAVE_FILTER
        )
        if not out:
            return
        fmt = "html" if out.lower().endswith((".html", ".htm")) else "csv"
        try:  # counted with the same coders as the table shown (blind mode too)
            n = freq.export_frequencies(
                self.w.project, out, fmt, by=self.by_what, coder_ids=self.coder_ids
            )
        except (ServiceError, OSError) as exc:
            self.w.prompts.error(str(exc))
            return
        self.w.statusBar().showMessage(f"Saved frequencies of {n} codes to {out}", 6000)
