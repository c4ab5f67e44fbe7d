"""What assistive technology needs from any window: names for controls, spoken
announcements, Shift+F10 for the context menu, and Tab that leaves tables."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import (
    QAccessible,
    QAccessibleAnnouncementEvent,
    QContextMenuEvent,
    QKeySequence,
    QShortcut,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QStatusBar,
    QTableView,
    QTabWidget,
    QTextEdit,
    QTreeView,
    QWidget,
)


def name(widget: QWidget, text: str, description: str = "") -> QWidget:
    """Give ``widget`` the name (and description) a screen reader says for it."""
    widget.setAccessibleName(text)
    if description:
        widget.setAccessibleDescription(description)
    return widget


def name_toolbar(bar) -> None:
    """Each button of the tool bar ``bar`` says its action's text (without the mnemonic
    and the ellipsis), which Qt does not pass on by itself."""
    for action in bar.actions():
        widget = bar.widgetForAction(action)
        if widget is not None:
            name(widget, action.text().replace("&", "").rstrip("…"))


def accessible_name(widget: QWidget) -> str:
    """The name a screen reader hears: Qt's accessible interface, as Orca or NVDA ask it."""
    iface = QAccessible.queryAccessibleInterface(widget)
    return (iface.text(QAccessible.Text.Name) or "").strip() if iface is not None else ""


def focusable(root: QWidget) -> list[QWidget]:
    """The widgets of ``root`` Tab can reach now, in focus-chain order."""
    out: list[QWidget] = []
    w = root.nextInFocusChain()
    seen = set()
    while w is not None and w is not root and id(w) not in seen:
        seen.add(id(w))
        if (
            (w is root or root.isAncestorOf(w))
            and w.isVisible()
            and w.isEnabled()
            and w.focusPolicy() & Qt.FocusPolicy.TabFocus
            and w.focusProxy() is None
        ):
            out.append(w)
        w = w.nextInFocusChain()
    return out


def unnamed(root: QWidget) -> list[QWidget]:
    """Focusable widgets of ``root`` a screen reader has no name for."""
    return [w for w in focusable(root) if not accessible_name(w)]


_KINDS = ((QTableView, "table"), (QTreeView, "tree"), (QListView, "list"),
          (QTextEdit, "text"), (QPlainTextEdit, "text"), (QLineEdit, "field"),
          (QComboBox, "choice"))  # fmt: skip


def _clean(text: str) -> str:
    """The words a screen reader should say for a label, placeholder or tooltip: plain
    text (tooltips may be rich), its first line, no mnemonic "&", no trailing colon."""
    if "<" in text:
        doc = QTextDocument()
        doc.setHtml(text)
        text = doc.toPlainText()
    text = text.split("\n", 1)[0].replace("&&", "\0").replace("&", "").replace("\0", "&")
    return text.strip().rstrip(":").strip()


def _context_name(w: QWidget, labels: dict[int, QLabel]) -> str:
    """What a sighted user reads as the control's name: its label, its placeholder or
    tooltip, the caption above it, its group or tab, else the window and its kind."""
    label = labels.get(id(w))
    if label is not None and _clean(label.text()):
        return _clean(label.text())
    parent = w.parentWidget()
    layout = parent.layout() if parent is not None else None
    if isinstance(layout, QFormLayout):
        field_label = layout.labelForField(w)
        if isinstance(field_label, QLabel) and _clean(field_label.text()):
            return _clean(field_label.text())
    edit = w.lineEdit() if isinstance(w, QComboBox) and w.isEditable() else w
    if isinstance(edit, QLineEdit) and edit.placeholderText():
        return _clean(edit.placeholderText())
    if w.toolTip() and _clean(w.toolTip()):
        return _clean(w.toolTip())
    if layout is not None:  # a caption just above it in the same layout
        index = layout.indexOf(w)
        for i in range(index - 1, -1, -1):
            item = layout.itemAt(i).widget()
            if isinstance(item, QLabel) and item.isVisible() and _clean(item.text()):
                return _clean(item.text())
            if item is not None and item.isVisible():
                break
    kind = next((k for t, k in _KINDS if isinstance(w, t)), "control")
    p = w.parentWidget()
    while p is not None and not p.isWindow():
        if isinstance(p, QGroupBox) and _clean(p.title()):
            return f"{_clean(p.title())} {kind}"
        tabs = p.parentWidget().parentWidget() if p.parentWidget() is not None else None
        if isinstance(tabs, QTabWidget) and tabs.indexOf(p) >= 0:
            return f"{_clean(tabs.tabText(tabs.indexOf(p)))} {kind}"
        p = p.parentWidget()
    title = w.window().windowTitle().split(" — ")[0]
    return f"{title} {kind}".strip()


def _in_popup(w: QWidget) -> bool:
    """A combo box's drop-down list: the combo box speaks for it."""
    p = w.parentWidget()
    while p is not None:
        if isinstance(p, QComboBox):
            return True
        p = p.parentWidget()
    return False


def name_from_context(root: QWidget) -> list[QWidget]:
    """Give each control of ``root`` that a screen reader has no name for the name a
    sighted user reads beside it (see _context_name); returns the controls named. Names
    set on purpose are kept; this is the net for the ones nobody named."""
    labels = {id(lb.buddy()): lb for lb in root.findChildren(QLabel) if lb.buddy() is not None}
    named = []
    controls = [
        w for w in root.findChildren(QWidget)
        if w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.focusProxy() is None
        and not _in_popup(w)
    ]  # fmt: skip
    for w in (w for w in controls if not accessible_name(w)):  # hidden tabs' ones too
        w.setAccessibleName(_context_name(w, labels))
        named.append(w)
    return named


def announce(widget: QWidget, text: str) -> None:
    """Have screen readers say ``text`` (politely, after what they are saying), and show
    it in the window's status bar for those who look rather than listen."""
    bar = widget.window().findChild(QStatusBar)
    if bar is not None:
        bar.showMessage(text, 10_000)
    if QAccessible.isActive():
        event = QAccessibleAnnouncementEvent(widget, text)
        QAccessible.updateAccessibility(event)


def tab_leaves(widget: QWidget) -> None:
    """Tab and Shift+Tab move focus out of ``widget`` (tables, text boxes) instead of
    moving within it: arrows move within a table, and nobody is trapped."""
    if isinstance(widget, QAbstractItemView):
        widget.setTabKeyNavigation(False)
    if isinstance(widget, QPlainTextEdit | QTextEdit):
        widget.setTabChangesFocus(True)


def tab_leaves_all(root: QWidget) -> None:
    for w in root.findChildren(QTableView) + root.findChildren(QAbstractItemView):
        tab_leaves(w)
    for w in root.findChildren(QPlainTextEdit) + root.findChildren(QTextEdit):
        tab_leaves(w)


def context_menu_key(window: QWidget) -> QShortcut:
    """Shift+F10 opens the focused control's context menu, where the keyboard is."""
    sc = QShortcut(QKeySequence("Shift+F10"), window)
    sc.setContext(Qt.ShortcutContext.WindowShortcut)
    sc.activated.connect(lambda: open_context_menu(QApplication.focusWidget()))
    return sc


def open_context_menu(widget: QWidget | None) -> bool:
    """Send ``widget`` the context menu request a right click at its current item (or
    text cursor) would send; True if it was taken."""
    if widget is None:
        return False
    target, pos = widget, widget.rect().center()
    if isinstance(widget, QAbstractItemView):
        target = widget.viewport()
        idx = widget.currentIndex()
        rect = widget.visualRect(idx) if idx.isValid() else target.rect()
        pos = rect.center() if rect.isValid() else QPoint(4, 4)
    elif isinstance(widget, QPlainTextEdit | QTextEdit):
        target = widget.viewport()
        pos = widget.cursorRect().center()
    elif isinstance(widget, QAbstractScrollArea):
        target = widget.viewport()
        pos = target.rect().center()
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Keyboard,
        pos,
        target.mapToGlobal(pos),
        Qt.KeyboardModifier.NoModifier,
    )
    return QApplication.sendEvent(target, event)
