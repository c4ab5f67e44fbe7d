"""Importing files in a worker: a progress dialog with Cancel, the window keeps
painting, and one summary at the end lists every file that was not imported."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from desktop.services.documents import documents
from desktop.services.documents.documents import ImportProgress, ImportReport
from desktop.ui.workers import Task, TaskRunner


def summarise(report: ImportReport | None, error: str = "") -> tuple[str, str]:
    """(message, details) for the one summary shown after an import."""
    if report is None:
        return f"The import stopped: {error}", ""
    n = len(report.imported)
    parts = [f"Imported {n} document{'s' if n != 1 else ''}."]
    if report.cancelled:
        parts.append("Cancelled: files not reached were not imported.")
    if report.duplicates:
        parts.append(f"{len(report.duplicates)} already in the project.")
    if report.failed:
        parts.append(f"{len(report.failed)} could not be imported:")
    lines = [f"• {Path(p).name}: {why}" for p, why in report.failed]
    lines += [f"• {Path(p).name}: same text as “{name}”" for p, name in report.duplicates]
    message = " ".join(parts)
    if report.failed:
        message += "\n" + "\n".join(lines[: len(report.failed)][:12])
    return message, "\n".join(lines)


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
        self.dialog: QProgressDialog | None = None

    @property
    def busy(self) -> bool:
        return self.task is not None

    def start(self, paths: list[str], fn: Callable[..., object] | None = None) -> Task | None:
        if not paths or self.busy:
            return None
        project = self.project()
        work = fn or (lambda progress, cancelled: documents.import_files(
            project, paths, progress=progress, cancelled=cancelled))  # fmt: skip
        task = Task(work)
        self.task = task
        dlg = QProgressDialog("Importing…", "Cancel", 0, 0, self.parent_widget)
        dlg.setWindowTitle("Import documents")
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.setMinimumDuration(400)
        dlg.setAutoClose(False)
        dlg.setAutoReset(False)
        dlg.canceled.connect(task.cancel)
        self.dialog = dlg
        task.channel.progress.connect(self._progress)
        task.channel.finished.connect(lambda report: self._finish(report, ""))
        task.channel.failed.connect(lambda error: self._finish(None, error))
        self.runner.start(task)
        return task

    def _progress(self, p: ImportProgress) -> None:
        if self.dialog is None or not isinstance(p, ImportProgress):
            return
        self.dialog.setMaximum(max(p.files_total, 1))
        self.dialog.setValue(p.files_done)
        label = f"Importing {p.current}" if p.current else "Importing…"
        if p.pages_total:
            label += f" (page {p.pages_done} of {p.pages_total})"
        self.dialog.setLabelText(f"{label}\n{p.files_done} of {p.files_total} files")

    def _finish(self, report: ImportReport | None, error: str) -> None:
        if self.dialog is not None:
            self.dialog.hide()
            self.dialog.deleteLater()
            self.dialog = None
        self.task = None
        self.done.emit(report)
        quiet = report is not None and not (report.failed or report.duplicates or report.cancelled)
        if not quiet:
            message, details = summarise(report, error)
            self.on_summary("Import", message, details)
