"""Safety in the window: a backup each time a project is opened (in a worker; a
failure is a status-bar warning, never a stop), File > Restore from backup…, and what
happens when the opened file is damaged (the newest good backup is offered) or can
only be read."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from desktop.core import wording
from desktop.services.errors import ServiceError
from desktop.services.project import backup_folder, backups
from desktop.services.project.backup_folder import BackupInfo
from desktop.services.project.project import Project
from desktop.ui.long_tasks import busy
from desktop.ui.workers import Task

if TYPE_CHECKING:
    from desktop.ui.workbench.host import Workbench

WARN_MS = 15_000


# -- on open -----------------------------------------------------------------------------------


def after_open(w: Workbench, project: Project) -> Task | None:
    """What opening a project starts: the damage named (no backup of a damaged file), a
    read-only notice, or the backup made in a worker (returned)."""
    if project.damage:
        # the damage is named at once; no backup of a damaged file is made
        QTimer.singleShot(0, lambda: handle_damage(w, project))
    elif project.read_only:
        w.show_message(f"Opened read-only: {project.read_only}", WARN_MS * 2)
    else:
        return backup_after_open(w, project)
    return None


def ask_about_damage(w: Workbench, project: Project, good: BackupInfo | None) -> str:
    """ "restore" (the newest good backup), "go_on" (write anyway) or "read" (look,
    change nothing). Tests patch this."""
    box = QMessageBox(QMessageBox.Icon.Critical, "The project file is damaged", "", parent=w)
    box.setText(
        f"<b>{Path(project.path).name}</b> is damaged: SQLite's check found "
        f"{wording.count(len(project.damage), 'problem')}. Tessera will not write to it until you choose, "
        "so the damage does not spread."
    )
    box.setDetailedText(project.damage_message + "\n\n" + "\n".join(project.damage[:20]))
    restore = None
    if good is not None:
        restore = box.addButton(
            f"Restore the backup of {good.label().split('  ')[0]}",
            QMessageBox.ButtonRole.AcceptRole,
        )
    read = box.addButton("Only look (change nothing)", QMessageBox.ButtonRole.RejectRole)
    go_on = box.addButton("Write to it anyway", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(restore or read)
    box.exec()
    clicked = box.clickedButton()
    return "restore" if clicked is restore else "go_on" if clicked is go_on else "read"


def handle_damage(w: Workbench, project: Project) -> None:
    if w.ctx is None or w.ctx.project is not project:
        return
    good = backup_folder.newest_good_backup(project.path)
    choice = ask_about_damage(w, project, good[1] if good else None)
    if choice == "restore" and good is not None:
        path, chosen = Path(project.path), good[1]

        def done(_result) -> None:
            reopen(w, path)
            w.show_message(f"Restored the backup of {chosen.label().split('  ')[0]}", 10_000)

        w.run_long(
            "Restore from backup", "Restoring the backup…",
            lambda progress, cancelled: backups.restore(path, chosen.path),
            done=done, failed=lambda reason, _c: w.prompts.error(f"The backup was not restored: {reason}"),
            cancellable=False,
        )  # fmt: skip
    elif choice == "go_on":
        project.go_on_despite_damage()
        w.show_message("Writing to the damaged project, as you chose", WARN_MS)
    else:
        w.show_message(
            "The project is damaged and open for reading only: restore a backup from the File menu",
            WARN_MS * 2,
        )


# -- backup on open ---------------------------------------------------------------------------


def backup_after_open(w: Workbench, project: Project) -> Task:
    """Back the just-opened project up if its content is new (about a second for a big
    changed project, so in a worker); a refusal becomes a warning in the status bar."""

    def work(progress, cancelled):
        warnings: list[str] = []
        info = backups.backup_on_open_or_warn(project, warnings.append)
        return info, warnings

    task = Task(work)

    def finished(result) -> None:
        if w.ctx is None or w.ctx.project is not project:
            return  # another project was opened meanwhile
        info, warnings = result
        if warnings:
            w.show_message(warnings[0].removeprefix("warning: ").capitalize(), WARN_MS)

    task.channel.finished.connect(finished)
    task.channel.failed.connect(
        lambda error: w.show_message(f"No backup was made on opening: {error}", WARN_MS)
    )
    w.runner.start(task)
    return task


# -- restore ----------------------------------------------------------------------------------


class RestoreDialog(QDialog):
    """The project's backups, newest first; the chosen one is restored."""

    def __init__(self, items: list[BackupInfo], project_path: Path, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore from backup")
        intro = QLabel(
            f"Bring <b>{project_path.name}</b> back as it was in a backup. The project as it "
            "is now is backed up first, so a restore can itself be undone from this list."
        )
        intro.setWordWrap(True)
        self.list = QListWidget()
        for b in items:
            item = QListWidgetItem(b.label())
            item.setToolTip(str(b.path))
            item.setData(Qt.ItemDataRole.UserRole, b)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.itemDoubleClicked.connect(lambda _i: self.accept())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.addButton("Restore", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(self.list, 1)
        lay.addWidget(buttons)
        self.resize(560, 360)

    def chosen(self) -> BackupInfo | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None


def choose_backup(w: Workbench, items: list[BackupInfo]) -> BackupInfo | None:
    """Ask which backup to restore (tests patch this)."""
    dialog = RestoreDialog(items, Path(w.project.path), w)
    return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None


def restore_from_backup(w: Workbench) -> None:
    if busy(w):
        return
    if w.importer.busy or w.backup_task in w.runner.running:
        w.show_message("Wait a moment: the project is being imported into or backed up", 5000)
        return
    path = Path(w.project.path)
    try:
        items = backup_folder.list_backups(path)
    except (ServiceError, OSError) as exc:
        w.prompts.error(f"The backups cannot be listed: {exc}")
        return
    if not items:
        w.prompts.error(
            f"{path.name} has no backups yet. One is made each time the project is opened "
            "after a change."
        )
        return
    chosen = choose_backup(w, items)
    if chosen is None:
        return

    def done(result) -> None:
        reopen(w, path)
        when = chosen.label().split("  ")[0]
        w.show_message(
            f"Restored the backup of {when}; the project as it was is in the backups too", 10_000
        )

    def failed(reason: str, _cancelled: bool) -> None:
        w.prompts.error(f"The backup was not restored: {reason}")

    w.run_long(
        "Restore from backup", "Restoring the backup…",
        lambda progress, cancelled: backups.restore(path, chosen.path),
        done=done, failed=failed, cancellable=False,
    )  # fmt: skip


def reopen(w: Workbench, path: Path) -> None:
    """Open the project afresh in the window: undo history cleared, every view reloaded."""
    try:
        project = Project.open(path)
    except ServiceError as exc:
        w.prompts.error(f"The project cannot be opened again: {exc}")
        return
    w.set_project(project)
