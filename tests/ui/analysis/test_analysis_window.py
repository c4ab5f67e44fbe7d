"""The Analysis window as a user works it: each tab's query runs in a worker, its
result shows, and a passage or a hit opens in the workbench."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QToolTip

from desktop.services.analysis import selection
from desktop.services.analysis.retrieval import RetrievalQuery, retrieve
from desktop.services.codebook import codebook
from desktop.services.coding import codings
from desktop.services.project.project import Project
from desktop.services.teams import teams
from desktop.ui.analysis.models import PASSAGE_ROLE
from tests.services.analysis.conftest import TEXT_B, build, span


@pytest.fixture
def corpus_path(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.tessera"
    with Project.create(path, template="conflict-news", name="Corpus") as p:
        build(p)
    return path


@pytest.fixture
def win(make_window, prompts, corpus_path, qtbot):
    prompts.coder_answers = ["ana"]
    w = make_window(corpus_path)
    menu = next(a.menu() for a in w.menuBar().actions() if a.text() == "&Analysis")
    entry = next(a for a in menu.actions() if "passages" in a.text())
    entry.trigger()
    an = w.analysis_window
    qtbot.waitExposed(an)
    return an


def run(qtbot, tab, start=None):
    with qtbot.waitSignal(tab.runner.finished, timeout=10000):
        (start or tab.run)()


def test_coded_passages_listed_with_counts_and_opened_in_the_workbench(win, qtbot):
    tab = win.passages
    tab.code_a.setCurrentText("Casualties/Killed")
    tab.context.setCurrentIndex(tab.context.findData("sentence"))
    run(qtbot, tab)
    model = tab.table.model()
    assert model.rowCount() == 2
    assert [model.index(r, 0).data() for r in range(2)] == ["a.txt", "b.txt"]
    before, text, after = model.index(0, 4).data(PASSAGE_ROLE)
    assert text == "killing 12 civilians" and before == "Rebels accused the army of "
    assert tab.runner.status.text() == "2 passages in 2 documents"
    codes = tab.summary.topLevelItem(0)
    assert (codes.text(0), codes.text(1), codes.child(0).text(0)) == (
        "Codes",
        "2",
        "Casualties/Killed",
    )
    assert codes.child(0).toolTip(0) == "Casualties/Killed"  # whole, where it is elided
    # Enter opens the passage, selected, in the workbench
    tab.table.setFocus()
    tab.table.setCurrentIndex(model.index(1, 0))
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)
    main = win.w
    assert main.document_id == model.passage(1).document_id
    assert main.viewer.selected_range() == span(TEXT_B, "killed")


def test_and_operator_and_a_bad_condition_named(win, qtbot):
    tab = win.passages
    tab.code_a.setCurrentText("Claims/Accusations")
    tab.op.setCurrentIndex(tab.op.findData("and"))
    tab.code_b.setCurrentText("Actors/State forces")
    run(qtbot, tab)
    assert tab.table.model().rowCount() == 1
    assert tab.table.model().index(0, 4).data(PASSAGE_ROLE)[1] == "the army"
    tab.where.setText("weight >= 3")
    run(qtbot, tab)
    assert "weight" in tab.runner.status.text() and "Traceback" not in tab.runner.status.text()


def test_saved_query_reruns_and_says_when_its_code_was_deleted(win, qtbot, prompts):
    tab = win.passages
    tab.code_a.setCurrentText("Claims/Demands")
    prompts.text_answers = ["demands"]
    tab.save_query()
    names = [tab.saved.itemData(i) for i in range(tab.saved.count())]
    assert "demands" in names
    tab.code_a.setCurrentText("Casualties/Killed")
    run(qtbot, tab, lambda: tab.open_saved("demands"))
    assert tab.code_a.currentText() == "Claims/Demands" and tab.table.model().rowCount() == 1
    p = win.project
    code = next(c for c in codebook.list_codes(p) if c.path == "Claims/Demands")
    codebook.delete_code(p, code.id, confirm_codings=True)
    tab.refresh_choices()
    tab.open_saved("demands")
    assert (
        prompts.errors[-1]
        == "saved query 'demands' uses the code 'Claims/Demands', which no longer exists"
    )


def test_lazy_model_reads_only_the_pages_shown(win, qtbot):
    p = win.project
    ids = {c.path: c.id for c in codebook.list_codes(p)}
    [doc] = selection.document_ids(p, ["a.txt"])
    [ana] = selection.coder_ids(p, ["ana"])
    with p.session() as s:
        for k in range(3000):
            codings.insert_coding(s, "test", document_id=doc, code_id=ids["Claims/Demands"],
                                  coder_id=ana, start=k % 80, end=k % 80 + 1 + k // 80)  # fmt: skip
    tab = win.passages
    tab.code_a.setCurrentText("Claims/Demands")
    run(qtbot, tab)
    assert tab.table.model().rowCount() == 3001
    assert tab.table.model().loaded_pages() <= 2  # the first screen, not 3001 passages
    tab.table.scrollToBottom()
    qtbot.wait(50)
    assert tab.table.model().loaded_pages() <= 4


def test_blind_coder_sees_only_their_own_passages(make_window, prompts, corpus_path, qtbot):
    with Project.open(corpus_path) as p:
        teams.set_blind(p, True, reviewer_name="ana")
    prompts.coder_answers = ["ben"]
    w = make_window(corpus_path)
    assert w.ctx.coder.name == "ben"
    from desktop.ui.analysis import open_analysis

    open_analysis(w, "passages")
    tab = w.analysis_window.passages
    tab.code_a.setCurrentText("Casualties/Killed")
    run(qtbot, tab)
    model = tab.table.model()
    assert [model.index(r, 3).data() for r in range(model.rowCount())] == ["ben"]


def test_search_kwic_sort_jump_and_code_all_undoable(win, qtbot, prompts):
    tab = win.search
    win.tabs.setCurrentWidget(tab)
    tab.query.setText("killed OR killing OR army")
    run(qtbot, tab)
    model = tab.model
    assert model.rowCount() == 3
    assert sorted(model.index(r, 2).data() for r in range(3)) == ["army", "killed", "killing"]
    assert model.index(0, 1).data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    tab.table.sortByColumn(3, Qt.SortOrder.AscendingOrder)  # by the right context
    rights = [model.index(r, 3).data().lower().lstrip() for r in range(3)]
    assert rights == sorted(rights)
    tab.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # by the words before the match
    lefts = [model.index(r, 1).data()[::-1].lower().lstrip() for r in range(3)]
    assert lefts == sorted(lefts)
    assert tab.counts.topLevelItemCount() == 2
    row = next(r for r in range(3) if model.index(r, 2).data() == "killed")
    tab.jump(row)
    assert win.w.viewer.selected_range() == span(TEXT_B, "killed")
    # code every hit as Claims/Demands, extended to its sentence: one undoable action
    tab.code.setCurrentText("Claims/Demands")
    tab.extend.setCurrentText("sentence")
    asked: list[str] = []
    prompts.confirm = lambda title, message: asked.append(message) or True
    run(qtbot, tab, tab.plan_code_all)  # the plan, previewed in the question
    assert asked[0].startswith("2 passages (sentences around the hits); 0 already coded")
    qtbot.waitUntil(lambda: "Coded 2 passages" in tab.runner.status.text(), timeout=10000)
    p = win.project

    def count() -> int:
        return retrieve(p, RetrievalQuery(code="Claims/Demands")).total

    assert count() == 3  # ben's "Talks on a ceasefire" + the two sentences
    win.w.ctx.undo_stack.undo()
    assert count() == 1
    win.w.ctx.undo_stack.redo()
    assert count() == 3


def test_search_bad_regex_is_named(win, qtbot):
    tab = win.search
    tab.query.setText("talks[")
    tab.regex.setChecked(True)
    run(qtbot, tab)
    assert tab.runner.status.text().startswith("invalid regular expression 'talks['")
    assert tab.model.rowCount() == 0


def test_matrix_heat_map_cell_passages_and_tsv(win, qtbot):
    tab = win.matrix
    tab.set_codes(["Actors/State forces", "Casualties/Killed"])
    run(qtbot, tab)
    m = tab.model
    assert [m.headerData(c, Qt.Orientation.Horizontal) for c in range(2)] == ["a.txt", "b.txt"]
    assert [[m.index(r, c).data() for c in range(2)] for r in range(2)] == [["2", "0"], ["1", "1"]]
    from desktop.ui import theme

    def away_from_page(r, c):  # how far a cell's shade stands from the page colour
        bg = m.index(r, c).data(Qt.ItemDataRole.BackgroundRole)
        return theme.contrast(theme.rgb(bg), theme.rgb(theme.current().base))

    assert away_from_page(0, 0) > away_from_page(1, 0) > 1.0
    assert away_from_page(0, 1) == 1.0  # an empty cell is not shaded
    for r, c in ((0, 0), (1, 0), (0, 1)):  # and every number stays readable on its shade
        text = m.index(r, c).data(Qt.ItemDataRole.ForegroundRole)
        bg = m.index(r, c).data(Qt.ItemDataRole.BackgroundRole)
        assert theme.contrast(theme.rgb(text), theme.rgb(bg)) >= 4.5
    run(qtbot, tab, lambda: tab.cell_clicked(m.index(0, 0)))
    listed = tab.passages.model()
    assert listed.rowCount() == 2 and {listed.index(r, 0).data() for r in range(2)} == {"a.txt"}
    tab.copy_tsv()
    assert QApplication.clipboard().text().splitlines()[1] == "Actors/State forces\t2\t0"
    # co-occurrence within 5 characters: "the army" | " of " | "killing 12 civilians"
    tab.cooc.setChecked(True)
    tab.same.setCurrentIndex(tab.same.findData("within"))
    tab.within.setValue(5)
    run(qtbot, tab)
    assert m.index(0, 1).data() == "1"  # one pair
    assert m.index(1, 0).data() == "0.333"  # c = 1 / (2 + 2 - 1)


def test_words_counts_and_key_words(win, qtbot):
    tab = win.words
    run(qtbot, tab)
    words = [tab.table.item(r, 0).text() for r in range(tab.table.rowCount())]
    assert "civilians" in words and "the" not in words
    assert tab.table.isColumnHidden(4)
    tab.code.setCurrentText("Casualties/Killed")
    run(qtbot, tab)
    assert {tab.table.item(r, 0).text() for r in range(tab.table.rowCount())} == {
        "killing",
        "civilians",
        "killed",
    }
    assert not tab.table.isColumnHidden(4)


def test_charts_bars_by_coder_with_table_saved_as_png_and_svg(win, qtbot, prompts, tmp_path):
    tab = win.charts
    run(qtbot, tab)
    [series] = tab.chart.series()
    assert [b.label() for b in series.barSets()] == ["ana", "ben"]
    assert tab.table.rowCount() == 4 and tab.table.horizontalHeaderItem(2).text() == "Total"
    prompts.save_to = str(tmp_path / "c.png")
    assert tab.save("png") and (tmp_path / "c.png").stat().st_size > 1000
    prompts.save_to = str(tmp_path / "c.svg")
    assert tab.save("svg") and "<svg" in (tmp_path / "c.svg").read_text()
    tab.kind.setCurrentIndex(1)
    tab.period.setCurrentText("year")
    run(qtbot, tab)
    assert [tab.table.verticalHeaderItem(r).text() for r in range(tab.table.rowCount())] == [
        "2018",
        "2019",
    ]


def test_cancel_stops_waiting_for_a_query(win, qtbot):
    tab = win.words
    win.tabs.setCurrentWidget(tab)
    release = threading.Event()

    def slow(progress, cancelled):
        while not cancelled() and not release.wait(0.01):
            pass
        return None

    tab.runner.run("Counting…", slow, lambda _r: None)
    assert tab.runner.cancel_button.isVisible()
    qtbot.mouseClick(tab.runner.cancel_button, Qt.MouseButton.LeftButton)
    assert tab.runner.status.text() == "Cancelled" and not tab.runner.busy
    release.set()
    win.runner.wait(2000)


def _with_a_set(win) -> None:
    from desktop.services.documents import sets

    p = win.project
    [a] = selection.document_ids(p, ["a.txt"])
    sets.add_set(p, "Phase 1")
    sets.add_members(p, "Phase 1", documents=[a])
    win.refresh_choices()


def test_a_document_set_narrows_passages_search_words_and_matrices(win, qtbot):
    _with_a_set(win)
    tab = win.passages
    tab.code_a.setCurrentText("Casualties/Killed")
    tab.set_choice.setCurrentIndex(tab.set_choice.findData("Phase 1"))
    assert tab.set_choice.currentText() == "Set: Phase 1"
    run(qtbot, tab)
    assert tab.runner.status.text() == "1 passage in 1 document"
    assert tab.table.model().index(0, 0).data() == "a.txt"
    search = win.search
    search.query.setText("killed OR negotiat*")
    search.set_choice.setCurrentIndex(search.set_choice.findData("Phase 1"))
    run(qtbot, search)
    assert {search.model.hit(r).document for r in range(search.model.rowCount())} == {"a.txt"}
    words = win.words
    words.set_choice.setCurrentIndex(words.set_choice.findData("Phase 1"))
    run(qtbot, words)
    assert words.runner.status.text().endswith("in 1 document")
    tab = win.matrix
    tab.set_codes(["Actors/State forces", "Casualties/Killed"])
    tab.by.setCurrentText("set")
    run(qtbot, tab)
    m = tab.model
    assert [m.headerData(c, Qt.Orientation.Horizontal) for c in range(2)] == ["Phase 1", "(none)"]
    assert [[m.index(r, c).data() for c in range(2)] for r in range(2)] == [["2", "0"], ["1", "1"]]
    run(qtbot, tab, lambda: tab.cell_clicked(m.index(1, 0)))  # Casualties/Killed in Phase 1
    listed = tab.passages.model()
    assert listed.rowCount() == 1 and listed.index(0, 0).data() == "a.txt"


def test_charts_stacked_by_set_and_a_number_field_over_time(win, qtbot):
    _with_a_set(win)
    tab = win.charts
    tab.stack.setCurrentText("set")
    run(qtbot, tab)
    [series] = tab.chart.series()
    assert [b.label() for b in series.barSets()] == ["Phase 1", "(none)"]
    tab.kind.setCurrentIndex(tab.kind.findData("field"))
    assert not tab.options["field"].isHidden() and tab.options["stack"].isHidden()
    tab.code.setCurrentText("Casualties")
    assert [tab.field.itemText(i) for i in range(tab.field.count())] == ["count"]
    tab.split.setCurrentIndex(tab.split.findData("who"))
    tab.period.setCurrentText("year")
    run(qtbot, tab)
    [series] = tab.chart.series()
    assert [b.label() for b in series.barSets()] == ["civilians"]
    assert [series.barSets()[0].at(i) for i in range(2)] == [12.0, 0.0]
    assert [tab.table.verticalHeaderItem(r).text() for r in range(2)] == ["2018", "2019"]
    assert tab.table.item(0, 1).data(Qt.ItemDataRole.DisplayRole) == 12  # the total
    tab.code.setCurrentText("Actors")  # no number field: said, nothing run
    tab.run()
    assert "no number field" in tab.runner.status.text()


def test_a_large_search_result_is_listed_whole_with_the_workers_counts(win, qtbot):
    """A hundred thousand hits go into the table at once (the view asks only for the
    rows it shows), with the counts per document the worker made; they sort."""
    tab = win.search
    win.tabs.setCurrentWidget(tab)
    many = [(f"d{k // 100:04}.txt", k // 100, k, k + 4, f"left {k:06} ", "word", f" right {-k}")
            for k in range(100_000)]  # fmt: skip
    tab._show((None, many, {"d0000.txt": 100, "d0001.txt": 100}))
    model = tab.model
    assert model.rowCount() == len(many)
    assert [model.index(r, 1).data() for r in (0, len(many) - 1)] == [many[0][4], many[-1][4]]
    assert [tab.counts.topLevelItem(i).text(1) for i in range(2)] == ["100", "100"]
    tab.table.sortByColumn(3, Qt.SortOrder.AscendingOrder)
    rights = [model.index(r, 3).data().lower().lstrip() for r in range(0, len(many), 997)]
    assert rights == sorted(rights)


def test_listed_passages_show_without_reading_texts_on_the_ui_thread(win, qtbot, monkeypatch):
    """The worker reads the first screen of passages with their context: showing the
    result reads nothing more on the window's thread."""
    from desktop.services.analysis.retrieval import RetrievalResult

    read_on: list[str] = []
    page = RetrievalResult.page

    def spy(self, *a, **kw):
        read_on.append(threading.current_thread().name)
        return page(self, *a, **kw)

    monkeypatch.setattr(RetrievalResult, "page", spy)
    tab = win.passages
    tab.code_a.setCurrentText("Casualties/Killed")
    tab.context.setCurrentIndex(tab.context.findData("sentence"))
    run(qtbot, tab)
    qtbot.wait(50)  # the table paints its rows
    assert tab.table.model().index(0, 0).data() == "a.txt"
    assert read_on and threading.main_thread().name not in read_on


def test_hovering_a_bar_names_its_category_whole(win, qtbot):
    """Axis labels are shortened to fit; the bar's tooltip gives the whole name, the
    part (coder) and the count."""
    tab = win.charts
    run(qtbot, tab)
    [series] = tab.chart.series()
    ana = series.barSets()[0]
    labels = tab.chart.axes(Qt.Orientation.Vertical)[0].categories()
    full = [tab.table.verticalHeaderItem(r).text() for r in range(tab.table.rowCount())]
    # horizontal bars are drawn bottom up: bar 0 is the last category
    series.hovered.emit(True, 0, ana)
    tip = QToolTip.text()
    assert tip.splitlines()[0] == full[-1] and labels[0].endswith(full[-1][-5:])
    assert tip.splitlines()[1] == f"ana: {int(ana.at(0)):,}"
    series.hovered.emit(False, 0, ana)
