"""File menu actions: new and open project, export."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog

from desktop.services.errors import ServiceError
from desktop.services.project.project import Project, resources_dir
from desktop.ui.workers import Task

if TYPE_CHECKING:
    from desktop.ui.workbench.host import Workbench

CSV_FILTER = "CSV files (*.csv);;All files (*)"


def templates() -> list[str]:
    """Template keys for the New dialog: the shipped ones (conflict-news first), then
    those the user saved (Codebook > Save codebook as template…)."""
    from desktop.services.project.templates import list_templates

    names = sorted(p.stem for p in (resources_dir() / "templates").glob("*.json"))
    shipped = sorted(names, key=lambda n: n != "conflict-news")
    return shipped + [t.key for t in list_templates() if not t.builtin and t.key not in shipped]


def new_project(w: Workbench) -> None:
    answer = w.prompts.new_project(templates())
    if not answer:
        return
    path, template = answer
    try:
        project = Project.create(path, template=template)
    except ServiceError as exc:
        w.prompts.error(str(exc))
        return
    w.set_project(project)


def open_project(w: Workbench, path: str | None = None) -> None:
    path = path or w.prompts.open_project()
    if not path:
        return
    try:
        project = Project.open(path)
    except ServiceError as exc:
        w.prompts.error(str(exc))
        return
    w.set_project(project)


def export(w: Workbench, what: str, *, excel: bool = False) -> None:
    """Export in a worker (a large project takes seconds), with a progress dialog and
    Cancel for the codings; the result or the reason it failed is shown at the end."""
    try:
        from desktop.services.exchange import exchange
    except ImportError:
        w.prompts.error("Export is not available in this version.")
        return
    stem = Path(w.project.path).stem
    out = w.prompts.save_path(f"Export {what}", f"{stem}-{what}.csv", CSV_FILTER)
    if not out:
        return
    project = w.project

    def work(progress, cancelled):
        if what == "codings":
            return exchange.export_codings(
                project,
                out,
                excel=excel,
                progress=lambda d, t: progress((d, t)),
                cancelled=cancelled,
            )
        if what == "documents":
            return exchange.export_documents(project, out, excel=excel)
        return exchange.export_codebook(project, out, "csv", excel=excel)

    dialog = QProgressDialog(f"Exporting {what}…", "Cancel", 0, 0, w)
    dialog.setWindowTitle("Export")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(500)
    task = Task(work)
    dialog.canceled.connect(task.cancel)

    def progressed(value) -> None:
        done, total = value
        dialog.setMaximum(max(total, 1))
        dialog.setValue(done)

    def finished(n) -> None:
        dialog.hide()
        dialog.deleteLater()
        w.show_message(f"Exported {n} {what} rows to {out}", 8000)
        w.export_done.emit(out)

    def failed(error: str) -> None:
        dialog.hide()
        dialog.deleteLater()
        if not task.is_cancelled:
            w.prompts.error(f"The export failed: {error.split(': ', 1)[-1]}")
        w.export_done.emit("")

    task.channel.progress.connect(progressed)
    task.channel.finished.connect(finished)
    task.channel.failed.connect(failed)
    w.runner.start(task)
