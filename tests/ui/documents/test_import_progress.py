"""The import's progress dialog lives exactly as long as its task: it never comes back
over the summary once the import has ended, and a progress report that arrives while
the import ends (a window-modal progress dialog runs the event loop when its value
changes) is dropped, never a traceback. Many small imports one after another show it."""

from __future__ import annotations

import threading

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog

from desktop.services.documents import documents
from desktop.services.documents.documents import ImportProgress
from desktop.ui.workers import set_steps


def visible_progress() -> list[QProgressDialog]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QProgressDialog) and w.isVisible()]  # fmt: skip


def wait_import(qtbot, window):
    qtbot.waitUntil(lambda: not window.importer.busy, timeout=20_000)


class ModalSummary:
    """Stands in for the summary box: like ``QMessageBox.exec`` it runs the event loop
    while the user reads it (here until a progress dialog shows up over it, or for a
    little longer than the progress dialog waits before it shows itself)."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.progress_over_it: list[str] = []

    def __call__(self, title: str, message: str, details: str = "") -> None:
        self.seen.append(message)
        loop = QEventLoop()
        poll = QTimer()
        poll.timeout.connect(lambda: visible_progress() and loop.quit())
        poll.start(20)
        QTimer.singleShot(700, loop.quit)
        loop.exec()
        poll.stop()
        if visible_progress():
            self.progress_over_it.append(message)


def test_many_small_imports_leave_no_progress_dialog_over_the_summary(
    window, qtbot, prompts, tmp_path
):
    summary = ModalSummary()
    prompts.summary = summary
    again = tmp_path / "again.txt"
    again.write_text("The same short report, imported once more.\n", "utf-8")
    for i in range(6):
        fresh = tmp_path / f"batch-{i}.txt"
        fresh.write_text(f"Report number {i} from the border crossing.\n", "utf-8")
        window.import_files([str(fresh), str(again)])  # `again` is a duplicate after the first
        wait_import(qtbot, window)
    assert len(summary.seen) == 5
    assert summary.progress_over_it == []
    qtbot.wait(500)  # the progress dialog's own timer would have shown it by now
    assert visible_progress() == []
    assert len(documents.list_documents(window.project)) == 1 + 7


def test_a_progress_report_that_meets_the_end_of_the_import_is_dropped(
    window, qtbot, prompts, tmp_path
):
    shown = threading.Event()

    def work(progress, cancelled):
        progress(ImportProgress(files_done=0, files_total=2, current="a.txt"))
        shown.wait(10)  # until the progress dialog is on screen
        # the last report and the end are delivered one right after the other
        progress(ImportProgress(files_done=1, files_total=2, current="b.txt"))
        return documents.ImportReport()

    for _ in range(3):
        shown.clear()
        window.importer.start(["a.txt", "b.txt"], fn=work)
        qtbot.waitUntil(lambda: bool(visible_progress()), timeout=5000)
        shown.set()
        wait_import(qtbot, window)  # a traceback in a slot fails the test (pytest-qt)
        qtbot.waitUntil(lambda: not visible_progress(), timeout=5000)
    assert prompts.errors == []


def test_a_long_task_started_from_a_menu_leaves_no_progress_dialog_over_its_result(window, qtbot):
    summary = ModalSummary()
    done = []

    def finished(result):
        done.append(result)
        summary("Export", "finished")

    def work(progress, cancelled):
        progress((0, 1, "Exporting talks.txt"))  # starts the dialog's own timer
        return 42

    window.run_long("Export", "Exporting…", work, done=finished,
                    progressed=lambda dialog, step: set_steps(dialog, *step))  # fmt: skip
    qtbot.waitUntil(lambda: done == [42], timeout=5000)
    assert summary.progress_over_it == []
