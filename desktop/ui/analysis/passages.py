"""Coded passages: a query builder (codes A and B with an operator, coders, a document
set, documents, conditions, context), the passages in a lazy table with counts per code and per
document, saved queries, and exports (CSV, HTML, Word). Enter or a double-click opens
the passage in the workbench, selected."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core import wording
from desktop.services.analysis import report, saved
from desktop.services.analysis.retrieval import RetrievalQuery, RetrievalResult, retrieve
from desktop.services.errors import ServiceError
from desktop.ui.analysis.models import PassageDelegate, PassagesModel
from desktop.ui.analysis.runner import QueryRunner
from desktop.ui.analysis.scope import SetChooser

if TYPE_CHECKING:
    from desktop.ui.analysis.host import AnalysisHost

OPERATORS = (("—", None), ("OR", "or"), ("AND (overlap)", "and"), ("NOT", "not"),
             ("NEAR", "near"), ("FOLLOWED BY", "followed_by"))  # fmt: skip
CONTEXTS = (("no context", "none"), ("sentence", "sentence"), ("paragraph", "paragraph"),
            ("5 words", 5), ("10 words", 10), ("25 words", 25))  # fmt: skip
ALL_CODERS = "All coders"


class PassageTable(QTableView):
    """A lazy passages table; Enter or a double-click opens the passage."""

    def __init__(self, win: AnalysisHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.win = win
        self.model_ = PassagesModel(self)
        self.setModel(self.model_)
        self.setItemDelegateForColumn(4, PassageDelegate(self))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(True)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() * 2 + 8)
        self.verticalHeader().hide()
        hh = self.horizontalHeader()
        hh.setStretchLastSection(False)
        for col, width in enumerate((120, 44, 150, 70, 460, 90, 90)):
            self.setColumnWidth(col, width)
        hh.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)  # the passage takes the room
        self.doubleClicked.connect(lambda ix: self.open_row(ix.row()))

    def keyPressEvent(self, e) -> None:
        if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_row(self.currentIndex().row())
            return
        super().keyPressEvent(e)

    def open_row(self, row: int) -> None:
        p = self.model_.passage(row)
        if p is not None:
            self.win.w.show_passage(p.document_id, p.start, p.end)


class PassagesTab(QWidget):
    def __init__(self, win: AnalysisHost) -> None:
        super().__init__()
        self.win = win
        self.result: RetrievalResult | None = None
        lay = QVBoxLayout(self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.code_a = QComboBox()
        self.subcodes = QCheckBox("with sub-codes")
        row = QHBoxLayout()
        row.addWidget(self.code_a, 1)
        row.addWidget(self.subcodes)
        form.addRow("Code A", row)
        self.op = QComboBox()
        for label, value in OPERATORS:
            self.op.addItem(label, value)
        self.code_b = QComboBox()
        self.within = QSpinBox()
        self.within.setRange(0, 1_000_000)
        self.within.setValue(100)
        self.within.setSuffix(" characters")
        self.same = QComboBox()
        self.same.addItem("within", None)
        self.same.addItem("same sentence", "sentence")
        self.same.addItem("same paragraph", "paragraph")
        row = QHBoxLayout()
        for widget, stretch in ((self.op, 0), (self.code_b, 1), (self.same, 0), (self.within, 0)):
            row.addWidget(widget, stretch)
        form.addRow("Combine with B", row)
        self.coder = QComboBox()
        self.set_choice = SetChooser()
        self.documents = QLineEdit()
        self.documents.setPlaceholderText("every document (or names, separated by ;)")
        row = QHBoxLayout()
        row.addWidget(self.coder)
        row.addWidget(self.set_choice)
        row.addWidget(self.documents, 1)
        form.addRow("Coder, documents", row)
        self.where = QLineEdit()
        self.where.setPlaceholderText("e.g. count >= 10; document.source = Reuters; memo ~ verify")
        form.addRow("Conditions", self.where)
        self.context = QComboBox()
        for label, value in CONTEXTS:
            self.context.addItem(label, value)
        self.run_button = QPushButton("Run")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run)
        self.saved = QComboBox()
        self.saved.setMinimumWidth(140)
        self.saved.activated.connect(lambda _i: self.open_saved(self.saved.currentData()))
        save = QPushButton("Save query…")
        save.clicked.connect(self.save_query)
        row = QHBoxLayout()
        row.addWidget(self.context)
        row.addWidget(self.run_button)
        row.addStretch(1)
        row.addWidget(self.saved)
        row.addWidget(save)
        form.addRow("Context", row)
        lay.addLayout(form)
        self.op.currentIndexChanged.connect(self._sync)
        self.same.currentIndexChanged.connect(self._sync)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.table = PassageTable(win)
        self.table.horizontalHeader().setSectionsClickable(True)
        self.table.horizontalHeader().sectionClicked.connect(self.sort_by)
        self.summary = QTreeWidget()
        self.summary.setHeaderLabels(["", "Passages"])
        # the counts keep their width; the names take the rest (elided, whole in tooltips)
        head = self.summary.header()
        head.setStretchLastSection(False)
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        split.addWidget(self.table)
        split.addWidget(self.summary)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        lay.addWidget(split, 1)
        bottom = QHBoxLayout()
        self.runner = QueryRunner(win.runner)
        bottom.addWidget(self.runner, 1)
        self.exports = []
        for label, fmt in (("CSV…", "csv"), ("HTML…", "html"), ("Word…", "docx")):
            b = QPushButton(f"Export {label}")
            b.clicked.connect(lambda _=False, f=fmt: self.export(f))
            b.setEnabled(False)
            bottom.addWidget(b)
            self.exports.append(b)
        lay.addLayout(bottom)
        self.refresh_choices()
        self._sync()

    # -- choices -------------------------------------------------------------------------
    def refresh_choices(self) -> None:
        paths = self.win.code_paths()
        for box in (self.code_a, self.code_b):
            current = box.currentText()
            box.clear()
            box.addItems(paths)
            if current in paths:
                box.setCurrentText(current)
        self.coder.clear()
        self.coder.addItem(ALL_CODERS, None)
        for name in self.win.coder_names():
            self.coder.addItem(name, name)
        self.set_choice.fill(self.win.set_names())
        self.saved.clear()
        self.saved.addItem("Saved queries…", None)
        for q in saved.list_queries(self.win.project):
            if q.kind == "retrieve":
                self.saved.addItem(q.name + ("  ⚠" if q.problems else ""), q.name)

    def _sync(self) -> None:
        op = self.op.currentData()
        self.code_b.setEnabled(op is not None)
        self.same.setEnabled(op == "near")
        near = op == "near" and self.same.currentData() is not None
        self.within.setEnabled(op in ("near", "followed_by") and not near)

    # -- query ---------------------------------------------------------------------------
    def query(self) -> RetrievalQuery:
        op = self.op.currentData()
        same = self.same.currentData() if op == "near" else None
        return RetrievalQuery(
            code=self.code_a.currentText(), subcodes=self.subcodes.isChecked(), op=op,
            other=self.code_b.currentText() if op else None,
            within=self.within.value() if op in ("near", "followed_by") and not same else None,
            same=same,
            coders=(self.coder.currentData(),) if self.coder.currentData() else (),
            documents=tuple(x.strip() for x in self.documents.text().split(";") if x.strip()),
            where=tuple(x.strip() for x in self.where.text().split(";") if x.strip()),
            sets=self.set_choice.sets(),
        )  # fmt: skip

    def set_query(self, q: RetrievalQuery) -> None:
        self.code_a.setCurrentText(q.code)
        self.subcodes.setChecked(q.subcodes)
        self.op.setCurrentIndex(max(0, self.op.findData(q.op)))
        if q.other:
            self.code_b.setCurrentText(q.other)
        self.same.setCurrentIndex(max(0, self.same.findData(q.same)))
        if q.within is not None:
            self.within.setValue(q.within)
        self.coder.setCurrentIndex(max(0, self.coder.findData(q.coders[0] if q.coders else None)))
        self.set_choice.choose(q.sets)
        self.documents.setText("; ".join(q.documents))
        self.where.setText("; ".join(q.where))

    def run(self) -> None:
        q = self.query()
        if not q.code:
            self.runner.say("Choose a code A first.")
            return
        project, visible = self.win.project, self.win.visible_coders()
        context = self.context.currentData()

        def work(progress, cancelled):
            r = retrieve(project, q, visible_coders=visible, progress=progress, cancelled=cancelled)
            # the first screen's passages and contexts too: the UI thread reads no text
            first = PassagesModel.first_page_of(project, r, context)
            return r, r.counts_by_code(), r.counts_by_document(), first

        self.runner.run("Finding passages…", work, lambda out: self._show(out, context))

    def _show(self, out, context) -> None:
        result, by_code, by_doc, first = out
        self.result = result
        self.table.model_.set_result(self.win.project, result, context, first)
        self.summary.clear()
        for title, counts in (("Codes", by_code), ("Documents", by_doc)):
            top = QTreeWidgetItem([title, str(sum(counts.values()))])
            for name, n in counts.items():
                item = QTreeWidgetItem([name, str(n)])
                item.setToolTip(0, name)  # a long code path or name is elided
                item.setTextAlignment(
                    1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                )
                top.addChild(item)
            top.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.summary.addTopLevelItem(top)
            top.setExpanded(True)
        for b in self.exports:
            b.setEnabled(len(result) > 0)
        self.runner.say(
            f"{wording.count(result.total, 'passage')} in {wording.count(len(by_doc), 'document')}"
        )

    def sort_by(self, column: int) -> None:
        key = PassagesModel.SORT_KEYS.get(column)
        if key is None or self.result is None:
            return
        result, context, project = self.result, self.table.model_.context, self.win.project
        descending = getattr(self, "_sorted", None) == key
        self._sorted = None if descending else key

        def work(progress, cancelled):
            r = result.sorted_by(key, descending)
            return r, PassagesModel.first_page_of(project, r, context)

        def done(out):
            r, first = out
            self.result = r
            self.table.model_.set_result(self.win.project, r, context, first)
            self.runner.say(
                f"{wording.count(r.total, 'passage')}, by {key}{' (descending)' if descending else ''}"
            )

        self.runner.run(f"Sorting by {key}…", work, done)

    # -- saved queries -------------------------------------------------------------------
    def save_query(self) -> None:
        name = self.win.w.prompts.ask_text("Save query", "Name of the query:")
        if not name:
            return
        params = {
            k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self.query()).items()
        }
        try:
            saved.save_query(self.win.project, name, "retrieve", params)
        except ServiceError as exc:
            self.runner.say(str(exc))
            return
        self.refresh_choices()
        self.runner.say(f"Query saved as {name!r}")

    def open_saved(self, name: str | None) -> None:
        if not name:
            return
        try:
            q = saved.open_query(self.win.project, name)
        except ServiceError as exc:
            self.runner.say(str(exc))
            return
        self.saved.setCurrentIndex(0)
        if q.problems:
            self.win.w.prompts.error("\n".join(q.problems))
            self.runner.say("; ".join(q.problems))
            return
        self.set_query(
            RetrievalQuery(
                **{k: tuple(v) if isinstance(v, list) else v for k, v in q.params.items()}
            )
        )
        self.run()

    # -- export --------------------------------------------------------------------------
    def export(self, fmt: str) -> None:
        if self.result is None:
            return
        filters = {"csv": "CSV (*.csv)", "html": "HTML (*.html)", "docx": "Word (*.docx)"}
        path = self.win.w.prompts.save_path("Export passages", f"passages.{fmt}", filters[fmt])
        if not path:
            return
        result, project, context = self.result, self.win.project, self.table.model_.context
        title = f"{project.name}: {result.and_label or result.query.code}"

        def work(progress, cancelled):
            passages = result.iter_pages(project, context=context)
            if fmt == "csv":
                report.write_csv(passages, path)
            elif fmt == "html":
                report.write_html(passages, path, title)
            else:
                report.write_docx(passages, path, title)
            return path

        self.runner.run(
            f"Writing {path}…",
            work,
            lambda p: self.runner.say(f"{wording.count(result.total, 'passage')} written to {p}"),
        )
