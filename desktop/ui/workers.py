"""Long work off the UI thread, as git-cola does it: a QRunnable task on the global
QThreadPool that reports through a QObject channel living in the UI thread. The
function gets ``progress`` (call it from the worker, any value) and ``cancelled``."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal


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
