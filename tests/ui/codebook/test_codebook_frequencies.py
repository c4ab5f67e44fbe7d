"""Codebook > Frequencies… (per document or coder, totals, sorting, CSV) and saving the
codebook as a template that the New Project dialog then offers."""

from __future__ import annotations

import csv

from PySide6.QtCore import Qt

from desktop.services.codebook import codebook
from desktop.services.project import templates
from desktop.ui.project import actions as project_actions
from tests.ui.helpers import select


def cid(window, path: str) -> int:
    return codebook.find_code(window.project, path).id


def menu_action(window, menu_title: str, text: str):
    bar = {a.text(): a.menu() for a in window.menuBar().actions()}
    return next(a for a in bar[menu_title].actions() if a.text() == text)


def code_three(window):
    for needle, path in (("Syria's regime", "Actors/State forces"), ("rebels", "Actors/Armed groups"),
                         ("At least 12 people were killed", "Casualties/Killed")):  # fmt: skip
        select(window, needle)
        window.coding.apply_code(cid(window, path))
        window.codebook_ui.popup.skip()


def test_frequencies_dialog_counts_with_totals_and_saves_csv(window, qtbot, prompts, tmp_path):
    code_three(window)
    menu_action(window, "Code&book", "&Frequencies…").trigger()
    dlg = window.codebook_ui.frequencies_dialog
    qtbot.waitExposed(dlg)
    m = dlg.model
    last = m.rowCount() - 1
    assert m.headerData(1, Qt.Orientation.Horizontal) == "talks.txt"
    assert m.index(last, 0).data() == "Total" and m.index(last, 2).data() == "3"
    names = [m.index(r, 0).data().strip() for r in range(last)]
    actors = names.index("Actors")
    assert m.index(actors, 2).data() == "" and m.index(actors, 3).data() == "2"  # with sub-codes
    assert "3 codings" in dlg.summary.text()
    dlg.view.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    assert m.index(m.rowCount() - 1, 0).data() == "Total"  # totals stay last
    assert m.index(0, 2).data() == "1"
    dlg.by.setCurrentIndex(1)  # per coder
    assert m.headerData(1, Qt.Orientation.Horizontal) == "Maya"
    assert m.index(m.rowCount() - 1, 1).data() == "3"
    select(window, "a monitor said")  # the open window follows new codings
    window.coding.apply_code(cid(window, "Claims"))
    window.codebook_ui.popup.skip()
    qtbot.waitUntil(lambda: m.index(m.rowCount() - 1, 1).data() == "4", timeout=2000)
    window.actions.undo.trigger()
    qtbot.waitUntil(lambda: m.index(m.rowCount() - 1, 1).data() == "3", timeout=2000)
    prompts.save_to = str(tmp_path / "freq.csv")
    dlg.save_button.click()
    with open(prompts.save_to, encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:2] == ["code", "Maya"] and rows[-1][:3] == ["Total", "3", "3"]
    assert "Saved frequencies" in window.statusBar().currentMessage()
    dlg.close()


def test_save_codebook_as_template_and_new_project_offers_it(
    window, prompts, monkeypatch, tmp_path
):
    monkeypatch.setenv(templates.ENV_DATA_DIR, str(tmp_path / "data"))
    prompts.text_answers = ["My study 2026"]
    menu_action(window, "&File", "Save codebook as &template…").trigger()
    saved = [t for t in templates.list_templates() if not t.builtin]
    assert [t.name for t in saved] == ["My study 2026"] and saved[0].codes == 13
    assert "my-study-2026" in project_actions.templates()
    assert project_actions.templates()[0] == "conflict-news"
    # the same name again asks before replacing
    prompts.text_answers = ["My study 2026"]
    prompts.confirm_answer = False
    window.codebook_ui.save_template()
    assert prompts.errors == []
    prompts.text_answers = ["conflict-news"]
    window.codebook_ui.save_template()
    assert prompts.errors and "comes with Tessera" in prompts.errors[0]


def total_in_view(dlg) -> bool:
    """Whether a row reading "Total" is on screen in one of the dialog's tables."""
    from PySide6.QtWidgets import QTableView

    for view in dlg.findChildren(QTableView):
        if not view.isVisible():
            continue
        m = view.model()
        for row in range(m.rowCount()):
            idx = m.index(row, 0)
            if view.isRowHidden(row) or idx.data() != "Total":
                continue
            if view.viewport().rect().contains(view.visualRect(idx)):
                return True
    return False


def test_the_total_row_and_the_last_column_are_never_cut_off(window, qtbot, prompts, tmp_path):
    from desktop.services.documents import documents

    for i in range(30):  # a codebook longer than the dialog is tall
        codebook.add_code(window.project, f"Places/Town number {i:02}")
    for name in ("deraa-talks-fail-after-two-weeks-of-negotiations.txt",
                 "port-city-protests-continue-for-a-third-day.txt"):  # fmt: skip
        documents.add_document(window.project, name=name, text=f"A text about {name}.", kind="txt")
    window.refresh_codebook()
    window.refresh_documents()
    window.resize(1024, 700)
    code_three(window)
    menu_action(window, "Code&book", "&Frequencies…").trigger()
    dlg = window.codebook_ui.frequencies_dialog
    qtbot.waitExposed(dlg)
    qtbot.wait(50)
    view, m = dlg.view, dlg.model
    h = view.horizontalHeader()
    last = m.columnCount() - 1
    assert m.headerData(last, Qt.Orientation.Horizontal) == "With sub-codes"
    assert h.sectionViewportPosition(last) + h.sectionSize(last) <= view.viewport().width()
    assert not view.horizontalScrollBar().isVisible()
    assert total_in_view(dlg)
    view.scrollToTop()
    assert total_in_view(dlg)  # wherever the list is scrolled
    long_doc = "deraa-talks-fail-after-two-weeks-of-negotiations.txt"
    col = next(
        c for c in range(m.columnCount()) if m.headerData(c, Qt.Orientation.Horizontal) == long_doc
    )
    assert m.headerData(col, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == long_doc
    dlg.close()


def test_frequencies_save_as_html_too(window, qtbot, prompts, tmp_path):
    code_three(window)
    menu_action(window, "Code&book", "&Frequencies…").trigger()
    dlg = window.codebook_ui.frequencies_dialog
    qtbot.waitExposed(dlg)
    assert dlg.save_html_button.isVisible() and "HTML" in dlg.save_html_button.text()
    prompts.save_to = str(tmp_path / "freq.html")
    dlg.save_html_button.click()
    page = (tmp_path / "freq.html").read_text("utf-8")
    assert "<table" in page and "Total" in page and "State forces" in page
    assert "Saved frequencies of 13 codes" in window.statusBar().currentMessage()
    dlg.close()
