"""Working as a team in the window: File > Copy for a coder…, File > Merge coders' files… (dry run
shown first, 'add codes' when the file has codes this project lacks, then the merge),
and Coders > Blind coding."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.project.project import Project
from desktop.services.teams import coders, teams
from desktop.ui.teams import actions as team_actions
from desktop.ui.workbench.context import ALL, CHOSEN, MINE
from tests.ui.helpers import panel_rows, stored


def idle(qtbot, window) -> None:
    qtbot.waitUntil(lambda: not window.runner.running and window.long_task is None, timeout=10_000)


def code(project, doc_id, path, needle, coder_name):
    text = documents.get_text(project, doc_id)
    start = text.index(needle)
    found = codebook.find_code(project, path) or codebook.add_code(project, path)
    coder = coders.get_or_add_coder(project, coder_name)
    return codings.apply_coding(
        project, document_id=doc_id, code_id=found.id, coder_id=coder.id,
        start=start, end=start + len(needle),
    )  # fmt: skip


@pytest.fixture
def anas_copy(project_path, tmp_path) -> Path:
    """Ana's copy of the project, in which she coded two passages, one with a code of her own."""
    out = tmp_path / "ana.tessera"
    with Project.open(project_path) as p:
        teams.copy_for_coder(p, "Ana", out)
    with Project.open(out) as p:
        doc = documents.list_documents(p)[0].id
        code(p, doc, "Actors/State forces", "Syria's regime", "Ana")
        code(p, doc, "Events/Air strikes", "resumed air strikes", "Ana")
    return out


def test_copy_for_a_coder_makes_her_file(window, qtbot, prompts, tmp_path, monkeypatch):
    monkeypatch.setattr(team_actions, "ask_coder_name", lambda w, known: "Ana")
    prompts.save_to = str(tmp_path / "for-ana")
    window.actions.copy_for_coder.trigger()
    idle(qtbot, window)
    out = tmp_path / "for-ana.tessera"
    title, message, _details = prompts.summaries[-1]
    assert title == "Copy for a coder"
    assert message.startswith("Made for-ana.tessera for Ana: 1 document,")
    assert "Ana was added to this project's coders" in message
    with Project.open(out) as copy:
        assert [c.name for c in coders.list_coders(copy)] == ["Ana"]
        assert len(documents.list_documents(copy)) == 1
    assert "Ana" in [c.name for c in coders.list_coders(window.project)]


def test_copy_for_a_coder_refused_is_explained(window, qtbot, prompts, project_path, monkeypatch):
    monkeypatch.setattr(team_actions, "ask_coder_name", lambda w, known: "Ana")
    prompts.save_to = str(project_path)  # the project itself
    window.actions.copy_for_coder.trigger()
    idle(qtbot, window)
    assert prompts.errors and prompts.errors[0].startswith("No copy was made:")


def test_merge_shows_a_dry_run_then_merges_with_the_codes_it_lacks(
    window, qtbot, prompts, anas_copy, monkeypatch
):
    idle(qtbot, window)
    seen = {}

    def confirm(w, dialog):
        seen["without"] = (dialog.text.toPlainText(), dialog.go.isEnabled())
        dialog.show()
        dialog.options[0].setChecked(True)
        seen["with"] = (dialog.text.toPlainText(), dialog.go.isEnabled())
        dialog.grab().save("/tmp/tessera-merge-dialog.png")
        # nothing is written by the dry run
        seen["stored"] = len(stored(w))
        return dialog.state

    monkeypatch.setattr(team_actions, "choose_sources", lambda w: [str(anas_copy)])
    monkeypatch.setattr(team_actions, "confirm_merge", confirm)
    window.actions.merge.trigger()
    idle(qtbot, window)
    text, enabled = seen["without"]
    assert text.startswith("refused") and "Events/Air strikes" in text and not enabled
    text, enabled = seen["with"]
    assert text.startswith("would merge") and "codes: 2 added" in text and enabled
    assert seen["stored"] == 0
    title, message, details = prompts.summaries[-1]
    assert title == "Merge coders' files"
    assert message.startswith("Merged 1 of 1 file: 2 codings added.")
    assert "merged" in details
    assert sorted(q for _p, _c, q in stored(window)) == ["Syria's regime", "resumed air strikes"]
    # the window shows what came in: the new code in the tree, Ana's codings in 'all coders'
    assert codebook.find_code(window.project, "Events/Air strikes") is not None
    assert window.codebook_panel.model.rowCount() == 4
    window.set_view(ALL)
    assert sorted(r[2] for r in panel_rows(window)) == ["Syria's regime", "resumed air strikes"]
    assert {r[1] for r in panel_rows(window)} == {"Ana"}


def test_merge_cancelled_at_the_dry_run_changes_nothing(
    window, qtbot, prompts, anas_copy, monkeypatch
):
    idle(qtbot, window)
    monkeypatch.setattr(team_actions, "choose_sources", lambda w: [str(anas_copy)])
    monkeypatch.setattr(team_actions, "confirm_merge", lambda w, dialog: None)
    window.actions.merge.trigger()
    idle(qtbot, window)
    assert stored(window) == [] and prompts.summaries == []
    assert codebook.find_code(window.project, "Events/Air strikes") is None


def test_blind_coding_hides_other_coders_from_a_coder_but_not_the_reviewer(window, qtbot, prompts):
    doc = window.document_id
    code(window.project, doc, "Actors/State forces", "Syria's regime", "Ana")
    code(window.project, doc, "Casualties/Killed", "At least 12 people were killed", "Maya")
    window.set_view(ALL)
    assert len(panel_rows(window)) == 2
    window.actions.blind.trigger()  # Maya turns it on: she is the reviewer
    assert teams.is_blind(window.project) and teams.reviewer(window.project) == "Maya"
    assert window.actions.blind.isChecked()
    assert len(panel_rows(window)) == 2  # the reviewer still sees everyone
    assert window.actions.view[ALL].isEnabled()

    prompts.coder_answers = ["Ana"]
    window.switch_coder()
    assert window.ctx.view_mode == MINE
    assert panel_rows(window) == [("State forces", "Ana", "Syria's regime")]
    # counts that add up everyone's codings are hidden from her
    assert window.codebook_panel.view.isColumnHidden(1)
    assert window.documents_panel.view.isColumnHidden(3)
    for mode in (ALL, CHOSEN):
        action = window.actions.view[mode]
        assert not action.isEnabled()
        assert action.toolTip() == (
            "Blind coding is on: only the reviewer (Maya) sees other coders' codings"
        )
    # Ana cannot lift it
    window.actions.blind.trigger()
    assert prompts.errors == ["Blind coding stays on: only the reviewer (Maya) can lift blind mode"]
    assert window.actions.blind.isChecked() and teams.is_blind(window.project)

    prompts.coder_answers = ["Maya"]
    window.switch_coder()
    assert not window.codebook_panel.view.isColumnHidden(1)  # Maya is the reviewer
    window.actions.blind.trigger()
    assert not teams.is_blind(window.project) and not window.actions.blind.isChecked()
    assert window.actions.view[ALL].isEnabled()
    window.set_view(ALL)
    assert len(panel_rows(window)) == 2


def test_blind_mode_is_read_when_the_project_opens(make_window, project_path, prompts):
    with Project.open(project_path) as p:
        doc = documents.list_documents(p)[0].id
        code(p, doc, "Actors/State forces", "Syria's regime", "Ana")
        teams.set_blind(p, True, reviewer_name="Lea")
    prompts.coder_answers = ["Maya"]
    window = make_window(project_path)
    assert window.actions.blind.isChecked()
    window.set_view(ALL)  # refused quietly: the action is disabled, the view stays 'mine'
    assert window.ctx.view_mode == MINE and panel_rows(window) == []


def test_cancel_in_the_progress_dialog_stops_the_merge(window, qtbot, anas_copy, monkeypatch):
    import time

    from PySide6.QtWidgets import QProgressDialog, QPushButton

    from desktop.services.teams.merge import MergeReport

    def slow(project, paths, *, cancelled, **kw):
        while not cancelled():
            time.sleep(0.01)
        return MergeReport(dry_run=True, cancelled=True)

    monkeypatch.setattr(team_actions, "merge_projects", slow)
    monkeypatch.setattr(team_actions, "choose_sources", lambda w: [str(anas_copy)])
    monkeypatch.setattr(team_actions, "confirm_merge", lambda w, d: pytest.fail("no dialog"))
    window.actions.merge.trigger()
    dialog = window.findChildren(QProgressDialog)[-1]
    assert dialog.windowTitle() == "Merge coders' files"
    next(b for b in dialog.findChildren(QPushButton) if b.text() == "Cancel").click()
    idle(qtbot, window)
    assert window.statusBar().currentMessage() == "Merge cancelled: nothing was merged"
    assert stored(window) == []


def test_merge_offers_to_rename_a_coder_whose_name_is_taken(
    window, qtbot, prompts, tmp_path, monkeypatch
):
    from tests.ui.conftest import ARTICLE

    teams.add_coder(window.project, "Lea")  # the Lea of this project
    other = tmp_path / "other.tessera"
    with Project.create(other, template="conflict-news", name="Other") as p:
        doc = documents.add_document(p, name="talks.txt", text=ARTICLE, kind="txt").id
        c = code(p, doc, "Events/Air strikes", "resumed air strikes", "Lea")
        teams.coder_guid(p, c.coder_id)  # another Lea, with an identity of her own
    seen = {}

    def confirm(w, dialog):
        boxes = dialog.options
        seen["options"] = [b.text() for b in boxes]
        boxes[0].setChecked(True)
        seen["codes only"] = dialog.go.isEnabled()
        boxes[1].setChecked(True)
        seen["both"] = (dialog.text.toPlainText(), dialog.go.isEnabled())
        dialog.show()
        dialog.grab().save("/tmp/tessera-merge-two-options.png")
        return dialog.state

    monkeypatch.setattr(team_actions, "choose_sources", lambda w: [str(other)])
    monkeypatch.setattr(team_actions, "confirm_merge", confirm)
    window.actions.merge.trigger()
    idle(qtbot, window)
    assert seen["options"] == [
        "Add codes that this project lacks",
        "Add coders whose name is taken here under a new name",
    ]
    assert seen["codes only"] is False
    text, enabled = seen["both"]
    assert enabled and "would merge" in text and "Lea (2)" in text
    assert "Lea (2)" in [c.name for c in coders.list_coders(window.project)]
    assert [q for _p, _c, q in stored(window)] == ["resumed air strikes"]


def test_blind_coding_counts_only_what_the_coder_may_see(window, qtbot, prompts, tmp_path):
    """The inspector's count, Codebook > Frequencies… (by document and by coder) and the
    file it saves count only Ana's codings while blind mode limits her, everyone's once
    it is lifted; the status bar says when blind coding is on."""
    import csv

    doc = window.document_id
    window.set_view("all")  # the counts follow the view: everyone's, unless blind coding
    code(window.project, doc, "Actors/State forces", "Syria's regime", "Ana")
    code(window.project, doc, "Actors/State forces", "its ally Russia", "Maya")
    code(window.project, doc, "Casualties/Killed", "At least 12 people were killed", "Maya")
    team_actions.refresh_all(window)
    state = codebook.find_code(window.project, "Actors/State forces").id
    window.codebook_ui.tree.select_code(state)
    inspector = window.codebook_ui.inspector
    badge = window.blind_badge
    freq = window.codebook_ui.show_frequencies()
    qtbot.waitExposed(freq)
    m = freq.model

    def total() -> str:
        return m.index(m.rowCount() - 1, m.n_columns + 1).data()

    def columns() -> list[str]:
        return [m.headerData(i, Qt.Orientation.Horizontal) for i in range(1, m.n_columns + 1)]

    def row(path: str) -> list[str]:
        r = next(i for i in range(m.rowCount() - 1) if m.rows[i].path == path)
        return [m.index(r, c).data() for c in range(1, m.columnCount())]

    def saved(name: str) -> list[list[str]]:
        prompts.save_to = str(tmp_path / name)
        freq.save_button.click()
        with open(prompts.save_to, encoding="utf-8-sig") as fh:
            return list(csv.reader(fh))

    assert badge.isHidden()
    assert "· 2 codings" in inspector.path.text() and total() == "3"

    window.actions.blind.trigger()  # Maya, the reviewer, turns it on and still sees everyone
    assert not badge.isHidden() and badge.text() == "Blind coding"
    assert "as the reviewer you see everyone's" in badge.toolTip()
    assert "· 2 codings" in inspector.path.text() and total() == "3"

    prompts.coder_answers = ["Ana"]
    window.switch_coder()
    assert badge.isVisibleTo(window) and badge.text() == "Blind coding"
    assert badge.toolTip() == (
        "Blind coding is on: you see only your own codings until the reviewer (Maya) lifts it"
    )
    assert "Ana" in window.status_coder.text()
    assert "· 1 coding<" in inspector.path.text()  # her own, not the 2 of everyone
    qtbot.waitUntil(lambda: total() == "1", timeout=2000)  # the open window follows
    assert columns() == ["talks.txt"]
    assert row("Actors/State forces") == ["1", "1", "1"]
    assert row("Casualties/Killed") == ["", "", ""]
    assert "blind coding: your codings only" in freq.summary.text()
    rows = saved("ana-by-document.csv")
    assert rows[0] == ["code", "talks.txt", "total", "total with sub-codes"]
    assert ["Casualties/Killed", "0", "0", "0"] in rows and rows[-1] == ["Total", "1", "1", ""]
    freq.by.setCurrentIndex(1)  # by coder: only herself
    assert columns() == ["Ana"] and total() == "1"
    assert saved("ana-by-coder.csv")[0][:2] == ["code", "Ana"]
    prompts.save_to = str(tmp_path / "ana.html")
    freq.save_button.click()
    html = (tmp_path / "ana.html").read_text(encoding="utf-8")
    assert "<th>Ana</th>" in html and "Maya" not in html

    prompts.coder_answers = ["Maya"]
    window.switch_coder()
    window.actions.blind.trigger()  # lifted
    assert badge.isHidden()
    prompts.coder_answers = ["Ana"]
    window.switch_coder()
    assert badge.isHidden()
    assert "· 1 coding<" in inspector.path.text()  # her view shows her own codings
    window.set_view("all")  # and everyone's once she asks for them
    assert "· 2 codings" in inspector.path.text()
    qtbot.waitUntil(lambda: total() == "3", timeout=2000)
    assert columns() == ["Ana", "Maya"]
    assert "blind" not in freq.summary.text()
    assert saved("everyone.csv")[-1] == ["Total", "1", "2", "3", ""]
    freq.close()


def test_blind_coding_deletions_count_only_the_coders_own_codings_and_values(
    window, prompts, monkeypatch
):
    """Deleting a code or a field asks first; in blind mode the question counts only
    Ana's codings and values (and still asks when only other coders' would go)."""
    from desktop.services.codebook import fields as fieldsvc

    doc = window.document_id
    mine = code(window.project, doc, "Casualties/Killed", "At least 12 people were killed", "Ana")
    theirs = code(window.project, doc, "Casualties/Killed", "12 people", "Maya")
    killed = mine.code_id
    victims = fieldsvc.add_field(window.project, killed, "victims", "integer")
    source = fieldsvc.add_field(window.project, killed, "source", "text")
    fieldsvc.set_coding_values(window.project, theirs.id, {victims.id: 12, source.id: "monitor"})
    fieldsvc.set_coding_values(window.project, mine.id, {victims.id: 12})
    team_actions.refresh_all(window)
    asked: list[str] = []
    monkeypatch.setattr(prompts, "confirm", lambda title, message: asked.append(message) or False)
    monkeypatch.setattr(window.codebook_ui, "ask_fields", lambda *a: [])  # delete both fields

    window.coding.delete_code(killed)
    window.codebook_ui.edit_fields(killed)
    assert "This also deletes 2 codings made with them" in asked[0]
    assert asked[1].startswith("Deleting victims (2 values), source (1 values) deletes")

    window.actions.blind.trigger()  # Maya, the reviewer, turns it on
    prompts.coder_answers = ["Ana"]
    window.switch_coder()
    asked.clear()
    window.coding.delete_code(killed)
    window.codebook_ui.edit_fields(killed)
    assert asked[0].endswith(
        "This also deletes the codings made with them: 1 of yours, and other coders' if they "
        "have any (Undo brings them back)."
    )
    assert asked[1] == (
        "Deleting victims (1 of your values), source (0 of your values) deletes those values too, "
        "and other coders' values for them if they have any (Undo brings them back). Go on?"
    )
    assert codebook.find_code(window.project, "Casualties/Killed") is not None  # refused
