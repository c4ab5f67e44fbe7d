"""The Help menu: a searchable sheet of keyboard shortcuts, the manual shipped in
resources/manual (shown in the app), About Tessera, and a short tour for a first run."""

from __future__ import annotations

from importlib import metadata
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenuBar,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.services.resources import resources_dir
from desktop.ui.dialogs import fit_window

if TYPE_CHECKING:
    from desktop.ui.workbench.host import WorkbenchWindow

# keys that are not menu entries
EXTRA_KEYS = (
    ("1 – 9", "Code the selection with one of the first nine codes"),
    ("Delete", "Remove the selected coding (in the codings list)"),
    ("Double-click", "Edit a coding's memo (in the codings list)"),
    ("Escape", "Close a dialog or window, or the find bar"),
)


def shortcuts(bar: QMenuBar) -> list[tuple[str, str, str]]:
    """(keys, what they do, menu) for every menu entry with a shortcut, then the others."""
    rows = []
    for top in bar.actions():
        menu = top.menu()
        if menu is None:
            continue
        stack = [(menu, top.text().replace("&", ""))]
        while stack:
            m, where = stack.pop()
            for a in m.actions():
                if a.menu() is not None:
                    stack.append((a.menu(), f"{where} › {a.text().replace('&', '')}"))
                elif a.shortcuts():
                    keys = ", ".join(
                        s.toString(QKeySequence.SequenceFormat.NativeText) for s in a.shortcuts()
                    )
                    rows.append((keys, a.text().replace("&", "").rstrip("…"), where))
    rows += [(k, what, "") for k, what in EXTRA_KEYS]
    return rows


class ShortcutsDialog(QDialog):
    def __init__(self, w: QWidget, bar: QMenuBar) -> None:
        super().__init__(w)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts")
        lay = QVBoxLayout(self)
        self.search = QLineEdit(placeholderText="Search keys or actions")
        self.search.setClearButtonEnabled(True)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Keys", "Action", "Menu"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for row, cells in enumerate(shortcuts(bar)):
            self.table.insertRow(row)
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self.table.resizeColumnToContents(0)
        self.table.resizeColumnToContents(2)
        self.search.textChanged.connect(self._filter)
        lay.addWidget(self.search)
        lay.addWidget(self.table)
        fit_window(self, "shortcuts", QSize(620, 520))

    def _filter(self, text: str) -> None:
        needle = text.casefold().strip()
        for row in range(self.table.rowCount()):
            cells = " ".join(self.table.item(row, c).text() for c in range(3)).casefold()
            self.table.setRowHidden(row, bool(needle) and needle not in cells)

    def visible_actions(self) -> list[str]:
        return [
            self.table.item(r, 1).text()
            for r in range(self.table.rowCount())
            if not self.table.isRowHidden(r)
        ]


class ManualWindow(QDialog):
    def __init__(self, w: QWidget) -> None:
        super().__init__(w)
        self.setObjectName("manualWindow")
        self.setWindowTitle("Tessera manual")
        lay = QVBoxLayout(self)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        path = resources_dir() / "manual" / "manual.md"
        try:
            self.browser.setMarkdown(path.read_text("utf-8"))
        except OSError as exc:
            self.browser.setPlainText(f"The manual ({path}) cannot be read: {exc.strerror}")
        lay.addWidget(self.browser)
        fit_window(self, "manual", QSize(720, 760))


def version() -> str:
    try:
        return metadata.version("tessera-qda")
    except metadata.PackageNotFoundError:
        return "(not installed: running from the source folder)"


def about_text(w: WorkbenchWindow) -> str:
    project = w.ctx.project if w.ctx is not None else None
    lines = [
        f"<h3>Tessera {version()}</h3>",
        "<p>Qualitative coding of texts, offline. Licence: MIT.</p>",
    ]
    if project is not None:
        schema = project.info().get("schema_version", "?")
        lines.append(
            f"<p>Project file: {_esc(str(project.path))}<br>Project schema: version {schema}</p>"
        )
    return "".join(lines)


def show_about(w: WorkbenchWindow) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Information, "About Tessera", about_text(w), parent=w)
    box.setObjectName("aboutBox")
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.open()
    return box


# -- the tour ------------------------------------------------------------------------------

TOUR = (
    ("Read", "The article in the middle is the sample project's first document. The "
     "Documents panel on the left lists the others."),
    ("Code", "Select a passage with the mouse, then press 1–9 for one of the first nine "
     "codes in the Codebook panel, or Ctrl+K to pick any code by name."),
    ("Check", "The passage is tinted in its code's colour and listed under Codings in "
     "this document. Ctrl+Z undoes it."),
    ("Compare", "With more than one coder, Review > Compare coders walks through the "
     "passages where you disagree. Help > Tour shows these steps again."),
)  # fmt: skip
TOUR_DONE_KEY = "help/tourDone"


class TourDialog(QDialog):
    """Four steps, one at a time; Skip or Done ends it and it does not come back by
    itself (Help > Tour opens it again)."""

    def __init__(self, w: WorkbenchWindow) -> None:
        super().__init__(w)
        self.setObjectName("tourDialog")
        self.w = w
        self.step = 0
        self.setWindowTitle("A tour of Tessera")
        lay = QVBoxLayout(self)
        self.title = QLabel()
        self.title.setObjectName("tourTitle")
        self.body = QLabel()
        self.body.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.skip = buttons.addButton("Skip tour", QDialogButtonBox.ButtonRole.RejectRole)
        self.next = QPushButton("Next")
        buttons.addButton(self.next, QDialogButtonBox.ButtonRole.ActionRole)
        self.next.clicked.connect(self.advance)
        buttons.rejected.connect(self.reject)
        for widget in (self.title, self.body):
            lay.addWidget(widget)
        lay.addStretch(1)
        lay.addWidget(buttons)
        self.finished.connect(lambda _r: w.settings.setValue(TOUR_DONE_KEY, True))
        self._show_step()
        fit_window(self, "tour", QSize(440, 220))

    def _show_step(self) -> None:
        head, text = TOUR[self.step]
        self.title.setText(f"<b>{self.step + 1} of {len(TOUR)} · {head}</b>")
        self.body.setText(text)
        self.next.setText("Done" if self.step == len(TOUR) - 1 else "Next")

    def advance(self) -> None:
        if self.step == len(TOUR) - 1:
            self.accept()
            return
        self.step += 1
        self._show_step()


def open_tour(w: WorkbenchWindow) -> TourDialog:
    dlg = TourDialog(w)
    w.help_windows["tour"] = dlg
    dlg.show()
    return dlg


def tour_on_first_run(w: WorkbenchWindow) -> TourDialog | None:
    """The tour, once, for a first run (the app calls this after making the sample)."""
    if w.settings.value(TOUR_DONE_KEY, False, bool):
        return None
    return open_tour(w)


def open_window(w: WorkbenchWindow, name: str, make) -> QDialog:
    """The Help window ``name``, made by ``make()`` the first time, shown and raised."""
    dlg = w.help_windows.get(name)
    if dlg is None:
        dlg = w.help_windows[name] = make()
    dlg.show()
    dlg.raise_()
    return dlg


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
