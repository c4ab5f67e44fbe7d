"""Matrices: chosen codes by document, coder, document set, case or a document
attribute (codings, coded characters or documents), or code by code co-occurrence with
the c-coefficient, in every document or one set's; the cells shaded as a heat map; a
click on a cell lists its passages; CSV export and copy as tab-separated text for a
spreadsheet."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core import wording
from desktop.services.analysis import matrix as svc
from desktop.services.analysis.retrieval import RetrievalQuery, retrieve
from desktop.services.analysis.selection import DOCUMENT_COLUMNS
from desktop.ui.analysis.models import GridModel, PassagesModel
from desktop.ui.analysis.passages import PassageTable
from desktop.ui.analysis.runner import QueryRunner
from desktop.ui.analysis.scope import SetChooser

if TYPE_CHECKING:
    from desktop.ui.analysis.host import AnalysisHost


class MatrixTab(QWidget):
    def __init__(self, win: AnalysisHost) -> None:
        super().__init__()
        self.win = win
        self.matrix: svc.Matrix | None = None
        self._params: dict = {}
        lay = QHBoxLayout(self)
        left = QVBoxLayout()
        left.addWidget(QLabel("Codes (rows)"))
        self.codes = QListWidget()
        left.addWidget(self.codes, 1)
        self.subcodes = QCheckBox("count sub-codes in their code's row")
        left.addWidget(self.subcodes)
        self.by = QComboBox()
        self.by.setEditable(True)
        self.by.addItems(
            ["document", "coder", "set", "case", *[c for c in DOCUMENT_COLUMNS if c != "name"]]
        )
        self.by.setToolTip(
            "document, coder, document set, case, a document attribute or an imported metadata key"
        )
        self.set_choice = SetChooser()
        self.measure = QComboBox()
        self.measure.addItems(list(svc.MEASURES))
        self.cooc = QCheckBox("Co-occurrence (code by code)")
        self.same = QComboBox()
        self.same.addItem("overlapping", None)
        self.same.addItem("within N characters", "within")
        self.same.addItem("same sentence", "sentence")
        self.same.addItem("same paragraph", "paragraph")
        self.within = QSpinBox()
        self.within.setRange(0, 1_000_000)
        self.within.setValue(100)
        for label, widget in (("Columns", self.by), ("Count", self.measure),
                              ("Documents", self.set_choice)):  # fmt: skip
            row = QHBoxLayout()
            row.addWidget(QLabel(label))
            row.addWidget(widget, 1)
            left.addLayout(row)
        left.addWidget(self.cooc)
        row = QHBoxLayout()
        row.addWidget(self.same, 1)
        row.addWidget(self.within)
        left.addLayout(row)
        self.run_button = QPushButton("Build matrix")
        self.run_button.clicked.connect(self.run)
        left.addWidget(self.run_button)
        side = QWidget()
        side.setLayout(left)
        side.setMaximumWidth(300)
        lay.addWidget(side)

        right = QVBoxLayout()
        split = QSplitter(Qt.Orientation.Vertical)
        self.model = GridModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.clicked.connect(self.cell_clicked)
        self.passages = PassageTable(win)
        split.addWidget(self.table)
        split.addWidget(self.passages)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        right.addWidget(split, 1)
        row = QHBoxLayout()
        self.runner = QueryRunner(win.runner)
        row.addWidget(self.runner, 1)
        self.copy_button = QPushButton("Copy as TSV")
        self.copy_button.clicked.connect(self.copy_tsv)
        self.csv_button = QPushButton("Export CSV…")
        self.csv_button.clicked.connect(self.export_csv)
        row.addWidget(self.copy_button)
        row.addWidget(self.csv_button)
        right.addLayout(row)
        lay.addLayout(right, 1)
        self.refresh_choices()

    def refresh_choices(self) -> None:
        ticked = set(self.chosen_codes())
        self.codes.clear()
        for path in self.win.code_paths():
            item = QListWidgetItem(path)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if path in ticked else Qt.CheckState.Unchecked)
            self.codes.addItem(item)
        self.set_choice.fill(self.win.set_names())

    def chosen_codes(self) -> list[str]:
        return [self.codes.item(i).text() for i in range(self.codes.count())
                if self.codes.item(i).checkState() == Qt.CheckState.Checked]  # fmt: skip

    def set_codes(self, paths: list[str]) -> None:
        for i in range(self.codes.count()):
            item = self.codes.item(i)
            item.setCheckState(
                Qt.CheckState.Checked if item.text() in paths else Qt.CheckState.Unchecked
            )

    def run(self) -> None:
        codes = self.chosen_codes()
        if not codes:
            self.runner.say("Tick at least one code.")
            return
        project, visible = self.win.project, self.win.visible_coders()
        subcodes, cooc = self.subcodes.isChecked(), self.cooc.isChecked()
        how = self.same.currentData()
        within = self.within.value() if how == "within" else None
        same = how if how in ("sentence", "paragraph") else None
        by, measure = self.by.currentText().strip() or "document", self.measure.currentText()
        chosen = self.set_choice.sets()
        self._params = dict(subcodes=subcodes, cooc=cooc, within=within, same=same, by=by,
                            sets=chosen)  # fmt: skip

        def work(progress, cancelled):
            if cooc:
                return svc.cooccurrence_matrix(project, codes, within=within, same=same, subcodes=subcodes,
                                               sets=chosen, visible_coders=visible, progress=progress,
                                               cancelled=cancelled)  # fmt: skip
            return svc.code_matrix(project, codes, by, measure=measure, subcodes=subcodes, sets=chosen,
                                   visible_coders=visible, progress=progress, cancelled=cancelled)  # fmt: skip

        self.runner.run("Counting…", work, self._show)

    def _show(self, m: svc.Matrix) -> None:
        self.matrix = m
        if m.c_coefficient is not None:
            # counts above the diagonal, c-coefficients below: one table for both
            values = [[m.counts[i][j] if j >= i else round(m.c_coefficient[i][j], 3)
                       for j in range(len(m.columns))] for i in range(len(m.rows))]  # fmt: skip
            self.model.set_grid(m.rows, m.columns, values)
            self.runner.say("Co-occurring pairs on and above the diagonal, c-coefficient below it. "
                            "Click a cell for its passages.")  # fmt: skip
        else:
            self.model.set_grid(m.rows, m.columns, m.counts)
            self.runner.say(f"{wording.count(len(m.rows), 'code')} x {len(m.columns)} {self._params['by']} {wording.plural(len(m.columns), 'column')}, "
                            f"{m.measure}. Click a cell for its passages.")  # fmt: skip
        self.table.resizeColumnsToContents()

    def cell_query(self, row: int, col: int) -> RetrievalQuery | None:
        m, p = self.matrix, self._params
        if m is None:
            return None
        code, scope = m.rows[row], dict(subcodes=p["subcodes"], sets=p["sets"])
        if p["cooc"]:
            other = m.columns[col]
            if p["same"] or p["within"] is not None:
                return RetrievalQuery(code=code, op="near", other=other, within=p["within"],
                                      same=p["same"], **scope)  # fmt: skip
            return RetrievalQuery(code=code, op="and", other=other, **scope)
        value = m.columns[col]
        if p["by"] == "document":
            return RetrievalQuery(code=code, documents=(value,), **scope)
        if p["by"] == "coder":
            return RetrievalQuery(code=code, coders=(value,), **scope)
        if value == svc.NONE_VALUE:
            return None
        if p["by"].lower() in ("set", "case"):
            cond = f'document.{p["by"].lower()} = "{value}"'
        else:
            cond = f"document.{p['by']} = {value}"
        return RetrievalQuery(code=code, where=(cond,), **scope)

    def cell_clicked(self, index) -> None:
        q = self.cell_query(index.row(), index.column())
        if q is None:
            self.runner.say("No passages to list for this cell.")
            return
        project, visible = self.win.project, self.win.visible_coders()

        def work(progress, cancelled):
            r = retrieve(project, q, visible_coders=visible, progress=progress, cancelled=cancelled)
            return r, PassagesModel.first_page_of(project, r, "sentence")

        def done(out):
            r, first = out
            self.passages.model_.set_result(project, r, "sentence", first)
            self.runner.say(
                f"{wording.count(r.total, 'passage')} of {r.and_label or q.code} in this cell"
            )

        self.runner.run("Listing the cell's passages…", work, done)

    def copy_tsv(self) -> None:
        QApplication.clipboard().setText(self.model.tsv())
        self.runner.say("Matrix copied as tab-separated text")

    def export_csv(self) -> None:
        if self.matrix is None:
            return
        path = self.win.w.prompts.save_path("Export matrix", "matrix.csv", "CSV (*.csv)")
        if not path:
            return
        svc.write_csv(self.matrix, path)
        self.runner.say(f"Matrix written to {path}")
