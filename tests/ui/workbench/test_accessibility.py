"""The workbench as a keyboard-only, screen-reader, large-text or dark-theme user meets
it: themes measured from rendered pixels, Tab and F6 through every pane, accessible names
as Qt's accessibility tree gives them, zoom, the code keys and the first window's size."""

from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFont, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication, QToolButton

from desktop.services.project.project import Project
from desktop.ui import a11y, theme
from desktop.ui.workbench import sizing
from desktop.ui.workbench.access import PANES
from tests.ui.helpers import select, stored


def _settle(qtbot, window) -> None:
    for _ in range(3):
        QApplication.processEvents()
    qtbot.wait(20)


def text_contrast(image: QImage, rect: QRect | None = None) -> float:
    """WCAG contrast between the background (the commonest colour) and the text (the
    pixel that differs most from it) of a rendered area."""
    rect = rect or image.rect()
    counts: Counter = Counter()
    for y in range(rect.top(), rect.bottom() + 1):
        for x in range(rect.left(), rect.right() + 1):
            counts[image.pixel(x, y) & 0xFFFFFF] += 1
    bg_px = counts.most_common(1)[0][0]
    bg = ((bg_px >> 16) & 255, (bg_px >> 8) & 255, bg_px & 255)
    best = 1.0
    for px in counts:
        c = ((px >> 16) & 255, (px >> 8) & 255, px & 255)
        best = max(best, theme.contrast(c, bg))
    return best


def grab(widget) -> QImage:
    image = widget.grab().toImage()
    return image.scaled(widget.size()) if image.devicePixelRatio() != 1 else image


@pytest.mark.parametrize("mode", [theme.LIGHT, theme.DARK])
def test_every_part_of_the_window_is_legible_in_both_themes(window, qtbot, themed, mode):
    themed(mode)
    t = theme.current()
    assert t.name == mode
    _settle(qtbot, window)
    window.codebook_ui.ask_values_action.setChecked(False)  # no field pop-up
    select(window, "Syria's regime")
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)
    _settle(qtbot, window)
    window.codings_panel.view.setFocus()
    window.codings_panel.select(window.current_codings[0].id)
    _settle(qtbot, window)
    # the background each part really paints is the theme's (no white left in dark mode)
    doc_list = window.documents_panel.view
    img = grab(doc_list.viewport())
    row = doc_list.visualRect(doc_list.model().index(0, 0))
    assert text_contrast(img, row.adjusted(0, 0, -1, -1)) >= 4.5
    viewer_img = grab(window.viewer.viewport())
    corner = viewer_img.pixelColor(viewer_img.width() - 3, viewer_img.height() - 3)
    assert theme.contrast(theme.rgb(corner), theme.rgb(t.base)) < 1.05
    assert text_contrast(viewer_img) >= 4.5
    # text on a code's highlight keeps 4.5:1 (fills are adjusted per theme)
    from tests.ui.helpers import painted_colour

    fill = painted_colour(window, "Syria's regime")
    assert theme.contrast(theme.rgb(fill), theme.rgb(t.ink)) >= 4.5
    # the selected row of the codings table: text and the focus border stand out
    table = window.codings_panel.view
    sel = table.visualRect(table.model().index(0, 2))
    tab_img = grab(table.viewport())
    assert text_contrast(tab_img, sel.adjusted(0, 0, -1, -1)) >= 4.5
    frame = grab(table)
    edge = frame.pixelColor(0, frame.height() // 2)
    assert theme.contrast(theme.rgb(edge), theme.rgb(t.panel)) >= 3.0  # the focus ring
    # panel titles, placeholders and column headers
    for label in (window.documents_panel.title, window.codebook_panel.title):
        assert text_contrast(grab(label)) >= 4.5
    window.documents_panel.filter.clear()
    assert text_contrast(grab(window.documents_panel.filter)) >= 4.5
    assert text_contrast(grab(table.horizontalHeader())) >= 4.5
    # menus
    menu = window.menuBar().actions()[0].menu()
    menu.popup(window.mapToGlobal(window.rect().center()))
    qtbot.waitUntil(menu.isVisible)
    assert text_contrast(grab(menu)) >= 4.5
    menu.hide()


def test_the_theme_is_chosen_in_the_view_menu_and_remembered(window, themed, settings):
    themed(theme.LIGHT)
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    themes = next(a.menu() for a in view.actions() if a.text() == "&Theme")
    dark = next(a for a in themes.actions() if a.text() == "&Dark")
    dark.trigger()
    assert theme.current().name == theme.DARK
    assert settings.value(theme.SETTING) == theme.DARK
    assert QApplication.palette().color(QApplication.palette().ColorRole.Base).name() == (
        theme.DARK_THEME.base
    )
    system = next(a for a in themes.actions() if "system" in a.text())
    system.trigger()
    assert theme.mode() == theme.SYSTEM
    assert theme.current() is theme.resolve(theme.SYSTEM)


def test_no_colour_is_written_outside_the_theme():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[3] / "desktop" / "ui"
    pattern = re.compile(r"QColor\(\"#|[\"']#[0-9a-fA-F]{3,8}\b|color:#|setStyleSheet\(|rgb\(")
    found = []
    for path in root.rglob("*.py"):
        if path.name in ("theme.py", "look.py"):
            continue
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if pattern.search(line):
                found.append(f"{path.relative_to(root)}:{n}: {line.strip()}")
    assert found == []


def test_a_large_system_font_is_used_and_nothing_is_clipped(make_window, project_path, themed):
    themed(theme.LIGHT)
    big = QFont(QApplication.font())
    big.setPointSizeF(18)
    QApplication.setFont(big)
    w = make_window(project_path)
    assert w.documents_panel.filter.font().pointSizeF() == 18
    assert w.codings_panel.title.font().pointSizeF() == 18
    assert w.viewer.font().pointSizeF() >= 18  # the reading serif is a little larger
    for label in (w.documents_panel.title, w.codebook_panel.title, w.codings_panel.title):
        assert label.width() >= label.sizeHint().width() or label.wordWrap()
    f = w.find_bar
    w.find_bar.open_bar()
    QApplication.processEvents()
    assert f.exact.width() >= f.exact.sizeHint().width()


def _pane(window) -> str | None:
    return window.access.current_pane()


def test_tab_walks_every_pane_in_reading_order_and_comes_back(window, qtbot):
    window.viewer.setFocus()
    visited = ["text"]
    for _ in range(60):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        pane = _pane(window)
        if pane and pane != visited[-1]:
            visited.append(pane)
        if QApplication.focusWidget() is window.viewer:
            break
    assert QApplication.focusWidget() is window.viewer, "Tab never came back to the text"
    assert visited == ["text", "codebook", "inspector", "codings", "documents", "text"]
    # backwards, the same panes in the opposite order
    back = ["text"]
    for _ in range(60):
        qtbot.keyClick(
            QApplication.focusWidget(), Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier
        )
        pane = _pane(window)
        if pane and pane != back[-1]:
            back.append(pane)
        if QApplication.focusWidget() is window.viewer:
            break
    assert back == ["text", "documents", "codings", "inspector", "codebook", "text"]


def test_tab_leaves_the_codings_table_while_arrows_move_within_it(window, qtbot):
    window.codebook_ui.ask_values_action.setChecked(False)  # no field pop-up
    select(window, "Syria's regime")
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)
    select(window, "At least 12 people")
    qtbot.keyClick(window.viewer, Qt.Key.Key_1)
    table = window.codings_panel.view
    table.setFocus()
    table.setCurrentIndex(table.model().index(0, 0))
    qtbot.keyClick(table, Qt.Key.Key_Down)
    assert table.currentIndex().row() == 1 and table.hasFocus()
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert not table.hasFocus()
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert not table.hasFocus()


def test_f6_cycles_the_panes_and_each_has_a_shortcut(window, qtbot):
    window.viewer.setFocus()
    seen = []
    for _ in PANES:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F6)
        seen.append(_pane(window))
    assert seen == ["codebook", "inspector", "codings", "documents", "text"]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
    assert _pane(window) == "documents"
    for n, (key, _name, _shortcut) in enumerate(PANES, 1):
        qtbot.keyClick(
            QApplication.focusWidget(), Qt.Key(Qt.Key.Key_0 + n), Qt.KeyboardModifier.AltModifier
        )
        assert _pane(window) == key


def test_enter_on_a_coding_goes_to_it_in_the_text(window, qtbot):
    window.codebook_ui.ask_values_action.setChecked(False)  # no field pop-up
    select(window, "Syria's regime")
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)
    select(window, "At least 12 people")
    qtbot.keyClick(window.viewer, Qt.Key.Key_1)
    window.viewer.moveCursor(window.viewer.textCursor().MoveOperation.Start)
    table = window.codings_panel.view
    table.setFocus()
    table.setCurrentIndex(table.model().index(0, 0))
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert window.viewer.hasFocus()
    assert window.viewer.textCursor().selectedText() in ("Syria's regime", "At least 12 people")
    assert (
        window.viewer.textCursor().selectedText() == table.currentIndex().siblingAtColumn(2).data()
    )


def test_shift_f10_opens_the_context_menu_where_the_keyboard_is(window, qtbot):
    from PySide6.QtCore import QTimer

    opened = []

    def look_and_close() -> None:
        menu = QApplication.activePopupWidget()
        if menu is not None:
            opened.append([x.text() for x in menu.actions()])
            menu.close()

    QTimer.singleShot(200, look_and_close)
    select(window, "Syria's regime")
    window.viewer.setFocus()
    qtbot.keyClick(window.viewer, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    assert opened and "Code as…" in opened[0]


def test_every_focusable_control_has_an_accessible_name(window, qtbot):
    window.find_bar.open_bar()
    QApplication.processEvents()
    missing = [f"{type(w).__name__}:{w.objectName()}" for w in a11y.unnamed(window)]
    assert missing == []
    names = {a11y.accessible_name(b) for b in window.find_bar.findChildren(QToolButton)}
    assert {"Previous match", "Next match", "Close find"} <= names
    assert a11y.accessible_name(window.viewer) == "Text"
    assert a11y.accessible_name(window.codings_panel.view) == "Codings in this document"


def test_the_reading_pane_says_which_codes_cover_the_cursor(window, qtbot):
    from PySide6.QtGui import QAccessible, QTextCursor

    select(window, "Syria's regime")
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)
    v = window.viewer
    c = v.textCursor()
    c.setPosition(v.text.index("regime"))
    v.setTextCursor(c)
    iface = QAccessible.queryAccessibleInterface(v)
    assert iface.text(QAccessible.Text.Description) == "Coded: Actors/State forces"
    assert "Actors/State forces" in window.access.status_codes.text()
    c.movePosition(QTextCursor.MoveOperation.End)
    v.setTextCursor(c)
    assert iface.text(QAccessible.Text.Description) == "Not coded"


def test_zoom_keys_change_the_text_size_and_it_is_remembered(make_window, project_path, qtbot):
    w = make_window(project_path)
    base = w.viewer.font().pointSizeF()
    w.viewer.setFocus()
    qtbot.keyClick(w.viewer, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(w.viewer, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert w.viewer.font().pointSizeF() == base + 2
    qtbot.keyClick(w.viewer, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert w.viewer.font().pointSizeF() == base + 1
    w.close()
    again = make_window(project_path)
    assert again.viewer.font().pointSizeF() == base + 1
    qtbot.keyClick(again.viewer, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert again.viewer.font().pointSizeF() == base


def test_code_keys_act_only_in_the_text_and_can_be_remapped_or_turned_off(window, qtbot, settings):
    select(window, "Syria's regime")
    window.documents_panel.view.setFocus()
    qtbot.keyClick(window.documents_panel.view, Qt.Key.Key_5)
    assert stored(window) == []
    settings.setValue("keys/code_keys", "qwertyuio")
    window.viewer.setFocus()
    qtbot.keyClick(window.viewer, Qt.Key.Key_2)
    assert stored(window) == []
    qtbot.keyClick(window.viewer, Qt.Key.Key_W)  # the second key: the second code
    assert [p for p, _c, _q in stored(window)] == ["Actors/State forces"]
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    toggle = next(a for a in view.actions() if a.text().startswith("Single-&key"))
    toggle.setChecked(False)
    select(window, "At least 12 people")
    qtbot.keyClick(window.viewer, Qt.Key.Key_Q)
    assert len(stored(window)) == 1


def test_the_first_window_fits_a_1366x768_screen_at_any_scale():
    for avail in (QRect(0, 0, 1366, 728), QRect(0, 0, 1366 // 2, 768 // 2 - 20),
                  QRect(0, 32, 2732 // 2, 1536 // 2 - 32), QRect(1920, 0, 2560, 1400)):  # fmt: skip
        g = sizing.first_geometry(avail)
        assert avail.contains(g), (avail, g)
        assert g.width() <= sizing.PREFERRED[0] and g.height() <= sizing.PREFERRED[1]
    assert sizing.first_geometry(QRect(0, 0, 2560, 1400)).size().toTuple() == sizing.PREFERRED
    # a remembered window from a larger monitor that is gone comes back, whole
    laptop = QRect(0, 0, 1366, 728)
    back = sizing.fit_on_screen(QRect(1900, 100, 1600, 1000), [laptop])
    assert laptop.contains(back)
    kept = QRect(10, 10, 800, 600)
    assert sizing.fit_on_screen(kept, [laptop]) == kept


def test_a_new_window_uses_the_screen_sizing(qtbot, settings, prompts, project_path):
    from desktop.services.project.project import Project
    from desktop.ui.workbench.main_window import MainWindow

    w = MainWindow(Project.open(project_path), settings=settings, prompts=prompts)
    qtbot.addWidget(w)
    try:
        avail = (w.screen() or QGuiApplication.primaryScreen()).availableGeometry()
        assert w.geometry() == sizing.first_geometry(avail)
        assert avail.contains(w.geometry())
    finally:
        w.shutdown()


def test_a_remembered_geometry_off_screen_is_brought_back(qtbot, settings, prompts, project_path):
    from desktop.services.project.project import Project
    from desktop.ui.workbench.main_window import MainWindow

    first = MainWindow(Project.open(project_path), settings=settings, prompts=prompts)
    qtbot.addWidget(first)
    avail = (first.screen() or QGuiApplication.primaryScreen()).availableGeometry()
    first.setGeometry(avail.right() + 400, avail.bottom() + 300, 900, 600)
    first.save_state()
    first.shutdown()
    w = MainWindow(Project.open(project_path), settings=settings, prompts=prompts)
    qtbot.addWidget(w)
    try:
        assert avail.intersects(w.geometry())
        assert avail.contains(w.geometry())
    finally:
        w.shutdown()


def test_a_long_task_finishing_is_announced(window, qtbot):
    done = []
    window.run_long("Export", "Exporting…", lambda progress, cancelled: 42, done=done.append)
    qtbot.waitUntil(lambda: done == [42], timeout=5000)
    assert "Export: finished" in window.statusBar().currentMessage()


def test_switching_theme_after_closing_windows_does_not_crash(
    qtbot, settings, prompts, project_path, themed
):
    """A window closed and deleted right after a resize or a theme switch leaves nothing
    behind that later fires on its freed widgets (a queued re-layout of the text did),
    and the next theme switch restyles only the windows that exist."""
    from PySide6.QtCore import QCoreApplication, QEvent

    from desktop.ui.workbench.main_window import MainWindow

    font = QApplication.font()
    for round_ in range(4):
        themed(theme.LIGHT)
        w = MainWindow(Project.open(project_path), settings=settings, prompts=prompts)
        w.show()
        qtbot.waitExposed(w)
        theme.set_mode(theme.DARK)
        theme.set_mode(theme.SYSTEM)
        w.shutdown()
        w.close()
        w.deleteLater()
        big = QFont(font)
        big.setPointSizeF(12 + round_)
        QApplication.setFont(big)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        themed(theme.LIGHT)
        QApplication.processEvents()
        theme.set_mode(theme.DARK)
    QApplication.setFont(font)
    assert QApplication.palette().color(QApplication.palette().ColorRole.Base).name() == (
        theme.DARK_THEME.base
    )


@pytest.mark.parametrize("mode", [theme.LIGHT, theme.DARK])
def test_check_boxes_stand_out_in_both_themes(qtbot, themed, mode):
    """An unchecked box's border and a checked box's mark reach 3:1 against what is
    behind them (WCAG's non-text contrast), in a list as in a dialog."""
    from PySide6.QtWidgets import QCheckBox, QStyle, QStyleOptionButton

    themed(mode)
    for state in (Qt.CheckState.Unchecked, Qt.CheckState.Checked):
        box = QCheckBox("Actors")
        qtbot.addWidget(box)
        box.setCheckState(state)
        box.show()
        _settle(qtbot, box)
        option = QStyleOptionButton()
        option.initFrom(box)
        rect = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)
        assert text_contrast(grab(box), rect) >= 3.0, (mode, state)
