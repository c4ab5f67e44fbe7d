"""Long work started from a menu: a worker with a progress dialog (and Cancel where the
service can stop), then one callback with the result or with what went wrong; and the
dialog that shows a dry run's report and asks whether to go on.

The window runs them (``Workbench.run_long``) for the project, teams and exchange
features. Dialogs a test must answer are module-level functions of those modules, so a
test patches them by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QTextOption
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)

from desktop.ui import a11y
from desktop.ui.workers import Task, TaskProgress

if TYPE_CHECKING:
    from desktop.ui.workbench.host import Workbench


def run_long(
    w: Workbench,
    title: str,
    label: str,
    fn: Callable[..., object],
    *,
    done: Callable[[object], None],
    failed: Callable[[str, bool], None] | None = None,
    cancellable: bool = True,
    progressed: Callable[[QProgressDialog, object], None] | None = None,
    closed: Callable[[Task], None] | None = None,
) -> Task:
    """Run ``fn(progress, cancelled)`` in the window's pool behind a window-modal progress
    dialog (shown after half a second). ``done(result)`` or ``failed(error, cancelled)``
    is called on the UI thread once the dialog is gone, after ``closed(task)``."""
    task = Task(fn)
    progress = TaskProgress(w, task, title, label, cancellable=cancellable, update=progressed)

    def on_done(result) -> None:
        if closed is not None:
            closed(task)
        a11y.announce(w, f"{title}: finished")  # said first, then what ``done`` shows
        done(result)

    def on_failed(error: str) -> None:
        if closed is not None:
            closed(task)
        a11y.announce(w, f"{title}: {'cancelled' if task.is_cancelled else 'failed'}")
        reason = error.split(": ", 1)[-1] if ": " in error else error
        if failed is not None:
            failed(reason, task.is_cancelled)
        elif not task.is_cancelled:
            w.prompts.error(f"{title}: {reason}")

    progress.finished.connect(on_done)
    progress.failed.connect(on_failed)
    w.runner.start(task)
    return task


def busy(w: Workbench) -> bool:
    """Whether a long task started from these menus is still running (one at a time)."""
    if w.long_task is not None:
        w.show_message("Wait for the task in progress to finish first.", 5000)
        return True
    return False


class ReportDialog(QDialog):
    """What a dry run found, and the question whether to go on. Each of ``options`` (label,
    hint) is a checkbox; ``reports`` and ``can_go`` are keyed by the tuple of their
    states (a state missing from ``reports`` shows the report without any option)."""

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        intro: str,
        reports: dict[tuple[bool, ...], list[str]],
        *,
        go_text: str,
        can_go: dict[tuple[bool, ...], bool] | None = None,
        options: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.reports = reports
        self.can_go = can_go or {}
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.text.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.TypeWriter)
        self.text.setFont(mono)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.go = self.buttons.addButton(go_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.go.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.intro)
        lay.addWidget(self.text, 1)
        self.options: list[QCheckBox] = []
        for label, hint in options or []:
            box = QCheckBox(label)
            box.toggled.connect(self._show)
            lay.addWidget(box)
            self.options.append(box)
            if hint:
                note = QLabel(hint)
                note.setWordWrap(True)
                note.setObjectName("hint")
                note.setContentsMargins(22, 0, 0, 4)
                lay.addWidget(note)
        lay.addWidget(self.buttons)
        self.resize(680, 420)
        self._show()

    @property
    def state(self) -> tuple[bool, ...]:
        return tuple(box.isChecked() for box in self.options)

    def _show(self, *_args) -> None:
        plain = tuple(False for _ in self.options)
        lines = self.reports.get(self.state, self.reports.get(plain, []))
        self.text.setPlainText("\n".join(lines))
        self.go.setEnabled(self.can_go.get(self.state, True))


def ask_to_go(dialog: ReportDialog) -> tuple[bool, ...] | None:
    """Run a ReportDialog: None if cancelled, else the states of its options."""
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.state
