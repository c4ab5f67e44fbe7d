"""The agreement dialog: choices, the computation in a worker with progress and Cancel,
the table (n/a for undefined values), and saving CSV and HTML."""

from __future__ import annotations

import csv
import io
import threading
from pathlib import Path

import lxml.html
import pytest
from PySide6.QtCore import Qt

from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.project.project import Project
from desktop.services.review import agreement as agreement_svc
from desktop.services.teams import coders, teams
from desktop.ui.review.agreement import AgreementDialog
from desktop.ui.workers import TaskRunner

DOC1 = "Rebels said talks failed. Russia resumed air strikes today. A monitor said so."
DOC2 = "The army took the town. Rebels fled north and east. Nobody was hurt, the mayor said."
EVIL = "<script>alert(1)</script>"


@pytest.fixture
def project(tmp_path: Path):
    p = Project.create(tmp_path / "agree.tessera", template="empty", name="Agree")
    d1 = documents.add_document(p, name="one.txt", text=DOC1, kind="txt").id
    d2 = documents.add_document(p, name="two.txt", text=DOC2, kind="txt").id
    documents.add_document(p, name="uncoded.txt", text="Nothing here.", kind="txt")
    actors = codebook.add_code(p, "Actors").id
    evil = codebook.add_code(p, EVIL).id
    codebook.add_code(p, "Unused")
    ana = coders.add_coder(p, "ana").id
    ben = coders.add_coder(p, "ben").id
    coders.add_coder(p, "cy")  # no codings: not ticked at first
    for who, code, doc, start, end in [
        (ana, actors, d1, 0, 6), (ben, actors, d1, 0, 6), (ana, actors, d2, 4, 8),
        (ben, actors, d2, 24, 30), (ana, evil, d1, 12, 24), (ben, evil, d1, 18, 24),
    ]:  # fmt: skip
        codings.apply_coding(p, document_id=doc, code_id=code, coder_id=who, start=start, end=end)
    yield p
    p.close()


@pytest.fixture
def dialog(qtbot, project):
    runner = TaskRunner()
    saved: list[str | None] = []
    dlg = AgreementDialog(project, runner, save_path=lambda *_a: saved.pop(0) if saved else None)
    dlg.answers = saved
    qtbot.addWidget(dlg)
    dlg.show()
    yield dlg
    if dlg.task is not None:
        dlg.task.cancel()
    runner.wait(10_000)


def table(dlg) -> list[list[str]]:
    m = dlg.model
    return [[m.index(r, c).data() for c in range(m.columnCount())] for r in range(m.rowCount())]


def test_computes_in_a_worker_and_shows_the_table(dialog, qtbot, project):
    assert dialog.choices() == {"coders": ["ana", "ben"], "documents": None, "codes": None,
                                "unit": "char"}  # fmt: skip
    assert not dialog.save_csv_button.isEnabled()
    with qtbot.waitSignal(dialog.compute().channel.finished, timeout=10_000):
        assert dialog.progress.isVisible() and dialog.cancel_button.isVisible()
        assert not dialog.compute_button.isEnabled()
    assert not dialog.progress.isVisible() and dialog.compute_button.isEnabled()
    expected = agreement_svc.project_agreement(project, coders=["ana", "ben"])
    rows = table(dialog)
    assert len(rows) == len(expected.rows)
    assert [r[:2] for r in rows[:2]] == [["Actors", "all documents"], [EVIL, "all documents"]]
    alpha = expected.find("Actors").value("krippendorff_alpha")
    assert rows[0][8] == f"{alpha:.3f}"
    assert rows[0][2] == f"{len(DOC1) + len(DOC2):,}"
    assert "ana, ben" in dialog.summary.text() and "2 documents" in dialog.summary.text()
    # n/a with its reason: Actors in one.txt, both coded the same and nothing else
    row = next(i for i, r in enumerate(rows) if r[:2] == ["Actors", "one.txt"])
    assert rows[row][4:9] == ["100.0 %", "1.000", "1.000", "1.000", "1.000"]
    row = next(i for i, r in enumerate(rows) if r[:2] == [EVIL, "two.txt"])
    assert rows[row][8] == "n/a"
    tip = dialog.model.index(row, 8).data(Qt.ItemDataRole.ToolTipRole)
    assert tip and "variation" in tip.lower()
    assert dialog.save_csv_button.isEnabled() and dialog.save_html_button.isEnabled()


def test_choices_reach_the_service(dialog, qtbot, project):
    sha = documents.list_documents(project)[1].sha256  # two.txt
    dialog.set_checked("documents", [sha])
    dialog.set_checked("codes", ["Actors", "Unused"])
    dialog.unit_box.setCurrentIndex(dialog.unit_box.findData("word"))
    with qtbot.waitSignal(dialog.compute().channel.finished, timeout=10_000):
        pass
    rows = table(dialog)
    assert [r[:2] for r in rows] == [
        ["Actors", "all documents"], ["Unused", "all documents"],
        ["Actors", "two.txt"], ["Unused", "two.txt"],
    ]  # fmt: skip
    assert dialog.report.unit == "word" and rows[3][8] == "n/a"
    dialog.set_checked("coders", ["ana"])
    assert dialog.compute() is None and "at least two coders" in dialog.status.text()


def test_cancel_stops_the_worker(dialog, qtbot, project, monkeypatch):
    gate = threading.Event()
    real = agreement_svc.project_agreement

    def slow(project, *, progress, **kw):
        def step(done, total):
            gate.wait(5)
            progress(done, total)

        return real(project, progress=step, **kw)

    monkeypatch.setattr("desktop.ui.review.agreement.project_agreement", slow)
    task = dialog.compute()
    dialog.cancel_button.click()
    assert dialog.status.text() == "Cancelling…"
    with qtbot.waitSignal(task.channel.failed, timeout=10_000):
        gate.set()
    assert dialog.status.text() == "Cancelled." and dialog.report is None
    assert dialog.compute_button.isEnabled() and not dialog.save_csv_button.isEnabled()


def test_save_csv_and_html(dialog, qtbot, tmp_path):
    with qtbot.waitSignal(dialog.compute().channel.finished, timeout=10_000):
        pass
    csv_path, html_path = tmp_path / "a.csv", tmp_path / "a.html"
    dialog.answers[:] = [str(csv_path), str(html_path), None]
    dialog.save_csv_button.click()
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text("utf-8"))))
    assert len(rows) == len(dialog.report.rows) and rows[0]["code"] == "Actors"
    dialog.save_html_button.click()
    text = html_path.read_text("utf-8")
    assert EVIL not in text and "&lt;script&gt;" in text
    page = lxml.html.fromstring(text)
    assert page.find_class("per-code")[0].find("tbody").findall("tr")[0][0].text == "Actors"
    assert "Saved a.html" in dialog.status.text()
    dialog.save_csv_button.click()  # the user cancels the file dialog: nothing happens
    assert "Saved a.html" in dialog.status.text()
    dialog.answers[:] = [str(tmp_path / "missing folder" / "x.csv")]
    assert dialog.save("csv") is None and "could not be saved" in dialog.status.text()


def test_review_menu_opens_the_dialog(qtbot, tmp_path, project):
    from PySide6.QtCore import QSettings

    from desktop.ui.workbench.main_window import MainWindow

    path = project.path
    project.close()

    class Prompts:
        errors: list[str] = []

        def ask_coder(self, names, current=""):
            return "ana"

        def error(self, message):
            self.errors.append(message)

        def __getattr__(self, name):
            return lambda *a, **k: None

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    prompts = Prompts()
    mw = MainWindow(Project.open(path), settings=settings, prompts=prompts)
    qtbot.addWidget(mw)
    try:
        menu = next(a.menu() for a in mw.menuBar().actions() if a.text() == "&Review")
        next(a for a in menu.actions() if a.text() == "&Agreement…").trigger()
        dlg = mw.agreement_dialog
        assert dlg.isVisible() and dlg.choices()["coders"] == ["ana", "ben"]
        with qtbot.waitSignal(dlg.compute().channel.finished, timeout=10_000):
            pass
        assert dlg.model.rowCount() > 0
        dlg.close()
        teams.set_blind(mw.project, True, reviewer_name="ben")
        mw.agreement_dialog = None
        next(a for a in menu.actions() if a.text() == "&Agreement…").trigger()
        assert mw.agreement_dialog is None
        assert "only the reviewer (ben)" in prompts.errors[-1]
    finally:
        mw.shutdown()
