"""Import in a worker: the window stays alive, failures are summed up once at the end,
Cancel leaves no half-imported document, files can be dropped on the window."""

from __future__ import annotations

import threading

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent

from desktop.services.documents import documents
from desktop.ui.documents.importing import summarise


def wait_import(qtbot, window):
    qtbot.waitUntil(lambda: not window.importer.busy, timeout=20_000)


def test_import_from_the_menu_runs_in_a_worker(window, qtbot, prompts, tmp_path):
    f = tmp_path / "new-article.txt"
    f.write_text("Fighting resumed near the border on Monday, residents said.\n", "utf-8")
    prompts.files = [str(f)]
    window.import_files()
    assert window.importer.busy
    wait_import(qtbot, window)
    names = [
        window.documents_panel.model.document(r).name
        for r in range(window.documents_panel.model.rowCount())
    ]
    assert "new-article.txt" in names
    assert prompts.summaries == []  # nothing to report: no dialog


def test_failures_reach_one_summary(window, qtbot, prompts, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("A short report about a ceasefire.\n", "utf-8")
    bad1 = tmp_path / "notes.xyz"
    bad1.write_text("?", "utf-8")
    bad2 = tmp_path / "missing.txt"  # does not exist
    window.import_files([str(bad1), str(good), str(bad2)])
    wait_import(qtbot, window)
    assert len(prompts.summaries) == 1
    title, message, details = prompts.summaries[0]
    assert "Imported 1 document" in message and "2 files could not be imported" in message
    assert "notes.xyz" in details and "missing.txt" in details


def test_a_worker_that_crashes_reaches_the_summary(window, qtbot, prompts):
    def boom(progress, cancelled):
        progress("starting")
        raise RuntimeError("disk on fire")

    window.importer.start(["x"], fn=boom)
    wait_import(qtbot, window)
    assert len(prompts.summaries) == 1
    assert "disk on fire" in prompts.summaries[0][1]


def test_cancel_stops_between_files_and_leaves_no_half_document(window, qtbot, prompts, tmp_path):
    files = []
    for i in range(5):
        f = tmp_path / f"a{i}.txt"
        f.write_text(f"Article number {i} about the talks.\n", "utf-8")
        files.append(str(f))
    gate, reached = threading.Event(), threading.Event()

    def slow_import(progress, cancelled):
        def held_progress(p):
            progress(p)
            if p.files_done == 2:
                reached.set()
                gate.wait(10)

        return documents.import_files(
            window.project, files, progress=held_progress, cancelled=cancelled
        )

    from PySide6.QtCore import QTimer

    ticks = []
    timer = QTimer(window)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    task = window.importer.start(files, fn=slow_import)
    qtbot.waitUntil(reached.is_set, timeout=10_000)  # two files read, the worker held
    held = len(ticks)
    qtbot.wait(100)
    assert len(ticks) > held  # the UI thread keeps running while the worker waits
    timer.stop()
    task.cancel()
    gate.set()
    wait_import(qtbot, window)
    names = {d.name for d in documents.list_documents(window.project)}
    assert names == {"talks.txt", "a0.txt", "a1.txt"}
    assert "Cancelled" in prompts.summaries[0][1]


def test_files_dropped_on_the_window_are_imported(window, qtbot, prompts, tmp_path):
    f = tmp_path / "dropped.txt"
    f.write_text("Dropped text about displaced families.\n", "utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f))])
    event = QDropEvent(QPoint(10, 10).toPointF(), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)  # fmt: skip
    window.dropEvent(event)
    qtbot.waitUntil(
        lambda: bool(window.importer.busy or documents.find_document(window.project, "dropped.txt"))
    )
    wait_import(qtbot, window)
    assert documents.find_document(window.project, "dropped.txt") is not None, prompts.summaries


def test_summary_text():
    from pathlib import Path

    report = documents.ImportReport(failed=[(Path("/x/a.pdf"), "it is encrypted")],
                                    duplicates=[(Path("b.txt"), "b.txt")])  # fmt: skip
    message, details = summarise(report)
    assert "Imported 0 documents" in message and "a.pdf: it is encrypted" in message
    assert "b.txt" in details


def test_export_menu_writes_the_codings_csv(window, qtbot, prompts, tmp_path):
    from tests.ui.helpers import select

    select(window, "Syria's regime")
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)
    out = tmp_path / "codings.csv"
    prompts.save_to = str(out)
    export_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    export_menu = next(a.menu() for a in export_menu.actions() if a.text() == "&Export")
    with qtbot.waitSignal(window.export_done, timeout=20_000) as blocker:
        next(a for a in export_menu.actions() if a.text() == "Codings as CSV…").trigger()
    assert blocker.args == [str(out)]
    text = out.read_text("utf-8")
    assert "Syria's regime" in text and "Actors/State forces" in text
    assert prompts.errors == []


def test_a_failed_export_is_reported(window, qtbot, prompts, tmp_path):
    from desktop.ui.project import actions as project_actions

    prompts.save_to = str(tmp_path / "no-such-folder" / "codings.csv")
    with qtbot.waitSignal(window.export_done, timeout=20_000):
        project_actions.export(window, "codings")
    assert len(prompts.errors) == 1 and "export failed" in prompts.errors[0]


def test_the_summary_names_each_duplicate_and_the_first_new_document_opens(
    window, qtbot, prompts, tmp_path
):
    from tests.ui.conftest import ARTICLE

    copy = tmp_path / "deraa-copy.txt"
    copy.write_text(ARTICLE, "utf-8")  # the text of talks.txt, already in the project
    new = tmp_path / "new-report.txt"
    new.write_text("Shelling resumed near the crossing on Friday.\n", "utf-8")
    assert window.doc_title.text() != "new-report.txt"
    window.import_files([str(copy), str(new)])
    wait_import(qtbot, window)
    title, message, details = prompts.summaries[0]
    assert "Imported 1 document" in message
    assert "deraa-copy.txt" in message and "“talks.txt”" in message  # the file and its twin
    new_doc = documents.find_document(window.project, "new-report.txt")
    assert window.document_id == new_doc.id  # opened, though another document was open
    assert window.viewer.text.startswith("Shelling resumed")
    assert window.documents_panel.view.currentIndex().data() == "new-report.txt"
