"""Long work started from a menu: a worker with a progress dialog (and Cancel where the
service can stop), then one callback with the result or with what went wrong; and the
dialog that shows a dry run's report and asks whether to go on.

The window runs them (``Workbench.run_long``) for the project, teams and exchange
features. Dialogs a test must answer are module-level functions of those modules, so a
test patches them by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
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
from desktop.ui.workers import Task

if TYPE_CHECKING:
    from desktop.ui.workbench.host import Workbench


class TaskProgress(QObject):
    """A progress dialog that lives exactly as long as its task.

    The task's end is passed on (``finished``/``failed``) only once the dialog is gone
    for good: its own show-after-a-delay timer stopped, so it never comes back over the
    result. A window-modal QProgressDialog runs the event loop when its value changes, so
    the end can arrive in the middle of a progress update: it then waits until the
    update returns. Reports that arrive after the end, or after Cancel, are dropped."""

    finished = Signal(object)  # the task's result
    failed = Signal(str)  # what went wrong, in words

    def __init__(
        self,
        parent: QWidget,
        task: Task,
        title: str,
        label: str,
        *,
        cancellable: bool = True,
        show_after: int = 500,
        update: Callable[[QProgressDialog, object], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.task = task
        self.update = update
        self._updating = False
        self._end: tuple[Signal, object] | None = None
        dialog = QProgressDialog(label, "Cancel" if cancellable else "", 0, 0, parent)
        dialog.setWindowTitle(title)
        dialog.setMinimumWidth(420)  # file names in the label do not make it jump
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(show_after)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if not cancellable:
            dialog.setCancelButton(None)
        dialog.canceled.connect(task.cancel)
        dialog.canceled.connect(lambda: dialog.setLabelText("Cancelling…"))
        self.dialog: QProgressDialog | None = dialog
        task.channel.progress.connect(self._progress)
        task.channel.finished.connect(lambda result: self._ended(self.finished, result))
        task.channel.failed.connect(lambda error: self._ended(self.failed, error))

    def _progress(self, value: object) -> None:
        if self.dialog is None or self._updating or self.task.is_cancelled:
            return
        if self.update is None:
            return
        self._updating = True
        try:
            self.update(self.dialog, value)
        finally:
            self._updating = False
        if self._end is not None:
            self._close()

    def _ended(self, signal: Signal, value: object) -> None:
        if self._end is not None or self.dialog is None:
            return
        self._end = (signal, value)
        if not self._updating:
            self._close()

    def _close(self) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is None or self._end is None:
            return
        dialog.reset()  # stops the timer that would show it after its delay
        dialog.hide()
        dialog.deleteLater()
        signal, value = self._end
        signal.emit(value)
        self.deleteLater()


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


def set_steps(dialog: QProgressDialog, done: int, total: int, text: str) -> None:
    dialog.setMaximum(max(total, 1))
    dialog.setValue(min(done, max(total, 1)))
    dialog.setLabelText(text)


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
