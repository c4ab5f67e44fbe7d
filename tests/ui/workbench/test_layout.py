"""The window on small screens: the reading column keeps a readable measure while the side
panels give way, each side panel can be hidden and shown again from the View menu or its
shortcut, and the layout comes back as it was left."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt


def reading_chars(window) -> int:
    """How many characters of the document's running text its lines hold: the most on a
    wrapped line (not a paragraph's last) of the article shown."""
    doc = window.viewer.document()
    most = 0
    block = doc.begin()
    while block.isValid():
        layout = block.layout()
        for i in range(layout.lineCount() - 1):  # a paragraph's last line may be short
            most = max(most, layout.lineAt(i).textLength())
        block = block.next()
    assert most, "the article has no wrapped line to measure"
    return most


def view_action(window, text):
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    return next(a for a in menu.actions() if a.text().replace("&", "") == text)


def settle(qtbot, window) -> None:
    for _ in range(3):
        qtbot.wait(20)


def test_the_reading_column_keeps_sixty_characters_at_1024_px(window, qtbot):
    window.resize(1024, 700)
    settle(qtbot, window)
    assert window.width() <= 1024
    assert reading_chars(window) >= 60
    assert window.documents_panel.isVisible() and window.codebook_panel.isVisible()


def test_side_panels_hide_and_show_from_the_view_menu_and_are_remembered(
    window, qtbot, make_window, project_path
):
    window.resize(1024, 700)
    settle(qtbot, window)
    before = window.viewer.width()
    docs = view_action(window, "Documents panel")
    assert docs.isChecked() and docs.shortcut().toString()
    docs.trigger()
    settle(qtbot, window)
    assert not window.documents_panel.isVisible()
    assert window.viewer.width() > before  # the room went to the text
    assert reading_chars(window) >= 60
    qtbot.keyClick(
        window,
        Qt.Key.Key_L,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert not window.codings_panel.isVisible()
    assert window.codebook_panel.isVisible()
    window.close()
    again = make_window(project_path)
    assert not again.documents_panel.isVisible() and not again.codings_panel.isVisible()
    assert not view_action(again, "Documents panel").isChecked()
    view_action(again, "Documents panel").trigger()
    assert again.documents_panel.isVisible()


def _fits(view) -> list[str]:
    """Header labels cut by their section (room for the sort arrow included)."""
    h = view.header() if hasattr(view, "header") else view.horizontalHeader()
    fm = h.fontMetrics()
    model = view.model()
    cut = []
    for col in range(model.columnCount()):
        if h.isSectionHidden(col):
            continue
        label = model.headerData(col, Qt.Orientation.Horizontal)
        if h.sectionSize(col) < fm.horizontalAdvance(label) + 16:
            cut.append(label)
    return cut


def test_columns_fit_their_panel_names_elide_in_the_middle_with_a_tooltip(
    window, qtbot, make_window, project_path
):
    from desktop.services.documents import documents

    long_name = "deraa-talks-fail-after-two-weeks-of-negotiations.txt"
    documents.add_document(window.project, name=long_name, text="A text.", kind="txt")
    window.refresh_documents()
    window.resize(1024, 700)
    settle(qtbot, window)
    for view in (
        window.documents_panel.view,
        window.codebook_panel.view,
        window.codings_panel.view,
    ):
        assert view.textElideMode() == Qt.TextElideMode.ElideMiddle
        assert not view.horizontalScrollBar().isVisible(), view.objectName()
        assert _fits(view) == [], view.objectName()
    docs = window.documents_panel
    row = docs.model.row_of(documents.find_document(window.project, long_name).id)
    assert long_name in docs.model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
    h = docs.view.horizontalHeader()
    assert h.sectionResizeMode(3).name == "Interactive"  # the user may resize it
    h.resizeSection(3, 90)
    window.close()
    again = make_window(project_path)
    assert again.documents_panel.view.horizontalHeader().sectionSize(3) == 90


def test_the_status_bar_counts_in_words_and_says_whose_codings(window, qtbot):
    from tests.ui.helpers import select

    select(window, "Syria's regime")
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)
    text = window.status_counts.text()
    assert "1 document ·" in text and "1 coding in this document (yours)" in text
    window.set_view("all")
    assert "1 coding in this document (all coders')" in window.status_counts.text()


def test_the_page_header_is_not_cut_by_the_sort_arrow(make_window, project_path, qtbot):
    from desktop.services.documents import documents
    from desktop.services.project.project import Project

    one, two = "The talks began.\n", "At least 12 people were killed.\n"
    with Project.open(project_path) as p:
        doc = documents.add_document(p, name="report.pdf", text=one + two, kind="pdf",
                                     pages=[(0, len(one)), (len(one), len(one + two))])  # fmt: skip
    window = make_window(project_path)
    window.resize(1024, 700)
    window.documents_panel.select(doc.id)
    settle(qtbot, window)
    view = window.codings_panel.view
    h = view.horizontalHeader()
    assert not view.isColumnHidden(4) and h.sortIndicatorSection() == 4  # sorted by page
    label = view.model().headerData(4, Qt.Orientation.Horizontal)
    assert label == "Page"
    assert h.sectionSize(4) >= h.fontMetrics().horizontalAdvance(label) + 16


@pytest.mark.parametrize("points", [11, 13])
def test_a_larger_desktop_font_still_fits_a_1024_px_screen(make_window, project_path, qtbot,
                                                           points):  # fmt: skip
    """The reading font follows the desktop's (a larger one for readability is common):
    the reading column then gives way below its sixty characters rather than push the
    window past a small screen with both side panels shown."""
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    before = QApplication.font()
    QApplication.setFont(QFont(before.family(), points))
    try:
        window = make_window(project_path)
        window.resize(1024, 700)
        settle(qtbot, window)
        assert window.width() <= 1024
        assert window.documents_panel.isVisible() and window.codebook_panel.isVisible()
        assert reading_chars(window) >= 40
    finally:
        QApplication.setFont(before)


@pytest.mark.parametrize(
    "widths", [(1600, 1024), (1024, 1400, 1024, 1100, 1024), (1280, 900, 1024)]
)
def test_the_documents_list_keeps_the_names_readable_as_the_window_is_resized(
    window, qtbot, themed, widths
):
    """A narrow list hides Kind, then Pages; widened again it shows them. A column once
    hidden (its section then measures 0) is weighed at its real width, so the list never
    shows Kind over names squeezed to an ellipsis."""
    docs = window.documents_panel
    for width in widths:
        window.resize(width, 700)
        settle(qtbot, window)
        h = docs.view.horizontalHeader()
        assert h.sectionSize(0) >= docs.MIN_NAME_W, (width, [h.sectionSize(c) for c in range(4)])
        assert not docs.view.horizontalScrollBar().isVisible(), width
