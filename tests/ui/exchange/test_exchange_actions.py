"""Exchange in the window: File > Import > REFI-QDA project (.qdpx)… with its dry run and
'add codes', File > Export > REFI-QDA project (.qdpx)…, Codebook > Import codebook…
(undoable) and the codebook's exports."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.services.codebook import codebook
from desktop.services.codebook import exchange as codebook_exchange
from desktop.services.documents import documents
from desktop.services.exchange import refi_export
from desktop.services.exchange import refi_import as refi_exchange
from desktop.services.project.project import Project
from desktop.ui.exchange import actions as exchange_actions
from tests.ui.conftest import ARTICLE
from tests.ui.helpers import panel_rows, stored
from tests.ui.teams.test_team_actions import code


def idle(qtbot, window) -> None:
    qtbot.waitUntil(lambda: not window.runner.running and window.long_task is None, timeout=10_000)


def menu(window, *titles):
    m = next(a.menu() for a in window.menuBar().actions() if a.text() == titles[0])
    for title in titles[1:]:
        m = next(a.menu() for a in m.actions() if a.text() == title)
    return m


def action(m, text):
    return next(a for a in m.actions() if a.text() == text)


@pytest.fixture
def other(tmp_path) -> Path:
    """Another project with the same article, a code of its own and Lea's codings."""
    path = tmp_path / "other.tessera"
    with Project.create(path, template="conflict-news", name="Other") as p:
        doc = documents.add_document(p, name="talks.txt", text=ARTICLE, kind="txt").id
        code(p, doc, "Actors/State forces", "Syria's regime", "Lea")
        code(p, doc, "Events/Air strikes", "resumed air strikes", "Lea")
    return path


@pytest.fixture
def qdpx(other, tmp_path) -> Path:
    out = tmp_path / "other.qdpx"
    with Project.open(other) as p:
        refi_export.export_qdpx(p, out)
    return out


def test_refi_import_shows_what_would_come_in_then_imports(
    window, qtbot, prompts, qdpx, monkeypatch
):
    idle(qtbot, window)
    seen = {}

    def confirm(w, dialog):
        seen["without"] = (dialog.text.toPlainText(), dialog.go.isEnabled())
        dialog.show()
        dialog.options[0].setChecked(True)
        seen["with"] = (dialog.text.toPlainText(), dialog.go.isEnabled())
        dialog.grab().save("/tmp/tessera-refi-import-dialog.png")
        seen["stored"] = len(stored(w))
        return dialog.state

    monkeypatch.setattr(exchange_actions, "choose_file", lambda w, title, f: str(qdpx))
    monkeypatch.setattr(exchange_actions, "confirm", confirm)
    action(menu(window, "&File", "Im&port"), "&REFI-QDA project (.qdpx)…").trigger()
    idle(qtbot, window)
    text, enabled = seen["without"]
    assert "the project lacks" in text and "Events/Air strikes" in text and not enabled
    text, enabled = seen["with"]
    assert text.startswith("would import 2 of 2 codings from other.qdpx") and enabled
    assert "added code Events/Air strikes" in text and "added coder Lea" in text
    assert "same document 'talks.txt' is 'talks.txt' in the project" in text
    assert seen["stored"] == 0
    title, message, _details = prompts.summaries[-1]
    assert title == "Import REFI-QDA project"
    assert message.startswith("Imported 2 of 2 codings from other.qdpx")
    assert sorted(q for _p, _c, q in stored(window)) == ["Syria's regime", "resumed air strikes"]
    assert codebook.find_code(window.project, "Events/Air strikes") is not None
    window.set_view("all")
    assert {r[1] for r in panel_rows(window)} == {"Lea"}


def test_an_unreadable_qdpx_is_refused_with_its_reason(
    window, qtbot, prompts, tmp_path, monkeypatch
):
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"not a zip")
    monkeypatch.setattr(exchange_actions, "choose_file", lambda w, title, f: str(bad))
    monkeypatch.setattr(exchange_actions, "confirm", lambda w, d: pytest.fail("no dry run"))
    action(menu(window, "&File", "Im&port"), "&REFI-QDA project (.qdpx)…").trigger()
    idle(qtbot, window)
    assert len(prompts.errors) == 1 and prompts.errors[0].startswith("bad.qdpx cannot be imported")
    assert stored(window) == []


def test_refi_export_writes_the_project(window, qtbot, prompts, tmp_path):
    idle(qtbot, window)
    code(window.project, window.document_id, "Actors/State forces", "Syria's regime", "Maya")
    prompts.save_to = str(tmp_path / "out")
    with qtbot.waitSignal(window.export_done, timeout=10_000) as sig:
        action(menu(window, "&File", "&Export"), "&REFI-QDA project (.qdpx)…").trigger()
    assert sig.args == [str(tmp_path / "out.qdpx")]
    read = refi_exchange.read_qdpx(tmp_path / "out.qdpx")
    assert sum(len(s.codings) for s in read.sources) == 1
    assert "Exported 1 document," in window.statusBar().currentMessage()


def test_a_refi_export_can_be_cancelled_and_leaves_no_file(
    window, qtbot, prompts, tmp_path, monkeypatch
):
    """The export's progress dialog has Cancel; cancelled, nothing is written and the
    status bar says so."""
    import threading

    idle(qtbot, window)
    for i in range(3):
        documents.add_document(window.project, name=f"n{i}.txt", text=f"Note {i}.", kind="txt")
    prompts.save_to = str(tmp_path / "out")
    reached, gate = threading.Event(), threading.Event()
    real = refi_export.export_qdpx

    def held(project, out, *, progress, cancelled):
        def slow(done, total):
            progress(done, total)
            reached.set()
            gate.wait(10)

        return real(project, out, progress=slow, cancelled=cancelled)

    monkeypatch.setattr(refi_export, "export_qdpx", held)
    with qtbot.waitSignal(window.export_done, timeout=10_000) as sig:
        action(menu(window, "&File", "&Export"), "&REFI-QDA project (.qdpx)…").trigger()
        qtbot.waitUntil(reached.is_set, timeout=10_000)
        window.long_task.cancel()
        gate.set()
    assert sig.args == [""]
    assert [p.name for p in tmp_path.iterdir() if "out" in p.name] == []
    assert "nothing was written" in window.statusBar().currentMessage()
    assert prompts.errors == []


def test_codebook_import_shows_the_dry_run_and_undo_takes_it_back(
    window, qtbot, other, tmp_path, monkeypatch
):
    idle(qtbot, window)
    book = tmp_path / "book.csv"
    with Project.open(other) as p:
        codebook_exchange.export_codebook(p, book, "csv")
    seen = {}

    def confirm(w, dialog):
        seen["text"] = dialog.text.toPlainText()
        seen["codes"] = window.codebook_panel.model.rowCount()
        dialog.show()
        dialog.grab().save("/tmp/tessera-codebook-import-dialog.png")
        return dialog.state

    monkeypatch.setattr(exchange_actions, "choose_file", lambda w, title, f: str(book))
    monkeypatch.setattr(exchange_actions, "confirm", confirm)
    action(menu(window, "Code&book"), "&Import codebook…").trigger()
    idle(qtbot, window)
    assert seen["text"].startswith("would import book.csv: 2 added")
    assert "added Events/Air strikes" in seen["text"]
    assert seen["codes"] == 3  # the dry run stored nothing
    assert codebook.find_code(window.project, "Events/Air strikes") is not None
    assert window.codebook_panel.model.rowCount() == 4  # Events is a new top-level code
    assert window.ctx.undo_stack.undoText() == "Import codebook book.csv"
    assert "Imported book.csv: 2 codes added" in window.statusBar().currentMessage()
    window.actions.undo.trigger()
    assert codebook.find_code(window.project, "Events") is None
    assert window.codebook_panel.model.rowCount() == 3
    window.actions.redo.trigger()
    assert codebook.find_code(window.project, "Events/Air strikes") is not None
    assert window.codebook_panel.model.rowCount() == 4


def test_a_bad_codebook_file_is_refused_with_its_problems(
    window, qtbot, prompts, tmp_path, monkeypatch
):
    bad = tmp_path / "bad.csv"
    bad.write_text("path,name,colour\nA/B,B,#ff0000\nA/B,B,#00ff00\n", encoding="utf-8")
    monkeypatch.setattr(exchange_actions, "choose_file", lambda w, title, f: str(bad))
    action(menu(window, "Code&book"), "&Import codebook…").trigger()
    idle(qtbot, window)
    assert len(prompts.errors) == 1 and "bad.csv cannot be imported" in prompts.errors[0]
    assert window.ctx.undo_stack.count() == 0


@pytest.mark.parametrize(
    ("label", "suffix", "marker"),
    [
        ("Export codebook as CSV…", "csv", "path"),
        ("Export codebook as REFI-QDA (.qdc)…", "qdc", "<CodeBook"),
        ("Export codebook as printable HTML…", "html", "<html"),
    ],
)
def test_codebook_exports(window, qtbot, prompts, tmp_path, label, suffix, marker):
    prompts.save_to = str(tmp_path / "book")
    with qtbot.waitSignal(window.export_done, timeout=10_000) as sig:
        action(menu(window, "Code&book"), label).trigger()
    out = Path(sig.args[0])
    assert out == tmp_path / f"book.{suffix}"
    assert marker in out.read_text(encoding="utf-8")
    n = len(codebook.list_codes(window.project))
    assert f"Exported {n} codes" in window.statusBar().currentMessage()


QDC_WITH_TWINS = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Elsewhere"><Codes>
<Code guid="11111111-1111-1111-1111-111111111111" name="Protests" isCodable="true"/>
<Code guid="22222222-2222-2222-2222-222222222222" name="Protests" isCodable="true"/>
</Codes></CodeBook>
"""


def test_a_codebook_the_reader_had_to_adjust_is_offered_as_adjusted(
    window, qtbot, tmp_path, monkeypatch
):
    book = tmp_path / "twins.qdc"
    book.write_text(QDC_WITH_TWINS, encoding="utf-8")
    seen = {}

    def confirm(w, dialog):
        seen["intro"] = dialog.intro.text()
        seen["text"] = dialog.text.toPlainText()
        return dialog.state

    monkeypatch.setattr(exchange_actions, "choose_file", lambda w, title, f: str(book))
    monkeypatch.setattr(exchange_actions, "confirm", confirm)
    action(menu(window, "Code&book"), "&Import codebook…").trigger()
    idle(qtbot, window)
    assert "had to be adjusted when read (1 change," in seen["intro"]
    assert "imported as 'Protests (2)'" in seen["text"]
    assert codebook.find_code(window.project, "Protests (2)") is not None
