"""Corpus search: a query box (words, "phrases", prefix*, AND/OR/NOT; or a regular
expression), folded comparison unless Exact; the hits as an aligned keyword-in-context
table sortable by left or right context, counts per document, a jump to a hit, and
Code all hits: a preview of the passages and of those already coded, then one
undoable action."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core import wording
from desktop.services.analysis import fulltext
from desktop.services.analysis import search as svc
from desktop.services.analysis.progress import step
from desktop.ui.analysis.models import HitsModel
from desktop.ui.analysis.runner import QueryRunner
from desktop.ui.analysis.scope import SetChooser
from desktop.ui.workbench.context import Command

if TYPE_CHECKING:
    from desktop.ui.analysis.host import AnalysisHost


def build_index(project, progress, cancelled) -> None:
    """Build what the full-text index lacks (nothing for most projects), saying on the
    runner's line "indexing… n of N documents" as it goes."""

    def said(st: fulltext.IndexState) -> None:
        text = st.describe()
        progress((st.fraction, text[:1].upper() + text[1:]))

    fulltext.build(project, said, cancelled)


class CodeAllCommand(Command):
    """Code every hit (the plan, already applied once in a worker); undo removes the
    codings it made, redo makes them again."""

    def __init__(self, ctx, project, report: svc.CodeAllReport, on_change) -> None:
        super().__init__(ctx, f"code {len(report.coding_ids)} hits as {report.plan.code_path}")
        self.project, self.plan, self.ids = project, report.plan, report.coding_ids
        self.on_change = on_change

    def first_do(self) -> None:
        pass  # done by the worker

    def do(self) -> None:
        self.ids = svc.code_all(self.project, self.plan).coding_ids

    def undo_(self) -> None:
        svc.remove_codings(self.project, self.ids)

    def announce(self) -> None:
        self.on_change()


class SearchTab(QWidget):
    def __init__(self, win: AnalysisHost) -> None:
        super().__init__()
        self.win = win
        self.result: svc.SearchResult | None = None
        lay = QVBoxLayout(self)
        row = QHBoxLayout()
        self.query = QLineEdit()
        self.query.setPlaceholderText('words, "a phrase", negotiat*, AND / OR / NOT')
        self.query.returnPressed.connect(self.run)
        self.regex = QCheckBox("Regular expression")
        self.exact = QCheckBox("Exact")
        self.exact.setToolTip("Match the same characters only (otherwise case, Arabic marks, "
                              "tatweel, digits of every script and ZWNJ are folded)")  # fmt: skip
        self.run_button = QPushButton("Search")
        self.run_button.clicked.connect(self.run)
        self.set_choice = SetChooser()
        for widget, stretch in (
            (self.query, 1),
            (self.set_choice, 0),
            (self.regex, 0),
            (self.exact, 0),
            (self.run_button, 0),
        ):
            row.addWidget(widget, stretch)
        lay.addLayout(row)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.model = HitsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        for col, width in enumerate((130, 330, 120, 330)):
            self.table.setColumnWidth(col, width)
        self.table.doubleClicked.connect(lambda ix: self.jump(ix.row()))
        self.table.activated.connect(lambda ix: self.jump(ix.row()))
        self.counts = QTreeWidget()
        self.counts.setHeaderLabels(["Document", "Hits"])
        self.counts.setRootIsDecorated(False)
        self.counts.setColumnWidth(0, 160)
        split.addWidget(self.table)
        split.addWidget(self.counts)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        lay.addWidget(split, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("Code all hits as"))
        self.code = QComboBox()
        self.extend = QComboBox()
        self.extend.addItems(list(svc.EXTENDS))
        self.code_all_button = QPushButton("Code all hits…")
        self.code_all_button.setEnabled(False)
        self.code_all_button.clicked.connect(self.plan_code_all)
        row.addWidget(self.code, 1)
        row.addWidget(QLabel("extended to the"))
        row.addWidget(self.extend)
        row.addWidget(self.code_all_button)
        lay.addLayout(row)
        self.runner = QueryRunner(win.runner)
        lay.addWidget(self.runner)
        self.refresh_choices()
        # In the background: build the full-text index of a project made before it (a
        # search needs it whole), and learn which texts fold beyond the index, so that
        # the first search does not have to before its first hit.
        project = win.project

        def prepare(progress, cancelled):
            build_index(project, progress, cancelled)
            return svc.prepare_folding(project, progress, cancelled)

        self.runner.run("Preparing the search…", prepare, lambda _n: self.runner.say(""))

    def refresh_choices(self) -> None:
        current = self.code.currentText()
        self.code.clear()
        self.code.addItems(self.win.code_paths())
        if current:
            self.code.setCurrentText(current)
        self.set_choice.fill(self.win.set_names())

    def run(self) -> None:
        text = self.query.text()
        project = self.win.project
        regex, exact = self.regex.isChecked(), self.exact.isChecked()
        chosen = self.set_choice.sets()

        def work(progress, cancelled):
            if not regex:
                build_index(project, progress, cancelled)  # resumes one left unfinished
            r = svc.search(project, text, regex=regex, exact=exact, sets=chosen)
            hits, total = [], max(1, len(r.documents))
            counts: dict[str, int] = {}  # hits per document, in document order
            for h in r.hits(project, cancelled):
                hits.append(HitsModel.row_of(h))  # a tuple: see HitsModel
                if h.document not in counts:
                    counts[h.document] = 0
                    step(progress, cancelled, len(counts) / total)
                counts[h.document] += 1
            step(progress, cancelled, 1.0)
            return r, hits, counts

        self.runner.run(f"Searching for {text!r}…", work, self._show)

    def _show(self, out) -> None:
        """The hits and their counts per document, counted by the worker: the window's
        thread does nothing per hit."""
        self.result, hits, counts = out
        self.model.set_hits(hits)
        self.counts.clear()
        self.counts.addTopLevelItems(
            [QTreeWidgetItem([name, str(n)]) for name, n in counts.items()]
        )
        self.code_all_button.setEnabled(bool(hits))
        self.runner.say(
            f"{wording.count(len(hits), 'hit')} in {wording.count(len(counts), 'document')}"
        )

    def jump(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            h = self.model.hit(row)
            self.win.w.show_passage(h.document_id, h.start, h.end)

    # -- code all hits -------------------------------------------------------------------
    def plan_code_all(self) -> None:
        ctx = self.win.w.ctx
        if self.result is None or ctx is None or ctx.coder is None:
            self.runner.say("Choose a coder first (Coders > Switch coder).")
            return
        result, project, code, extend = (
            self.result,
            self.win.project,
            self.code.currentText(),
            self.extend.currentText(),
        )
        coder = ctx.coder

        def work(progress, cancelled):
            return svc.plan_code_all(project, result, code, coder.id, extend)

        self.runner.run("Looking at the hits…", work, lambda plan: self._confirm(plan, coder.name))

    def _confirm(self, plan: svc.CodeAllPlan, coder: str) -> None:
        todo = len(plan.to_code)
        message = (f"{wording.count(len(plan.passages), 'passage')} ({plan.extend}s around the hits); "
                   f"{len(plan.already_coded)} already coded with {plan.code_path} by {coder}.\n\n"
                   f"Code the other {todo} as {plan.code_path}?")  # fmt: skip
        self.runner.say(message.replace("\n\n", " "))
        if not todo or not self.win.w.prompts.confirm("Code all hits", message):
            return
        project = self.win.project

        def work(progress, cancelled):
            return svc.code_all(project, plan)

        self.runner.run(f"Coding {wording.count(todo, 'passage')}…", work, self._coded)

    def _coded(self, report: svc.CodeAllReport) -> None:
        ctx = self.win.w.ctx
        cmd = CodeAllCommand(ctx, self.win.project, report, self.win.w.refresh_codings)
        ctx.run(cmd)
        self.runner.say(
            f"Coded {wording.count(len(report.coding_ids), 'passage')} as {report.plan.code_path} (Ctrl+Z undoes)"
        )
