"""File menu actions: new and open project, export."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from desktop.services.errors import ServiceError
from desktop.services.project import Project, resources_dir

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow

CSV_FILTER = "CSV files (*.csv);;All files (*)"


def templates() -> list[str]:
    names = sorted(p.stem for p in (resources_dir() / "templates").glob("*.json"))
    return sorted(names, key=lambda n: n != "conflict-news")


def new_project(w: MainWindow) -> None:
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


def open_project(w: MainWindow, path: str | None = None) -> None:
    path = path or w.prompts.open_project()
    if not path:
        return
    try:
        project = Project.open(path)
    except ServiceError as exc:
        w.prompts.error(str(exc))
        return
    w.set_project(project)


def export(w: MainWindow, what: str, *, excel: bool = False) -> None:
    try:
        from desktop.services import exchange
    except ImportError:
        w.prompts.error("Export is not available in this version.")
        return
    stem = Path(w.project.path).stem
    out = w.prompts.save_path(f"Export {what}", f"{stem}-{what}.csv", CSV_FILTER)
    if not out:
        return
    try:
        if what == "codings":
            n = exchange.export_codings(w.project, out, excel=excel)
        elif what == "documents":
            n = exchange.export_documents(w.project, out, excel=excel)
        else:
            n = exchange.export_codebook(w.project, out, "csv", excel=excel)
    except ServiceError as exc:
        w.prompts.error(str(exc))
        return
    w.statusBar().showMessage(f"Exported {n} {what} rows to {out}", 6000)
