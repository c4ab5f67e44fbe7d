"""The review window driven as a reviewer would: open on a project with two coders,
step through the disagreements with the keyboard, accept a version, code their own,
undo and redo; check what is stored and what the list and the agreement panel show."""

from __future__ import annotations

from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QSettings, Qt

from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.documents import documents
from desktop.services.project.project import Project
from desktop.services.review import review
from desktop.services.teams import coders, teams
from desktop.ui import theme
from desktop.ui.review.window import ReviewWindow
from desktop.ui.workbench.context import Context

TEXT = (
    "Rebels say talks with Russia failed\n\n"
    "Syria's regime and its ally Russia resumed air strikes on the south on Wednesday.\n\n"
    "At least 12 people were killed in the town of Tafas, a monitor said.\n"
)


def at(s: str) -> tuple[int, int]:
    i = TEXT.index(s)
    return i, i + len(s)


@pytest.fixture
def study(tmp_path: Path):
    p = Project.create(tmp_path / "review.tessera", template="empty", name="Study")
    doc = documents.add_document(p, name="talks.txt", text=TEXT, kind="txt").id
    state = codebook.add_code(p, "Actors/State forces", color="#4363d8").id
    killed = codebook.add_code(p, "Casualties/Killed", color="#e6194b").id
    ana = coders.add_coder(p, "Ana").id
    ben = coders.add_coder(p, "Ben").id
    for who, code, passage in [
        (ana, state, "Rebels"), (ben, state, "Rebels"),  # agreed: not a disagreement
        (ana, state, "Syria's regime"), (ben, state, "regime"),
        (ben, state, "Russia resumed"),
        (ana, killed, "At least 12 people were killed"),
        (ben, killed, "12 people were killed in the town of Tafas"),
    ]:  # fmt: skip
        start, end = at(passage)
        codings.apply_coding(p, document_id=doc, code_id=code, coder_id=who, start=start, end=end)
    yield p, doc, state, killed, ana, ben
    p.close()


@pytest.fixture
def win(qtbot, study):
    p, doc, *_ = study
    ctx = Context(p)
    ctx.set_coder("Rita")
    w = ReviewWindow(ctx, document_id=doc)
    qtbot.addWidget(w)
    w.resize(1360, 820)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.runner.wait(10_000)
    ctx.undo_stack.clear()


def shown(w: ReviewWindow) -> list[list[str]]:
    m = w.model
    return [[m.index(r, c).data() for c in range(m.columnCount())] for r in range(m.rowCount())]


def consensus_spans(p) -> list[tuple[int, int, str]]:
    cons = review.consensus_coder(p, create=False)
    if cons is None:
        return []
    return [(c.code_id, c.start, c.end) for c in codings.list_codings(p, coder_ids=[cons.id])]


def settle(w: ReviewWindow) -> None:
    """Wait for the agreement with the consensus (computed in a worker)."""
    w.runner.wait(10_000)
    from PySide6.QtWidgets import QApplication

    for _ in range(20):
        QApplication.processEvents()
        if not w.agreement_busy:
            return
    raise AssertionError("the agreement panel never updated")


def agreement_cells(w: ReviewWindow) -> dict[str, list[str]]:
    settle(w)
    m = w.consensus_model
    return {
        m.index(r, 0).data(): [m.index(r, c).data() for c in range(1, m.columnCount())]
        for r in range(m.rowCount())
    }


def tooltip(w: ReviewWindow, coder: str) -> str:
    settle(w)
    m = w.consensus_model
    row = next(r for r in range(m.rowCount()) if m.index(r, 0).data() == coder)
    return m.index(row, 1).data(Qt.ItemDataRole.ToolTipRole)


def test_opens_with_the_disagreements_listed_and_who_coded_what(win, study):
    p, doc, state, killed, ana, ben = study
    assert win.coder_ids == [ana, ben]
    assert win.model.headers() == ["#", "Code", "Passage", "Ana", "Ben", "Consensus"]
    assert shown(win) == [
        ["1", "State forces", "Syria's regime", "all", "regime", "open"],
        ["2", "State forces", "Russia resumed", "not coded", "all", "open"],
        ["3", "Killed", "At least 12 people were killed in the town of T…",
         "At least 12 people were killed", "12 people were killed in the town o…", "open"],
    ]  # fmt: skip
    assert "Disagreements: 3" in win.count_label.text() and "3 open" in win.count_label.text()
    assert win.current == 0
    assert "Ana</b>: coded “Syria's regime”" in win.detail.text()
    assert "Ben</b>: coded “regime”" in win.detail.text()
    assert [b.text() for b in win.accept_buttons.values()] == [
        "Accept Ana's version  (1)",
        "Accept Ben's version  (2)",
    ]
    assert agreement_cells(win) == {"Ana": ["n/a", "n/a", "n/a"], "Ben": ["n/a", "n/a", "n/a"]}
    # the viewer: one margin column per coder, the regions to tint
    assert win.viewer.lane_names == [("Ana", "#4c78a8"), ("Ben", "#f58518")]
    assert len(win.viewer.regions) == 3 and win.viewer.current_region == 0
    # painted: each coder's colour shows in the margin
    image = win.viewer.margin.grab().toImage()
    colours = {
        image.pixelColor(x, y).name()
        for x in range(0, image.width(), 1)
        for y in range(0, image.height(), 2)
    }
    assert {"#4c78a8", "#f58518"} <= colours


def test_keyboard_navigation_wraps_around(win, qtbot):
    win.viewer.setFocus()
    qtbot.keyClick(win.viewer, Qt.Key.Key_N)
    assert win.current == 1 and win.position_label.text() == "2 of 3"
    qtbot.keyClick(win.viewer, Qt.Key.Key_F8)
    assert win.current == 2
    qtbot.keyClick(win.viewer, Qt.Key.Key_N)
    assert win.current == 0  # wraps
    qtbot.keyClick(win.viewer, Qt.Key.Key_P)
    assert win.current == 2
    qtbot.keyClick(win.viewer, Qt.Key.Key_F8, Qt.KeyboardModifier.ShiftModifier)
    assert win.current == 1
    assert win.table.selectionModel().currentIndex().row() == 1
    # the keys work with the list focused too
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_N)
    assert win.current == 2
    qtbot.keyClick(win.table, Qt.Key.Key_P)
    assert win.current == 1
    # picking a row in the list makes it current too
    win.table.selectRow(2)
    assert win.current == 2 and "Killed" in win.detail.text()
    # the viewer scrolled to it: the cursor sits at its start
    d = win.current_disagreement()
    assert win.viewer.offsets.to_cp(win.viewer.textCursor().position()) == d.start


def test_accept_undo_redo(win, qtbot, study):
    p, doc, state, killed, ana, ben = study
    win.viewer.setFocus()
    qtbot.keyClick(win.viewer, Qt.Key.Key_N)
    qtbot.keyClick(win.viewer, Qt.Key.Key_N)  # the Killed one
    qtbot.mouseClick(win.accept_buttons[ben], Qt.MouseButton.LeftButton)
    assert consensus_spans(p) == [(killed, *at("12 people were killed in the town of Tafas"))]
    assert shown(win)[2][-1] == "Ben’s version"
    assert "2 open" in win.count_label.text()
    assert win.current == 2  # stays on the passage just decided
    assert f"Consensus: <b style='color:{theme.current().ok}'>Ben’s version" in win.detail.text()
    assert [c.name for c in coders.list_coders(p)].count("consensus") == 1
    # the consensus layer has its own margin column now: each coder keeps theirs
    assert [n for n, _ in win.viewer.lane_names] == ["Ana", "Ben", "consensus"]
    consensus_id = review.consensus_coder(p, create=False).id
    lanes = {(s.coder_id, s.lane) for s in win.viewer.index.spans}
    assert lanes == {(ana, 0), (ben, 1), (consensus_id, 2)}
    assert win.viewer.index.lanes == 3
    # the passages not yet reviewed count against both; on Killed Ben now agrees fully
    cells = agreement_cells(win)
    assert cells["Ben"][0] != "n/a" and float(cells["Ben"][0]) > float(cells["Ana"][0])
    assert "Casualties/Killed: α 1.000, κ 1.000, % agree 100.0 %" in tooltip(win, "Ben")

    # key 1 accepts the first coder's version instead: replaces, never adds
    qtbot.keyClick(win.viewer, Qt.Key.Key_1)
    assert consensus_spans(p) == [(killed, *at("At least 12 people were killed"))]
    assert "Casualties/Killed: α 1.000" in tooltip(win, "Ana")
    assert "Casualties/Killed: α 1.000" not in tooltip(win, "Ben")
    stack = win.ctx.undo_stack
    assert stack.count() == 2 and stack.undoText() == "Accept Ana's version of Casualties/Killed"

    qtbot.keyClick(win.viewer, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert consensus_spans(p) == [(killed, *at("12 people were killed in the town of Tafas"))]
    assert shown(win)[2][-1] == "Ben’s version"
    qtbot.mouseClick(win.undo_button, Qt.MouseButton.LeftButton)
    assert consensus_spans(p) == []
    assert shown(win)[2][-1] == "open" and "3 open" in win.count_label.text()
    assert agreement_cells(win)["Ben"][0] == "n/a"
    qtbot.keyClick(
        win.viewer,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert consensus_spans(p) == [(killed, *at("12 people were killed in the town of Tafas"))]
    assert win.redo_button.isEnabled()  # one more redo is possible
    win.redo_button.click()
    assert consensus_spans(p) == [(killed, *at("At least 12 people were killed"))]
    # the coders' own codings were never touched
    assert len(codings.list_codings(p, coder_ids=[ana])) == 3
    assert len(codings.list_codings(p, coder_ids=[ben])) == 4


def test_accepting_not_coded_decides_and_clear_reopens(win, qtbot, study):
    p, doc, state, killed, *_ = study
    win.go_to(2)
    win.accept_column(0)  # the consensus coder exists from now on
    assert consensus_spans(p) == [(killed, *at("At least 12 people were killed"))]
    win.go_to(1)  # "Russia resumed": only Ben
    # the empty consensus equals Ana's version here, yet nothing is decided
    assert not win.accept_buttons[win.coder_ids[0]].font().bold()
    assert win.accept_column(0)  # Ana did not code it
    assert consensus_spans(p) == [(killed, *at("At least 12 people were killed"))]
    assert shown(win)[1][-1] == "not coded (as Ana)"
    assert "1 open" in win.count_label.text()
    assert win.accept_buttons[win.coder_ids[0]].font().bold()
    assert not win.clear_button.isEnabled()
    win.accept_column(1)
    assert (state, *at("Russia resumed")) in consensus_spans(p)
    assert win.clear_button.isEnabled()
    qtbot.keyClick(win.viewer, Qt.Key.Key_X)
    assert (state, *at("Russia resumed")) not in consensus_spans(p)
    assert shown(win)[1][-1] == "open"
    win.ctx.undo_stack.undo()
    assert shown(win)[1][-1] == "Ben’s version"


def test_code_own_selection_as_consensus(win, qtbot, study):
    p, doc, state, killed, *_ = study
    win.go_to(2)
    assert not win.own_button.isEnabled()
    start, end = at("people were killed")
    win.viewer.select_range(start, end, center=False)
    assert win.own_button.isEnabled()
    qtbot.keyClick(win.viewer, Qt.Key.Key_C)
    assert consensus_spans(p) == [(killed, start, end)]
    assert shown(win)[2][-1] == "own version"
    assert win.ctx.undo_stack.undoText() == "Code as consensus Casualties/Killed"
    win.ctx.undo_stack.undo()
    assert consensus_spans(p) == []


def test_filters_coders_codes_and_units(win, study):
    p, doc, state, killed, ana, ben = study
    win.code_box.setCurrentIndex(win.code_box.findData(killed))
    assert [r[1] for r in shown(win)] == ["Killed"]
    assert {s.code_id for s in win.viewer.index.spans} == {killed}
    win.code_box.setCurrentIndex(0)
    win.unit_box.setCurrentIndex(win.unit_box.findData("sentence"))
    # by sentences the coders agree: each coded the same sentences with the same codes
    assert shown(win) == [] and "Disagreements: 0" in win.count_label.text()
    win.unit_box.setCurrentIndex(0)
    win.set_coders([ana])
    assert shown(win) == [] and "at least two coders" in win.count_label.text()
    assert not win.next_button.isEnabled()
    cy = coders.add_coder(p, "Cy & Co").id
    win.close()
    w2 = ReviewWindow(win.ctx, document_id=doc, coder_ids=[ana, ben, cy])
    try:
        assert w2.model.headers()[3:6] == ["Ana", "Ben", "Cy & Co"]
        assert w2.accept_buttons[cy].text() == "Accept Cy && Co's version  (3)"  # shows one &
        assert w2.coder_boxes[cy].text() == "Cy && Co"
        assert shown(w2)[0][2:6] == ["Rebels", "all", "all", "not coded"]
        assert len(w2.accept_buttons) == 3
    finally:
        w2.close()
        w2.deleteLater()


class Prompts:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def ask_coder(self, names, current=""):
        return "Rita"

    def error(self, message):
        self.errors.append(message)

    def __getattr__(self, name):
        return lambda *a, **k: None


def test_review_menu_opens_it_and_blind_mode_keeps_coders_out(qtbot, tmp_path, study):
    from desktop.ui.workbench.main_window import MainWindow

    p, doc, *_ = study
    path = p.path
    p.close()
    prompts = Prompts()
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    mw = MainWindow(Project.open(path), settings=settings, prompts=prompts)
    qtbot.addWidget(mw)
    try:
        review_menu = next(a.menu() for a in mw.menuBar().actions() if a.text() == "&Review")
        actions = {a.text(): a for a in review_menu.actions()}
        assert set(actions) == {"&Compare coders…", "&Agreement…"}
        actions["&Compare coders…"].trigger()
        win = mw.review_window
        assert win.isVisible() and win.document_id == doc and len(win.items) == 3
        # an action in the review window is on the main window's undo stack
        win.accept_column(0)
        assert mw.ctx.undo_stack.count() == 1
        win.close()

        # opening another project ends the review of this one
        actions["&Compare coders…"].trigger()
        assert mw.review_window is win and win.isVisible()
        other = Project.create(tmp_path / "other.tessera", template="empty")
        mw.set_project(other)
        qtbot.waitUntil(lambda: not shiboken6.isValid(win) or not win.isVisible())

        teams.set_blind(mw.project, True, reviewer_name="Someone else")
        actions["&Compare coders…"].trigger()
        assert prompts.errors and "only the reviewer (Someone else)" in prompts.errors[-1]
    finally:
        mw.shutdown()


def test_open_only_moves_on_to_the_next_open_passage(win, study):
    win.open_only.setChecked(True)
    assert len(win.items) == 3 and win.current == 0
    win.accept_column(1)  # Ben's "regime"
    assert [r[2] for r in shown(win)] == [
        "Russia resumed",
        "At least 12 people were killed in the town of T…",
    ]
    assert win.current == 0 and win.current_disagreement().quote == "Russia resumed"
    assert "Disagreements: 3" in win.count_label.text() and "2 open" in win.count_label.text()
    win.ctx.undo_stack.undo()
    assert len(win.items) == 3
    win.open_only.setChecked(False)
    assert len(win.items) == 3


def test_accept_all_agreements_in_one_undoable_step(win, qtbot, study):
    p, doc, state, killed, ana, ben = study
    button = win.accept_all_button
    assert button.isEnabled() and button.text() == "Accept all agreements (1)"
    settle(win)
    assert "No consensus yet" in win.consensus_note.text()
    win.viewer.setFocus()
    qtbot.keyClick(win.viewer, Qt.Key.Key_A)
    # "Rebels", which both coded as State forces, is in the consensus; nothing else
    assert consensus_spans(p) == [(state, *at("Rebels"))]
    assert "Accepted 1 passage every coder coded the same way" in win.statusBar().currentMessage()
    assert not button.isEnabled() and button.text() == "Accept all agreements"
    assert "3 open" in win.count_label.text()  # the disagreements are still to decide
    assert [c.name for c in coders.list_coders(p)].count("consensus") == 1
    cells = agreement_cells(win)
    assert cells["Ana"][0] != "n/a" and cells["Ben"][0] != "n/a"
    note = win.consensus_note.text()
    assert "Counts each character of this document once per code (all codes)." in note
    assert "counts as not coded: with 3 open disagreements these figures are provisional" in note

    stack = win.ctx.undo_stack
    assert stack.count() == 1 and stack.undoText() == "Accept 1 agreement"
    qtbot.mouseClick(win.undo_button, Qt.MouseButton.LeftButton)
    assert consensus_spans(p) == []
    assert button.isEnabled() and button.text() == "Accept all agreements (1)"
    win.redo_button.click()
    assert consensus_spans(p) == [(state, *at("Rebels"))]

    # once every disagreement is decided too, the label says the figures are final
    for row in range(3):
        win.go_to(row)
        assert win.accept_column(0)
    settle(win)
    assert "Every passage is decided." in win.consensus_note.text()
    assert "provisional" not in win.consensus_note.text()
    # with one code chosen only its passages count, and the label says which code
    win.code_box.setCurrentIndex(win.code_box.findData(killed))
    settle(win)
    assert "once per code (Casualties/Killed)" in win.consensus_note.text()
    assert win.accept_all_agreements() is False  # nobody agreed on Killed anywhere


def test_the_agreement_label_counts_what_is_still_open(win, qtbot, study):
    p, doc, state, killed, ana, ben = study
    win.go_to(2)
    win.accept_column(1)
    settle(win)
    note = win.consensus_note.text()
    assert "with 2 open disagreements and 1 agreement not accepted" in note
    win.unit_box.setCurrentIndex(win.unit_box.findData("word"))
    settle(win)
    assert "Counts each word of this document once per code" in win.consensus_note.text()
