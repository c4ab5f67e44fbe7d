"""The codings table of a narrow window: no header cut, and no room given to a column
with nothing in it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.services.coding import codings
from desktop.ui.workbench.context import ALL
from desktop.ui.workbench.panels import MEMO_COLUMN
from tests.ui.helpers import select


def visible_headers_cut(view) -> list[str]:
    header = view.horizontalHeader()
    fm = header.fontMetrics()
    model = view.model()
    cut = []
    for col in range(model.columnCount()):
        if view.isColumnHidden(col):
            continue
        label = str(model.headerData(col, Qt.Orientation.Horizontal))
        if header.sectionSize(col) < fm.horizontalAdvance(label) + 8:
            cut.append(label)
    return cut


def test_at_1024_px_every_shown_header_is_whole(window, qtbot):
    window.resize(1024, 700)
    window.set_view(ALL)  # the Coder column too
    for needle, key in (("Syria's regime", Qt.Key.Key_2), ("air strikes", Qt.Key.Key_1)):
        select(window, needle)
        qtbot.keyClick(window.viewer, key)
    QApplication.processEvents()
    view = window.codings_panel.view
    assert view.model().rowCount() == 2
    assert view.isColumnHidden(MEMO_COLUMN)  # no coding here has a memo
    assert visible_headers_cut(view) == []


def test_the_memo_column_comes_back_when_a_coding_has_a_memo(window, qtbot):
    select(window, "Syria's regime")
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)
    view = window.codings_panel.view
    assert view.isColumnHidden(MEMO_COLUMN)
    coding = window.current_codings[0]
    codings.set_memo(window.project, coding.id, "check the source")
    window.refresh_codings()
    assert not view.isColumnHidden(MEMO_COLUMN)
