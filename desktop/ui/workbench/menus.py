"""The window's menu bar, declared in one place as it reads from left to right and top
to bottom, with the shortcuts; each entry calls its feature (project, exchange, teams,
backups, codebook, review). Features never look a menu up: what they need of it is
named in ``host.Actions``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QUndoStack
from PySide6.QtWidgets import QApplication, QMenu

from desktop.ui import analysis, review, theme
from desktop.ui.coding.memos_window import open_memos_window
from desktop.ui.documents.actions import DocumentActions, attach_list_menu
from desktop.ui.documents.cases_window import SHORTCUT as CASES_SHORTCUT
from desktop.ui.documents.cases_window import open_cases_window
from desktop.ui.documents.dragging import attach_list_drag
from desktop.ui.documents.table_window import open_documents_window
from desktop.ui.exchange import actions as exchange_ui
from desktop.ui.look import apply_theme, icon
from desktop.ui.project import actions as project_ui
from desktop.ui.project import backups as backups_ui
from desktop.ui.teams import actions as teams_ui
from desktop.ui.workbench import help as help_ui
from desktop.ui.workbench.context import ALL, CHOSEN, MINE
from desktop.ui.workbench.host import Actions

if TYPE_CHECKING:
    from desktop.ui.codebook.controller import CodebookUI
    from desktop.ui.workbench.host import WorkbenchWindow

MAX_RECENT = 8


def build(w: WorkbenchWindow, book_ui: CodebookUI) -> Actions:
    """The whole menu bar, top to bottom; returns the entries named in ``Actions``."""
    mb = w.menuBar()
    f = mb.addMenu("&File")
    _act(f, "&New project…", QKeySequence.StandardKey.New, lambda: project_ui.new_project(w))
    _act(f, "&Open project…", QKeySequence.StandardKey.Open, lambda: project_ui.open_project(w))
    recent = f.addMenu("Open &Recent")
    recent.aboutToShow.connect(lambda: _fill_recent(w))
    f.addSeparator()
    _act(f, "&Import files…", "Ctrl+I", lambda: w.import_files()).setIcon(icon("import"))
    imp = f.addMenu("Im&port")
    _act(imp, "&REFI-QDA project (.qdpx)…", None, lambda: exchange_ui.import_qdpx(w)).setToolTip(
        "Documents, codebook, coders and codings from NVivo, ATLAS.ti, MAXQDA…"
    )
    exp = f.addMenu("&Export")
    exp.setIcon(icon("export"))
    _act(exp, "Codings as CSV…", None, lambda: project_ui.export(w, "codings"))
    _act(
        exp, "Codings as CSV for Excel…", None, lambda: project_ui.export(w, "codings", excel=True)
    )
    _act(exp, "Documents as CSV…", None, lambda: project_ui.export(w, "documents"))
    _act(exp, "Codebook as CSV…", None, lambda: project_ui.export(w, "codebook"))
    exp.addSeparator()
    _act(exp, "&REFI-QDA project (.qdpx)…", None, lambda: exchange_ui.export_qdpx(w))
    _act(f, "Save codebook as &template…", None, book_ui.save_template)
    f.addSeparator()
    merge = _act(f, "&Merge coders' files…", None, lambda: teams_ui.merge_files(w))
    merge.setToolTip("Bring the codings of coders' copies (.tessera files) into this project")
    copy = _act(f, "Copy for a &coder…", None, lambda: teams_ui.copy_for_coder(w))
    copy.setToolTip("A file with the documents and the codebook for one coder to code offline")
    f.addSeparator()
    restore = _act(f, "Restore from &backup…", None, lambda: backups_ui.restore_from_backup(w))
    restore.setToolTip("Bring back the project as it was in one of its automatic backups")
    f.addSeparator()
    _act(f, "&Quit", QKeySequence.StandardKey.Quit, w.close)

    e = mb.addMenu("&Edit")
    undo = _act(e, "&Undo", None, lambda: w.ctx.undo_stack.undo())
    undo.setShortcuts([QKeySequence("Ctrl+Z")])
    redo = _act(e, "&Redo", None, lambda: w.ctx.undo_stack.redo())
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    e.addSeparator()
    _act(e, "&Find…", QKeySequence.StandardKey.Find, w.find_bar.open_bar).setIcon(icon("find"))
    _act(e, "Find &Next", QKeySequence.StandardKey.FindNext, lambda: w.find_bar.step(True))
    _act(e, "Find &Previous", QKeySequence.StandardKey.FindPrevious, lambda: w.find_bar.step(False))

    view_menu = mb.addMenu("&View")
    panels = _view_menu(w, view_menu)

    docs = DocumentActions(w)
    attach_list_menu(w, docs)  # the documents list's right-click menu
    attach_list_drag(w.documents_panel.view)  # documents dragged onto a case or a set
    d = mb.addMenu("&Documents")
    d.setToolTipsVisible(True)
    _act(d, "Documents &table…", "Ctrl+Shift+T", lambda: open_documents_window(w, docs)).setToolTip(
        "Every document with its attributes, sets and case: sort, filter, edit in place"
    )
    _act(d, "&Cases and sets…", CASES_SHORTCUT, lambda: open_cases_window(w, docs)).setToolTip(
        "The cases with their attributes and documents, the sets with their documents and codes"
    )
    _act(d, "&Properties of this document…", "Alt+Return",
         lambda: w.document_id is not None and docs.properties(w.document_id))  # fmt: skip
    _act(d, "&Memo of this document…", None,
         lambda: w.document_id is not None and docs.memo(w.document_id))  # fmt: skip
    d.addSeparator()
    _act(d, "M&emos…", "Ctrl+Shift+M", lambda: open_memos_window(w)).setToolTip(
        "The journal and every memo of documents, codes and codings: search, edit, export"
    )
    _act(d, "New &journal entry…", "Ctrl+Shift+J", lambda: open_memos_window(w, new_entry=True))

    c = mb.addMenu("&Code")
    code_as = _act(c, "&Code selection as…", "Ctrl+K", w.coding.open_picker)
    code_as.setIcon(icon("code"))
    _act(c, "&In-vivo code", "Ctrl+Shift+K", w.coding.in_vivo)
    c.addSeparator()
    _act(c, "New code…", None, lambda: w.coding.add_code(None))
    snap = _act(c, "Snap selection to &whole words", None, None)
    snap.setCheckable(True)
    snap.setChecked(w.viewer.snap_to_words)
    snap.toggled.connect(lambda on: setattr(w.viewer, "snap_to_words", on))
    c.addSeparator()
    c.addAction("Keys 1–9 apply the first nine codes of the codebook").setEnabled(False)

    book = mb.addMenu("Code&book")
    _act(book, "&Import codebook…", None, lambda: exchange_ui.import_codebook(w))
    for fmt, (label, _filter) in exchange_ui.CODEBOOK_FORMATS.items():
        _act(book, f"Export codebook as {label}…", None,
             lambda _=False, f=fmt: exchange_ui.export_codebook(w, f))  # fmt: skip
    book.addSeparator()
    _act(book, "&Frequencies…", None, book_ui.show_frequencies)
    book.addSeparator()
    _act(book, "Fields of the selected code…", None, lambda: book_ui.edit_fields(None))
    _act(book, "Merge the selected code into…", None, book_ui.merge_current)
    book.addSeparator()
    _act(book, "Save codebook as template…", None, book_ui.save_template)
    book.addSeparator()
    book.addAction(book_ui.ask_values_action)

    v = mb.addMenu("C&oders")
    v.setToolTipsVisible(True)
    _act(v, "&Switch coder…", "Ctrl+Shift+C", w.switch_coder).setIcon(icon("coder"))
    v.addSeparator()
    blind = _act(v, "&Blind coding", None, None)
    blind.setCheckable(True)
    blind.setToolTip(
        "Each coder sees only their own codings; the reviewer (who turned it on) sees all"
    )
    blind.toggled.connect(lambda on: teams_ui.set_blind(w, on))
    v.addSeparator()
    group = QActionGroup(w)
    view = {}
    for mode, label in ((MINE, "Show &my codings"), (ALL, "Show &all coders' codings"),
                        (CHOSEN, "Show &chosen coders' codings…")):  # fmt: skip
        a = _act(v, label, None, lambda _=False, m=mode: w.set_view(m))
        a.setCheckable(True)
        group.addAction(a)
        view[mode] = a

    _view_access(w, view_menu)

    rv = mb.addMenu("&Review")
    _act(rv, "&Compare coders…", "Ctrl+Shift+R", lambda: review.open_review(w))
    _act(rv, "&Agreement…", None, lambda: review.open_agreement(w))

    # Analysis: one window with a tab per kind of query (desktop/ui/analysis)
    an = mb.addMenu("&Analysis")
    for label, tab, key in (("Coded &passages…", "passages", "Ctrl+Shift+P"),
                            ("&Search the corpus…", "search", "Ctrl+Shift+F"),
                            ("&Matrix…", "matrix", None), ("&Words…", "words", None),
                            ("&Charts…", "charts", None)):  # fmt: skip
        _act(an, label, key, lambda _=False, t=tab: analysis.open_analysis(w, t))

    help_entries = _help_menu(w, mb.addMenu("&Help"))
    return Actions(
        recent_menu=recent, import_menu=imp, book_menu=book, undo=undo, redo=redo,
        code_as=code_as, snap=snap, blind=blind, merge=merge, copy_for_coder=copy,
        restore=restore, view=view, panels=panels, help=help_entries,
    )  # fmt: skip


# Side panels: shown or hidden from View, each with its shortcut; remembered by the window.
PANELS = (
    ("documents", "&Documents panel", "Ctrl+Shift+D"),
    ("codebook", "Code&book panel", "Ctrl+Shift+B"),
    ("codings", "Codin&gs panel", "Ctrl+Shift+L"),
)


def _view_menu(w: WorkbenchWindow, menu: QMenu) -> dict[str, QAction]:
    panels = {}
    for name, label, key in PANELS:
        a = _act(menu, label, key, None)
        a.setCheckable(True)
        a.setChecked(True)
        a.setToolTip(f"Show or hide the {name} panel ({key})")
        a.toggled.connect(lambda on, n=name: w.show_panel(n, on))
        panels[name] = a
    menu.addSeparator()
    return panels


def _help_menu(w: WorkbenchWindow, menu: QMenu) -> dict[str, QAction]:
    bar = w.menuBar()
    return {
        "shortcuts": _act(menu, "&Keyboard shortcuts", "Ctrl+/", lambda: help_ui.open_window(
            w, "shortcuts", lambda: help_ui.ShortcutsDialog(w, bar))),
        "manual": _act(menu, "Tessera &manual", QKeySequence.StandardKey.HelpContents,
                       lambda: help_ui.open_window(w, "manual", lambda: help_ui.ManualWindow(w))),
        "tour": _act(menu, "&Tour", None, lambda: help_ui.open_tour(w)),
        "about": _act(menu, "&About Tessera", None, lambda: help_ui.show_about(w)),
    }  # fmt: skip


def _view_access(w: WorkbenchWindow, m: QMenu) -> None:
    """Theme, the reading pane's zoom, moving between panes, the single-key coding keys."""
    from desktop.ui.workbench.access import PANES

    themes = m.addMenu("&Theme")
    group = QActionGroup(w)
    chosen = w.settings.value(theme.SETTING, theme.mode(), str)
    for mode, label in ((theme.LIGHT, "&Light"), (theme.DARK, "&Dark"),
                        (theme.SYSTEM, "Follow the &system")):  # fmt: skip
        a = _act(themes, label, None, lambda _=False, m=mode: set_theme(w, m))
        a.setCheckable(True)
        a.setChecked(mode == chosen)
        a.setObjectName(f"theme_{mode}")
        group.addAction(a)
    m.addSeparator()
    zoom_in = _act(m, "Zoom &in", None, lambda: w.access.zoom_by(+1))
    zoom_in.setShortcuts([QKeySequence("Ctrl++"), QKeySequence("Ctrl+=")])
    _act(m, "Zoom &out", "Ctrl+-", lambda: w.access.zoom_by(-1))
    _act(m, "&Reset zoom", "Ctrl+0", lambda: w.access.zoom_by(0))
    m.addSeparator()
    _act(m, "&Next pane", "F6", lambda: w.access.cycle(+1))
    _act(m, "&Previous pane", "Shift+F6", lambda: w.access.cycle(-1))
    go = m.addMenu("&Go to pane")
    for key, label, shortcut in PANES:
        _act(go, label, shortcut, lambda _=False, k=key: w.access.focus_pane(k))
    m.addSeparator()
    keys = _act(m, "Single-&key coding in the text", None, None)
    keys.setCheckable(True)
    keys.setChecked(bool(w.access.code_keys()))
    keys.setToolTip("Keys 1–9 apply the first nine codes while the text has focus")
    keys.setObjectName("code_keys_on")
    keys.toggled.connect(w.access.set_code_keys_on)
    _act(m, "Code &keys…", None, lambda: edit_code_keys(w, keys))
    m.setToolTipsVisible(True)


def edit_code_keys(w: WorkbenchWindow, toggle: QAction) -> None:
    """Remap the single-key coding keys (or turn them off) in a dialog."""
    from desktop.ui.workbench.access import CODE_KEYS_SETTING, DEFAULT_CODE_KEYS
    from desktop.ui.workbench.code_keys import CodeKeysDialog

    s = w.settings
    stored = str(s.value(CODE_KEYS_SETTING, DEFAULT_CODE_KEYS) or DEFAULT_CODE_KEYS)
    dlg = CodeKeysDialog(w, stored, toggle.isChecked())
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def save() -> None:
        if dlg.enabled.isChecked():
            w.access.set_code_keys(dlg.chosen())
        toggle.setChecked(dlg.enabled.isChecked())

    dlg.accepted.connect(save)
    dlg.open()


def set_theme(w: WorkbenchWindow, mode: str) -> None:
    """Switch the theme of every window and remember it."""
    apply_theme(QApplication.instance(), mode)
    w.settings.setValue(theme.SETTING, mode)


def _act(menu: QMenu, text: str, shortcut, slot) -> QAction:
    a = menu.addAction(text)
    if shortcut is not None:
        a.setShortcut(QKeySequence(shortcut))
    if slot is not None:
        a.triggered.connect(slot)
    return a


def connect_undo(w: WorkbenchWindow, stack: QUndoStack) -> None:
    def sync() -> None:
        if w.ctx is None or w.ctx.undo_stack is not stack:
            return
        try:
            w.actions.undo.setEnabled(stack.canUndo())
            w.actions.redo.setEnabled(stack.canRedo())
            w.actions.undo.setText(f"&Undo {stack.undoText()}".strip())
            w.actions.redo.setText(f"&Redo {stack.redoText()}".strip())
        except RuntimeError:  # the stack or the window is being destroyed
            pass

    stack.indexChanged.connect(lambda _i: sync())
    sync()


def sync_view(w: WorkbenchWindow) -> None:
    a = w.actions.view.get(w.ctx.view_mode)
    if a is not None:
        a.setChecked(True)


def remember_recent(w: WorkbenchWindow, path: Path) -> None:
    path = str(Path(path).resolve())
    recent = [p for p in _recent(w) if p != path]
    w.settings.setValue("recent", [path, *recent][:MAX_RECENT])
    w.settings.setValue("last_project", path)


def _recent(w: WorkbenchWindow) -> list[str]:
    value = w.settings.value("recent", [])
    if isinstance(value, str):
        value = [value]
    return [str(v) for v in (value or [])]


def _fill_recent(w: WorkbenchWindow) -> None:
    menu = w.actions.recent_menu
    menu.clear()
    for p in _recent(w):
        a = menu.addAction(Path(p).name, lambda p=p: project_ui.open_project(w, p))
        a.setToolTip(p)
        a.setEnabled(Path(p).exists())
    if menu.isEmpty():
        menu.addAction("No recent projects").setEnabled(False)
