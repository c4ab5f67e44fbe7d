"""One query at a time per tab, in a worker: a progress bar, a Cancel button and a
line that says what happened (the result's summary, the error, or "Cancelled")."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from desktop.ui.workers import Task, TaskRunner


class QueryRunner(QWidget):
    """Runs ``fn(progress, cancelled)`` off the UI thread and hands its result to
    ``done`` in the UI thread; a new query cancels the one still running."""

    finished = Signal()  # after ``done`` or a failure (tests wait on it)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.task: Task | None = None
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setMaximumWidth(180)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        lay.addWidget(self.status, 1)
        lay.addWidget(self.bar)
        lay.addWidget(self.cancel_button)
        self._idle()

    @property
    def busy(self) -> bool:
        return self.task is not None

    def run(self, label: str, fn: Callable[..., object], done: Callable[[object], None]) -> Task:
        self.cancel()
        task = Task(fn)
        self.task = task
        self.status.setText(label)
        self.bar.setValue(0)
        self.bar.setRange(0, 0)  # busy until the first progress report
        self.bar.show()
        self.cancel_button.show()
        task.channel.progress.connect(lambda v, t=task: self._progress(t, v))
        task.channel.finished.connect(lambda r, t=task: self._finished(t, r, done))
        task.channel.failed.connect(lambda e, t=task: self._failed(t, e))
        self.runner.start(task)
        return task

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.task = None
            self.status.setText("Cancelled")
            self._idle()

    def say(self, text: str) -> None:
        self.status.setText(text)

    def _idle(self) -> None:
        self.bar.hide()
        self.cancel_button.hide()

    def _progress(self, task: Task, value: object) -> None:
        """``value``: the fraction done, or (fraction, what is being done now)."""
        if task is not self.task:
            return
        if isinstance(value, tuple) and len(value) == 2:
            value, text = value
            self.status.setText(str(text))
        if isinstance(value, int | float):
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * float(value)))

    def _finished(self, task: Task, result: object, done: Callable[[object], None]) -> None:
        if task is not self.task:
            return  # cancelled or replaced: its result is not wanted
        self.task = None
        self._idle()
        try:
            done(result)
        finally:
            self.finished.emit()

    def _failed(self, task: Task, error: str) -> None:
        if task is not self.task:
            return
        self.task = None
        self._idle()
        # ServiceError: ... -> the message alone; the user never sees a traceback
        kind, _, message = error.partition(": ")
        self.status.setText("Cancelled" if kind.endswith("Cancelled") else (message or error))
        self.status.setProperty("error", True)
        self.finished.emit()
