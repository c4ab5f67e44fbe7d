"""The Help menu: a searchable sheet of shortcuts, the manual shown in the app, About
Tessera with the version, licence, project file and schema, and a tour that can be
skipped and opened again."""

from __future__ import annotations

from PySide6.QtCore import Qt


def help_action(window, text):
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    return next(a for a in menu.actions() if a.text().replace("&", "").startswith(text))


def test_shortcut_sheet_lists_menu_keys_and_searches(window, qtbot):
    help_action(window, "Keyboard shortcuts").trigger()
    sheet = window.help_windows["shortcuts"]
    qtbot.waitUntil(sheet.isVisible)
    shown = sheet.visible_actions()
    assert "Code selection as" in shown and any("first nine codes" in a for a in shown)
    qtbot.keyClicks(sheet.search, "in-vivo")
    assert sheet.visible_actions() == ["In-vivo code"]
    qtbot.keyClick(sheet, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not sheet.isVisible())


def test_manual_is_shipped_and_opens_in_the_app(window, qtbot):
    help_action(window, "Tessera manual").trigger()
    manual = window.help_windows["manual"]
    qtbot.waitUntil(manual.isVisible)
    text = manual.browser.toPlainText()
    assert "Coding" in text and "Ctrl+K" in text and "cannot be read" not in text


def test_about_names_version_licence_project_and_schema(window, qtbot, project_path):
    from db.project_file import SCHEMA_VERSION
    from desktop.ui.workbench import help as help_ui

    help_action(window, "About Tessera").trigger()
    text = help_ui.about_text(window)
    assert f"Tessera {help_ui.version()}" in text and "MIT" in text
    assert str(project_path) in text and f"version {SCHEMA_VERSION}" in text


def test_the_tour_steps_through_can_be_skipped_and_reopened(window, qtbot, settings):
    from desktop.ui.workbench import help as help_ui

    tour = help_ui.tour_on_first_run(window)
    assert tour is not None and "1 of 4" in tour.title.text()
    tour.next.click()
    assert "2 of 4" in tour.title.text()
    tour.skip.click()
    assert not tour.isVisible()
    assert help_ui.tour_on_first_run(window) is None  # not again by itself
    help_action(window, "Tour").trigger()
    again = window.help_windows["tour"]
    assert again.isVisible() and "1 of 4" in again.title.text()
    for _ in range(4):
        again.next.click()
    assert not again.isVisible()
