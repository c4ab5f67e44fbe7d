"""Words: frequencies in the corpus (or the documents of a set, or meeting conditions), or the key
words of a code's passages against the rest of the corpus (log-likelihood), with
collocations; CSV export; the project's stop words edited in a small dialog."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core import wording
from desktop.services.analysis import words as svc
from desktop.ui.analysis.runner import QueryRunner
from desktop.ui.analysis.scope import SetChooser

if TYPE_CHECKING:
    from desktop.ui.analysis.host import AnalysisHost

WHOLE = "(whole corpus: word frequencies)"


class StopWordsDialog(QDialog):
    """The project's stop words: which shipped lists, and words added or kept."""

    def __init__(self, project, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Stop words")
        self.project = project
        cfg = svc.stopword_settings(project)
        lay = QFormLayout(self)
        self.languages: dict[str, QCheckBox] = {}
        row = QHBoxLayout()
        for key, name in svc.LANGUAGES.items():
            box = QCheckBox(name)
            box.setChecked(key in cfg["languages"])
            self.languages[key] = box
            row.addWidget(box)
        lay.addRow("Lists", row)
        self.added = QPlainTextEdit(" ".join(cfg["added"]))
        self.removed = QPlainTextEdit(" ".join(cfg["removed"]))
        lay.addRow("Also leave out", self.added)
        lay.addRow("Count anyway", self.removed)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addRow(buttons)

    def save(self) -> dict:
        return svc.set_stopwords(
            self.project, languages=[k for k, b in self.languages.items() if b.isChecked()],
            added=self.added.toPlainText().split(), removed=self.removed.toPlainText().split(),
        )  # fmt: skip


class WordsTab(QWidget):
    def __init__(self, win: AnalysisHost) -> None:
        super().__init__()
        self.win = win
        self.result: svc.WordsResult | None = None
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.code = QComboBox()
        self.set_choice = SetChooser()
        self.where = QLineEdit()
        self.where.setPlaceholderText("e.g. document.source = Reuters; document.date >= 2018")
        self.top = QSpinBox()
        self.top.setRange(1, 100_000)
        self.top.setValue(100)
        self.run_button = QPushButton("Count words")
        self.run_button.clicked.connect(self.run)
        stop = QPushButton("Stop words…")
        stop.clicked.connect(self.edit_stopwords)
        row = QHBoxLayout()
        row.addWidget(QLabel("top"))
        row.addWidget(self.top)
        row.addStretch(1)
        row.addWidget(stop)
        row.addWidget(self.run_button)
        form.addRow("Passages of", self.code)
        docs = QHBoxLayout()
        docs.addWidget(self.set_choice)
        docs.addWidget(self.where, 1)
        form.addRow("Documents", docs)
        form.addRow("", row)
        lay.addLayout(form)
        split = QSplitter()
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            ["Word", "Count", "‰", "Rest of corpus", "Log-likelihood"]
        )
        self.table.setSortingEnabled(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.collocations = QListWidget()
        side = QWidget()
        col = QVBoxLayout(side)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(QLabel("Collocations (word pairs, likelihood ratio)"))
        col.addWidget(self.collocations, 1)
        split.addWidget(self.table)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        lay.addWidget(split, 1)
        row = QHBoxLayout()
        self.runner = QueryRunner(win.runner)
        row.addWidget(self.runner, 1)
        self.csv_button = QPushButton("Export CSV…")
        self.csv_button.clicked.connect(self.export_csv)
        self.csv_button.setEnabled(False)
        row.addWidget(self.csv_button)
        lay.addLayout(row)
        self.refresh_choices()

    def refresh_choices(self) -> None:
        current = self.code.currentText()
        self.code.clear()
        self.code.addItem(WHOLE, None)
        for p in self.win.code_paths():
            self.code.addItem(p, p)
        if current:
            self.code.setCurrentText(current)
        self.set_choice.fill(self.win.set_names())

    def run(self) -> None:
        project, visible = self.win.project, self.win.visible_coders()
        code, top = self.code.currentData(), self.top.value()
        where = [x.strip() for x in self.where.text().split(";") if x.strip()]
        chosen = self.set_choice.sets()

        def work(progress, cancelled):
            return svc.word_frequencies(project, code=code, where=where, sets=chosen, top=top,
                                        visible_coders=visible, progress=progress,
                                        cancelled=cancelled)  # fmt: skip

        self.runner.run("Counting words…", work, self._show)

    def _show(self, r: svc.WordsResult) -> None:
        self.result = r
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(r.rows))
        keyed = r.code is not None
        for i, w in enumerate(r.rows):
            cells = [w.word, w.count, w.per_thousand, w.reference, w.g2]
            for j, v in enumerate(cells):
                item = QTableWidgetItem()
                if isinstance(v, int | float):
                    item.setData(0, v)
                elif v is not None:
                    item.setText(v)
                self.table.setItem(i, j, item)
        self.table.setColumnHidden(3, not keyed)
        self.table.setColumnHidden(4, not keyed)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(4 if keyed else 1, Qt.SortOrder.DescendingOrder)
        self.collocations.clear()
        self.collocations.addItems([f"{a} {b}  ({n})" for a, b, n, _ in r.collocations])
        self.csv_button.setEnabled(bool(r.rows))
        if keyed:
            self.runner.say(f"Key words of {r.code}: {r.words} words in its passages against "
                            f"{r.reference_words} in the rest of the corpus")  # fmt: skip
        else:
            self.runner.say(f"{r.words} words in {wording.count(r.documents, 'document')}")

    def edit_stopwords(self) -> None:
        dialog = StopWordsDialog(self.win.project, self)
        if dialog.exec():
            dialog.save()
            self.runner.say("Stop words saved in the project")

    def export_csv(self) -> None:
        if self.result is None:
            return
        path = self.win.w.prompts.save_path("Export words", "words.csv", "CSV (*.csv)")
        if path:
            svc.write_csv(self.result, path)
            self.runner.say(f"Words written to {path}")
