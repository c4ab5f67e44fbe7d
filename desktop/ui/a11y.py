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
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QPlainTextEdit,
    QStatusBar,
    QTableView,
    QTextEdit,
    QWidget,
)


def name(widget: QWidget, text: str, description: str = "") -> QWidget:
    """Give ``widget`` the name (and description) a screen reader says for it."""
    widget.setAccessibleName(text)
    if description:
        widget.setAccessibleDescription(description)
    return widget


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
