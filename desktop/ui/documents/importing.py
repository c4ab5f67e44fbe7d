"""Importing files in a worker: a progress dialog with Cancel, the window keeps
painting, and one summary at the end lists every file that was not imported and says
how files not in UTF-8 were read. Before that, files in a legacy encoding are shown in
an encoding dialog (guess, choice, preview of the first lines)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)

from desktop.core import wording
from desktop.core.importers.encoding import CANDIDATES, encoding_label
from desktop.services.documents import documents
from desktop.services.documents.documents import EncodingPreview, ImportProgress, ImportReport
from desktop.ui.workbench.bidi import leading_aligned
from desktop.ui.workers import Task, TaskProgress, TaskRunner, set_steps

SHOWN = 12  # lines of each list in the summary itself; all of them are in its details


def summarise(report: ImportReport | None, error: str = "") -> tuple[str, str]:
    """(message, details) for the one summary shown after an import: what was imported,
    each file that was not (and why), each duplicate with the document it duplicates."""
    if report is None:
        return f"The import stopped: {error}", ""
    parts = [f"Imported {wording.count(len(report.imported), 'document')}."]
    if report.stopped:
        parts.append(f"The import stopped: {report.stopped}.")
    if report.cancelled:
        parts.append("Cancelled: files not reached were not imported.")
    failed = [f"• {Path(p).name}: {why}" for p, why in report.failed]
    twins = [f"• {Path(p).name}: the same text as “{name}”" for p, name in report.duplicates]
    notes = [f"• {Path(p).name}: {note}" for p, note in report.notes]
    message = " ".join(parts)
    for head, lines in (
        (f"{wording.count(len(failed), 'file')} could not be imported:", failed),
        ("Already in the project, not imported again:", twins),
        ("Imported with a note:", notes),
    ):
        if lines:
            message += f"\n\n{head}\n" + "\n".join(lines[:SHOWN])
            if len(lines) > SHOWN:
                message += f"\n… and {len(lines) - SHOWN:,} more (see details)"
    return message, "\n".join(failed + twins + notes)


def _show_progress(dialog: QProgressDialog, p: object) -> None:
    if not isinstance(p, ImportProgress):
        return
    label = f"Importing {p.current}" if p.current else "Importing…"
    if p.pages_total:
        label += f" (page {p.pages_done} of {p.pages_total})"
    set_steps(dialog, p.files_done, p.files_total,
              f"{label}\n{p.files_done} of {wording.count(p.files_total, 'file')}")  # fmt: skip


class ImportController(QObject):
    done = Signal(object)  # the ImportReport (None if the worker failed)

    def __init__(self, parent: QWidget, runner: TaskRunner, project_getter: Callable[[], object],
                 on_summary: Callable[[str, str, str], None]) -> None:  # fmt: skip
        super().__init__(parent)
        self.parent_widget = parent
        self.runner = runner
        self.project = project_getter
        self.on_summary = on_summary
        self.task: Task | None = None

    @property
    def busy(self) -> bool:
        return self.task is not None

    def start(self, paths: list[str], fn: Callable[..., object] | None = None,
              encodings: dict[str, str] | None = None) -> Task | None:  # fmt: skip
        if not paths or self.busy:
            return None
        project = self.project()
        work = fn or (lambda progress, cancelled: documents.import_files(
            project, paths, progress=progress, cancelled=cancelled,
            encoding=encodings or None))  # fmt: skip
        task = Task(work)
        self.task = task
        progress = TaskProgress(self.parent_widget, task, "Import documents", "Importing…",
                                show_after=400, update=_show_progress)  # fmt: skip
        progress.finished.connect(lambda report: self._finish(report, ""))
        progress.failed.connect(lambda error: self._finish(None, error))
        self.runner.start(task)
        return task

    def _finish(self, report: ImportReport | None, error: str) -> None:
        self.task = None
        self.done.emit(report)
        quiet = report is not None and not (
            report.failed or report.duplicates or report.cancelled or report.notes or report.stopped
        )
        if not quiet:
            message, details = summarise(report, error)
            self.on_summary("Import", message, details)


# What the encoding choice offers besides a file's own guesses.
_CHOICES = (*CANDIDATES, "utf-8", "utf-16-le", "utf-16-be", "latin_1")


def legacy_files(paths: list[str]) -> list[EncodingPreview]:
    """Text files among `paths` (folders searched) whose encoding is a guess."""
    previews = [documents.preview_encoding(p) for p in documents.collect_files(paths)]
    return [p for p in previews if p.encoding is not None and not p.unicode]


class EncodingDialog(QDialog):
    """Files whose encoding was guessed, each with an encoding to choose (the guess
    first, then its close seconds, then the rest) and its first lines as they would be
    stored in that encoding."""

    def __init__(self, previews: list[EncodingPreview], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Text encoding")
        self.previews = {str(p.path): p for p in previews}
        self.chosen: dict[str, str] = {str(p.path): p.encoding or "" for p in previews}
        self.files = QListWidget()
        for p in previews:
            self.files.addItem(self._file_label(p, p.encoding or ""))
        self.files.setMaximumHeight(140)
        self.encoding = QComboBox()
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.preview = QPlainTextEdit()
        leading_aligned(self.preview)  # Arabic, Persian, Hebrew lines right-aligned
        self.preview.setReadOnly(True)
        self.preview.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        intro = QLabel(
            "These files are not in UTF-8. Check that the preview reads right; if it "
            "does not, choose the encoding the file was written in."
        )
        intro.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("Encoding:"))
        row.addWidget(self.encoding, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.files)
        layout.addLayout(row)
        layout.addWidget(self.note)
        layout.addWidget(self.preview, 1)
        layout.addWidget(buttons)
        self.resize(640, 520)
        self.files.currentRowChanged.connect(self._show_file)
        self.encoding.activated.connect(self._choose)
        if previews:
            self.files.setCurrentRow(0)

    def current_path(self) -> str:
        row = self.files.currentRow()
        return list(self.previews)[row] if row >= 0 else ""

    def _show_file(self, row: int) -> None:
        path = self.current_path()
        if not path:
            return
        guess = self.previews[path]
        self.encoding.blockSignals(True)
        self.encoding.clear()
        first = (guess.encoding or "", *guess.alternatives)
        for i, codec in enumerate(dict.fromkeys((*first, *_CHOICES))):
            label = encoding_label(codec)
            if i == 0:
                label += " (guessed)"
            elif codec in guess.alternatives:
                label += " (also likely)"
            self.encoding.addItem(label, codec)
        self.encoding.setCurrentIndex(max(self.encoding.findData(self.chosen[path]), 0))
        self.encoding.blockSignals(False)
        self._preview(path, self.chosen[path])

    @staticmethod
    def _file_label(preview: EncodingPreview, encoding: str) -> str:
        label = f"{preview.path.name}  —  {encoding_label(encoding)}"
        if encoding != preview.encoding:
            return label + " (chosen)"
        return label + (" (unsure)" if preview.alternatives and "unsure" in preview.note else "")

    def _choose(self, index: int) -> None:
        path = self.current_path()
        if path:
            self.chosen[path] = self.encoding.itemData(index)
            self.files.currentItem().setText(
                self._file_label(self.previews[path], self.chosen[path])
            )
            self._preview(path, self.chosen[path])

    def choose(self, encoding: str) -> None:
        """Choose an encoding for the file shown (what picking it in the list does)."""
        self.encoding.setCurrentIndex(self.encoding.findData(encoding))
        self._choose(self.encoding.currentIndex())

    def _preview(self, path: str, encoding: str) -> None:
        guess = self.previews[path]
        shown = guess if encoding == guess.encoding else documents.preview_encoding(path, encoding)
        if shown.problem:
            self.note.setText(shown.problem)
            self.preview.setPlainText("")
        else:
            self.note.setText(guess.note if shown is guess else "")
            self.preview.setPlainText(shown.preview)

    def choices(self) -> dict[str, str]:
        """Encoding per file path, for files whose choice differs from the guess."""
        return {p: e for p, e in self.chosen.items() if e and e != self.previews[p].encoding}
