"""GUI entry: ``run_gui(project_path_or_None) -> exit status``. Builds the QApplication,
opens the project (the one named, the last one, or on first run a sample project made
from the shipped resources) and shows the workbench. Given a REFI-QDA ``.qdpx`` instead
(a file manager opening one with Tessera), it asks where to save a new project and
imports the file into it.

The sample project and settings live in the platform's folders (platformdirs' user data
folder, QSettings' user config), never inside the installed package."""

from __future__ import annotations

import sys
from pathlib import Path

SAMPLE_NAME = "Sample project.tessera"


def data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("Tessera", "Tessera"))


def create_sample_project(folder: Path | None = None, *, actor: str = ""):
    """A project with the conflict-news codebook and the sample articles, so a new user
    has something to code within seconds. Returns the open Project."""
    from desktop.services.documents import documents
    from desktop.services.project.project import Project, resources_dir

    folder = Path(folder) if folder else data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SAMPLE_NAME
    project = Project.create(path, template="conflict-news", name="Sample project")
    project.actor = actor
    samples = sorted((resources_dir() / "sample").glob("*.txt"))
    documents.import_files(project, samples)
    return project


def choose_project(arg: str | None, settings) -> object:
    """The Project to open: the argument, else the last one, else the sample project."""
    from desktop.services.project.project import Project

    if arg:
        return Project.open(arg)
    last = settings.value("last_project", "", str)
    if last and Path(last).is_file():
        try:
            return Project.open(last)
        except Exception as exc:  # a moved or damaged file: fall back to the sample
            print(f"tessera: cannot open the last project {last}: {exc}", file=sys.stderr)
    sample = data_dir() / SAMPLE_NAME
    if sample.is_file():
        return Project.open(sample)
    return create_sample_project()


def project_from_qdpx_asking(qdpx: str, parent=None):
    """Ask where to save a new project for the REFI-QDA file ``qdpx``, create it and import
    the file into it. Returns the open Project, or None if the user cancelled."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

    from desktop.services.errors import ServiceError
    from desktop.services.exchange.qdpx_project import project_from_qdpx, suggested_project_path

    if not Path(qdpx).is_file():
        raise ServiceError(f"{qdpx}: no such file")
    target, _ = QFileDialog.getSaveFileName(
        parent, f"Save {Path(qdpx).name} as a new Tessera project",
        str(suggested_project_path(qdpx)), "Tessera projects (*.tessera)",
    )  # fmt: skip
    if not target:
        return None
    if not target.lower().endswith(".tessera"):
        target += ".tessera"
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        project, report = project_from_qdpx(qdpx, target)
    finally:
        QApplication.restoreOverrideCursor()
    if report.warnings:
        QMessageBox.information(
            parent, "Import REFI-QDA project",
            f"{Path(qdpx).name} was imported into {Path(target).name}, with warnings:\n\n"
            + "\n".join(report.warnings[:20]),
        )  # fmt: skip
    return project


def run_gui(project: str | None) -> int:
    from desktop.services.project import storage_errors

    storage_errors.install()  # disk full, read-only, in use: a sentence, not a traceback
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from desktop.services.errors import ServiceError
    from desktop.ui import theme
    from desktop.ui.look import apply_style, icon
    from desktop.ui.workbench.main_window import APP, ORG, MainWindow, app_settings

    QCoreApplication.setOrganizationName(ORG)
    QCoreApplication.setApplicationName(APP)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    settings = app_settings()
    first_run = not settings.contains("last_project")
    apply_style(app, settings.value(theme.SETTING, theme.SYSTEM, str))
    app.setWindowIcon(icon("tessera"))
    try:
        if project and project.lower().endswith(".qdpx"):
            opened = project_from_qdpx_asking(project)
            if opened is None:
                return 0  # the user cancelled: nothing made
        else:
            opened = choose_project(project, settings)
    except ServiceError as exc:
        print(f"tessera: {exc}", file=sys.stderr)
        if project and project.lower().endswith(".qdpx"):  # opened from a file manager
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.critical(None, "Tessera", f"{Path(project).name}: {exc}")
        return 1
    window = MainWindow(opened, settings=settings)
    window.show()
    if first_run:
        from PySide6.QtCore import QTimer

        from desktop.ui.workbench import help as help_ui

        QTimer.singleShot(0, lambda: help_ui.tour_on_first_run(window))
    status = app.exec()
    window.shutdown()
    return int(status)
