"""The window's menus and their shortcuts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QUndoStack
from PySide6.QtWidgets import QMenu

from desktop.ui.look import icon
from desktop.ui.workbench.context import ALL, CHOSEN, MINE

if TYPE_CHECKING:
    from desktop.ui.workbench.main_window import MainWindow

MAX_RECENT = 8


def build(w: MainWindow) -> None:
    from desktop.ui.project import actions as pa

    mb = w.menuBar()
    f = mb.addMenu("&File")
    _act(f, "&New project…", QKeySequence.StandardKey.New, lambda: pa.new_project(w))
    _act(f, "&Open project…", QKeySequence.StandardKey.Open, lambda: pa.open_project(w))
    w.recent_menu = f.addMenu("Open &Recent")
    w.recent_menu.aboutToShow.connect(lambda: _fill_recent(w))
    f.addSeparator()
    _act(f, "&Import files…", "Ctrl+I", lambda: w.import_files()).setIcon(icon("import"))
    exp = f.addMenu("&Export")
    exp.setIcon(icon("export"))
    _act(exp, "Codings as CSV…", None, lambda: pa.export(w, "codings"))
    _act(exp, "Codings as CSV for Excel…", None, lambda: pa.export(w, "codings", excel=True))
    _act(exp, "Documents as CSV…", None, lambda: pa.export(w, "documents"))
    _act(exp, "Codebook as CSV…", None, lambda: pa.export(w, "codebook"))
    f.addSeparator()
    _act(f, "&Quit", QKeySequence.StandardKey.Quit, w.close)

    e = mb.addMenu("&Edit")
    w.undo_action = _act(e, "&Undo", None, lambda: w.ctx.undo_stack.undo())
    w.undo_action.setShortcuts([QKeySequence("Ctrl+Z")])
    w.redo_action = _act(e, "&Redo", None, lambda: w.ctx.undo_stack.redo())
    w.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    e.addSeparator()
    _act(e, "&Find…", QKeySequence.StandardKey.Find, w.find_bar.open_bar).setIcon(icon("find"))
    _act(e, "Find &Next", QKeySequence.StandardKey.FindNext, lambda: w.find_bar.step(True))
    _act(e, "Find &Previous", QKeySequence.StandardKey.FindPrevious, lambda: w.find_bar.step(False))

    c = mb.addMenu("&Code")
    w.code_as_action = _act(c, "&Code selection as…", "Ctrl+K", w.coding.open_picker)
    w.code_as_action.setIcon(icon("code"))
    _act(c, "&In-vivo code", "Ctrl+Shift+K", w.coding.in_vivo)
    c.addSeparator()
    _act(c, "New code…", None, lambda: w.coding.add_code(None))
    snap = _act(c, "Snap selection to &whole words", None, None)
    snap.setCheckable(True)
    snap.setChecked(w.viewer.snap_to_words)
    snap.toggled.connect(lambda on: setattr(w.viewer, "snap_to_words", on))
    w.snap_action = snap
    c.addSeparator()
    c.addAction("Keys 1–9 apply the first nine codes of the codebook").setEnabled(False)

    v = mb.addMenu("C&oders")
    _act(v, "&Switch coder…", "Ctrl+Shift+C", w.switch_coder).setIcon(icon("coder"))
    v.addSeparator()
    group = QActionGroup(w)
    w.view_actions = {}
    for mode, label in ((MINE, "Show &my codings"), (ALL, "Show &all coders' codings"),
                        (CHOSEN, "Show &chosen coders' codings…")):  # fmt: skip
        a = _act(v, label, None, lambda _=False, m=mode: w.set_view(m))
        a.setCheckable(True)
        group.addAction(a)
        w.view_actions[mode] = a

    from desktop.ui import review

    rv = mb.addMenu("&Review")
    _act(rv, "&Compare coders…", "Ctrl+Shift+R", lambda: review.open_review(w))
    _act(rv, "&Agreement…", None, lambda: review.open_agreement(w))


def _act(menu: QMenu, text: str, shortcut, slot) -> QAction:
    a = menu.addAction(text)
    if shortcut is not None:
        a.setShortcut(QKeySequence(shortcut))
    if slot is not None:
        a.triggered.connect(slot)
    return a


def connect_undo(w: MainWindow, stack: QUndoStack) -> None:
    def sync() -> None:
        if w.ctx is None or w.ctx.undo_stack is not stack:
            return
        try:
            w.undo_action.setEnabled(stack.canUndo())
            w.redo_action.setEnabled(stack.canRedo())
            w.undo_action.setText(f"&Undo {stack.undoText()}".strip())
            w.redo_action.setText(f"&Redo {stack.redoText()}".strip())
        except RuntimeError:  # the stack or the window is being destroyed
            pass

    stack.indexChanged.connect(lambda _i: sync())
    sync()


def sync_view(w: MainWindow) -> None:
    a = w.view_actions.get(w.ctx.view_mode)
    if a is not None:
        a.setChecked(True)


def remember_recent(w: MainWindow, path: Path) -> None:
    path = str(Path(path).resolve())
    recent = [p for p in _recent(w) if p != path]
    w.settings.setValue("recent", [path, *recent][:MAX_RECENT])
    w.settings.setValue("last_project", path)


def _recent(w: MainWindow) -> list[str]:
    value = w.settings.value("recent", [])
    if isinstance(value, str):
        value = [value]
    return [str(v) for v in (value or [])]


def _fill_recent(w: MainWindow) -> None:
    from desktop.ui.project import actions as pa

    w.recent_menu.clear()
    for p in _recent(w):
        a = w.recent_menu.addAction(Path(p).name, lambda p=p: pa.open_project(w, p))
        a.setToolTip(p)
        a.setEnabled(Path(p).exists())
    if w.recent_menu.isEmpty():
        w.recent_menu.addAction("No recent projects").setEnabled(False)
