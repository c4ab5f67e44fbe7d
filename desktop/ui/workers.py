"""Long work off the UI thread, as git-cola does it: a QRunnable task on the global
QThreadPool that reports through a QObject channel living in the UI thread. The
function gets ``progress`` (call it from the worker, any value) and ``cancelled``.
``TaskProgress`` is the progress dialog that lives exactly as long as one task."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget


class Channel(QObject):
    progress = Signal(object)
    finished = Signal(object)  # the function's result
    failed = Signal(str)  # what went wrong, in words


class Task(QRunnable):
    def __init__(self, fn: Callable[..., object]) -> None:
        super().__init__()
        self.setAutoDelete(False)  # Python keeps it alive (see TaskRunner)
        self.fn = fn
        self.channel = Channel()
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:
        try:
            result = self.fn(progress=self.channel.progress.emit, cancelled=self._cancel.is_set)
        except Exception as exc:  # reported to the user in the summary, never lost
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            self.channel.failed.emit(detail)
        else:
            self.channel.finished.emit(result)


class TaskRunner(QObject):
    """Starts tasks and holds them until they report back."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool.globalInstance()
        self.running: set[Task] = set()

    def start(self, task: Task) -> Task:
        self.running.add(task)
        # let go of the task only after its signal has been delivered
        task.channel.finished.connect(
            lambda _r, t=task: QTimer.singleShot(0, lambda: self.running.discard(t))
        )
        task.channel.failed.connect(
            lambda _e, t=task: QTimer.singleShot(0, lambda: self.running.discard(t))
        )
        self.pool.start(task)
        return task

    def wait(self, msecs: int = -1) -> bool:
        return self.pool.waitForDone(msecs)


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


def set_steps(dialog: QProgressDialog, done: int, total: int, text: str) -> None:
    dialog.setMaximum(max(total, 1))
    dialog.setValue(min(done, max(total, 1)))
    dialog.setLabelText(text)
