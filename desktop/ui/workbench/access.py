"""The workbench for the keyboard and for screen readers: panes in reading order (Tab,
F6, a shortcut each), names for every control, the codes at the text cursor spoken and
shown, Enter on a coding going to it, the reading pane's zoom, and the single-key coding
keys, which act only while the text has focus and can be remapped or turned off."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QLabel, QToolButton, QWidget

from desktop.ui import a11y
from desktop.ui.look import reading_font, reading_points

if TYPE_CHECKING:
    from desktop.ui.workbench.host import WorkbenchWindow

# (key, name, shortcut) in reading order: left to right, top to bottom
PANES = (
    ("documents", "Documents", "Alt+1"),
    ("text", "Text", "Alt+2"),
    ("codebook", "Codebook", "Alt+3"),
    ("inspector", "Code inspector", "Alt+4"),
    ("codings", "Codings in this document", "Alt+5"),
)
ZOOM_SETTING = "viewer/zoom"  # points added to the reading pane's size
CODE_KEYS_SETTING = "keys/code_keys"  # the keys for codes 1 to 9, in order
CODE_KEYS_ON_SETTING = "keys/code_keys_on"
DEFAULT_CODE_KEYS = "123456789"


class WorkbenchAccess(QObject):
    def __init__(self, w: WorkbenchWindow) -> None:
        super().__init__(w)
        self.w = w
        self.zoom = float(w.settings.value(ZOOM_SETTING, 0.0, float))
        self._name_controls()
        for view in (w.documents_panel.view, w.codebook_panel.view, w.codings_panel.view):
            a11y.tab_leaves(view)
        a11y.tab_leaves(w.viewer)
        a11y.tab_leaves_all(w.codebook_ui.inspector)
        w.codings_panel.view.installEventFilter(self)
        w.viewer.installEventFilter(self)
        w.viewer.cursorPositionChanged.connect(self.describe_cursor)
        self.show_code_keys()
        self.status_codes = QLabel()
        self.status_codes.setObjectName("codesAtCursor")
        w.statusBar().addWidget(self.status_codes)
        a11y.context_menu_key(w)
        # Tab is taken before any widget sees it: a table or a text box cannot keep it
        for keys, forward in ((("Tab",), True), (("Shift+Tab", "Shift+Backtab", "Backtab"), False)):
            sc = QShortcut(w)
            sc.setKeys([QKeySequence(k) for k in keys])
            sc.setContext(Qt.ShortcutContext.WindowShortcut)
            sc.setAutoRepeat(True)
            sc.activated.connect(lambda forward=forward: self.tab(forward))
        self.apply_zoom()

    # -- names -----------------------------------------------------------------------
    def _name_controls(self) -> None:
        w = self.w
        d, b, c = w.documents_panel, w.codebook_panel, w.codings_panel
        a11y.name(
            d.filter, "Filter documents", "Shows only the documents whose name holds the text"
        )
        a11y.name(d.view, "Documents", "The project's documents; the selected one is shown")
        a11y.name(w.viewer, "Text", "The document; select a passage and code it")
        a11y.name(b.filter, "Filter codes", "Shows only the codes whose name holds the text")
        a11y.name(b.view, "Codebook", "Codes, with how many codings each has")
        a11y.name(c.view, "Codings in this document", "Enter goes to the coding in the text")
        f = w.find_bar
        for button in f.findChildren(QToolButton):
            text = button.toolTip().split(" (")[0] or button.text()
            a11y.name(button, {"Close": "Close find"}.get(text, text))
        ins = w.codebook_ui.inspector
        a11y.name(ins, "Code inspector")
        a11y.name(ins.swatch, "Code colour", "Change the colour of the selected code")
        from desktop.ui.codebook.inspector import TEXTS

        for key, label, placeholder in TEXTS:
            a11y.name(ins.boxes[key], label, placeholder)
        a11y.name(ins.examples, "Anchor examples", "Delete removes the selected example")
        a11y.name(ins.new_example, "Add an anchor example", "Type or paste, then Enter")
        a11y.name(ins.remove_button, "Remove example")
        a11y.name(ins.fields_button, "Fields of the code")

    # -- panes -----------------------------------------------------------------------
    def pane_widgets(self) -> dict[str, QWidget]:
        """Each pane's container, for telling which pane has focus."""
        w = self.w
        return {
            "documents": w.documents_panel,
            "text": w.viewer.parentWidget() or w.viewer,
            "codebook": w.codebook_panel,
            "inspector": w.codebook_ui.inspector,
            "codings": w.codings_panel,
        }

    def pane_entry(self, key: str) -> QWidget | None:
        """Where focus goes in a pane: its list, the text, or the inspector's first box."""
        w = self.w
        if key == "inspector":
            found = a11y.focusable(w.codebook_ui.inspector)
            return found[0] if found else None
        return {
            "documents": w.documents_panel.view,
            "text": w.viewer,
            "codebook": w.codebook_panel.view,
            "codings": w.codings_panel.view,
        }[key]

    def current_pane(self) -> str | None:
        focus = QApplication.focusWidget()
        if focus is None:
            return None
        for key, pane in self.pane_widgets().items():
            if pane is focus or pane.isAncestorOf(focus):
                return key
        return None

    def focus_pane(self, key: str) -> bool:
        target = self.pane_entry(key)
        if target is None or not target.isVisible() or not target.isEnabled():
            return False
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return True

    def cycle(self, step: int) -> None:
        """F6 / Shift+F6: the next (previous) pane that can take focus."""
        keys = [k for k, _n, _s in PANES]
        here = self.current_pane()
        i = keys.index(here) if here in keys else (-1 if step > 0 else 0)
        for n in range(1, len(keys) + 1):
            if self.focus_pane(keys[(i + step * n) % len(keys)]):
                return

    def tab_order(self) -> list[QWidget]:
        """Everything Tab reaches, pane after pane in reading order; within a pane in its
        own order. Computed when Tab is pressed, so controls shown later take their place."""
        chain = a11y.focusable(self.w)
        panes = list(self.pane_widgets().values())
        ordered: list[QWidget] = []
        for pane in panes:
            ordered += [x for x in chain if x is pane or pane.isAncestorOf(x)]
        taken = set(map(id, ordered))
        return ordered + [x for x in chain if id(x) not in taken]

    def tab(self, forward: bool) -> bool:
        focus = QApplication.focusWidget()
        order = self.tab_order()
        i = next((n for n, x in enumerate(order) if x is focus), None)
        if i is None or not self._in_pane(focus):
            # a pop-up or a control outside the panes: Qt's own order
            if focus is not None and focus.window() is self.w:
                QWidget.focusNextPrevChild(self.w, forward)
            return False
        nxt = order[(i + (1 if forward else -1)) % len(order)]
        nxt.setFocus(
            Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason
        )
        return True

    def _in_pane(self, widget: QWidget | None) -> bool:
        return widget is not None and any(
            p is widget or p.isAncestorOf(widget) for p in self.pane_widgets().values()
        )

    # -- the codes at the cursor --------------------------------------------------------
    def describe_cursor(self) -> None:
        """Say which codes cover the character at the text cursor: the reading pane's
        accessible description (read by screen readers as the cursor moves) and a label
        in the status bar."""
        w = self.w
        pos = w.viewer.textCursor().position()
        spans = w.viewer.index.overlapping(pos, pos + 1)
        names = []
        for s in spans:
            code = w.codes.get(s.code_id)
            coder = w.coders.get(s.coder_id)
            label = code.path if code else "unknown code"
            if coder is not None and w.viewer.show_coders:
                label += f" ({coder.name})"
            if label not in names:
                names.append(label)
        text = ("Coded: " + "; ".join(names)) if names else "Not coded"
        if w.viewer.accessibleDescription() != text:
            w.viewer.setAccessibleDescription(text)
        self.status_codes.setText(text if names else "")

    # -- zoom ------------------------------------------------------------------------
    def zoom_by(self, step: float) -> None:
        """Ctrl++ / Ctrl+- (step ±1 point) and Ctrl+0 (step 0: back to the usual size)."""
        self.zoom = 0.0 if step == 0 else self.zoom + step
        self.apply_zoom()

    def apply_zoom(self) -> None:
        font = reading_font(self.zoom)
        self.zoom = font.pointSizeF() - reading_points()  # clamped
        self.w.viewer.setFont(font)
        self.w.fit_reading_column()
        self.w.settings.setValue(ZOOM_SETTING, self.zoom)

    # -- single-key coding -----------------------------------------------------------
    def code_keys(self) -> str:
        """The keys that apply codes 1 to 9 ("" when turned off)."""
        s = self.w.settings
        if not s.value(CODE_KEYS_ON_SETTING, True, bool):
            return ""
        keys = str(s.value(CODE_KEYS_SETTING, DEFAULT_CODE_KEYS) or "")
        return keys[:9]

    def set_code_keys_on(self, on: bool) -> None:
        self.w.settings.setValue(CODE_KEYS_ON_SETTING, bool(on))
        self.show_code_keys()

    def set_code_keys(self, keys: str) -> None:
        """Remember ``keys`` (nine different characters) for codes 1 to 9."""
        self.w.settings.setValue(CODE_KEYS_SETTING, keys)
        self.show_code_keys()

    def show_code_keys(self) -> None:
        """The codebook's Key column shows the keys as they are now."""
        self.w.codebook_panel.model.set_key_labels(self.code_keys())

    def code_number(self, e: QKeyEvent) -> int | None:
        """The code number (1-9) a key pressed in the text stands for, if any."""
        if e.modifiers() & ~(
            Qt.KeyboardModifier.KeypadModifier | Qt.KeyboardModifier.ShiftModifier
        ):
            return None
        text = e.text()
        keys = self.code_keys()
        if not text or len(text) != 1 or text not in keys:
            return None
        return keys.index(text) + 1

    # -- events ----------------------------------------------------------------------
    def eventFilter(self, obj: QObject, e: QEvent) -> bool:
        w = self.w
        if obj is w.codings_panel.view and e.type() == QEvent.Type.KeyPress:
            if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                cid = w.codings_panel.current_coding()
                if cid is not None:
                    w.show_coding(cid)
                    w.viewer.setFocus(Qt.FocusReason.OtherFocusReason)
                    return True
        elif obj is w.viewer and e.type() == QEvent.Type.ApplicationFontChange:
            self.apply_zoom()  # the system font changed: the reading size follows it
        elif obj is w.viewer and e.type() == QEvent.Type.FontChange:
            # Ctrl+wheel zooms the text too: remember it as the keys' zoom is remembered
            zoom = w.viewer.font().pointSizeF() - reading_points()
            if abs(zoom - self.zoom) > 0.01:
                self.zoom = zoom
                w.settings.setValue(ZOOM_SETTING, zoom)
        return False


def shortcut_text(key: str) -> str:
    return QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)
