"""How the document viewer selects text: what is coded is what is shown. A mouse
selection is snapped to whole words while it is dragged, a keyboard selection is kept
character-exact, and neither ever ends inside a grapheme cluster (a base letter keeps its
marks, an emoji sequence stays whole). Boundaries come from desktop.core.segmentation
(UAX #29, ICU)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QMouseEvent, QTextCursor, QTextLine

from desktop.core.segmentation import grapheme_at, snap_to_graphemes, snap_to_words, word_at


class WordSelection:
    """Mixed into the DocumentViewer (a QPlainTextEdit): its key and mouse handling, and
    the selection in code points. Uses the viewer's ``text``, ``offsets`` and ``qt_span``
    (code points <-> Qt positions), ``snap_to_words`` and ``unhandled_key`` signal."""

    _press: int | None  # code point where a mouse selection started
    _pressed_on: tuple[int, int] | None  # the cluster the press was on
    _by_keys: bool  # the selection was made with the keyboard: kept exact

    def selected_range(self) -> tuple[int, int] | None:
        """The selection in code points, without white space at its ends; None if empty.
        A selection made in code (not by mouse or keys) is snapped as a mouse one is. If
        that changes it, the visible selection is changed to match."""
        c = self.textCursor()
        if not c.hasSelection():
            return None
        start, end = self.offsets.to_cp(c.selectionStart()), self.offsets.to_cp(c.selectionEnd())
        rng = self._snapped(start, end, words=self.snap_to_words and not self._by_keys)
        if rng is not None and rng != (start, end):
            self._show_selection(*rng, forward=c.position() >= c.anchor(), by_keys=self._by_keys)
        return rng

    def _snapped(self, start: int, end: int, *, words: bool) -> tuple[int, int] | None:
        text = self.text
        start, end = (snap_to_words if words else snap_to_graphemes)(text, start, end)
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return (start, end) if start < end else None

    def _show_selection(self, start: int, end: int, *, forward: bool, by_keys: bool) -> None:
        """Select [start, end) with the cursor at its end (``forward``) or its start."""
        a, b = self.qt_span(start, end)
        c = self.textCursor()
        c.setPosition(a if forward else b)
        c.setPosition(b if forward else a, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(c)
        self._by_keys = by_keys

    def setTextCursor(self, cursor: QTextCursor) -> None:
        super().setTextCursor(cursor)
        self._by_keys = False

    def select_range(self, start: int, end: int, *, center: bool = True) -> None:
        a, b = self.qt_span(start, end)
        c = QTextCursor(self.document())
        c.setPosition(a)
        c.setPosition(b, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(c)
        if center:
            self.centerCursor()

    def keyPressEvent(self, e) -> None:
        before = self.textCursor()
        super().keyPressEvent(e)
        if not e.isAccepted():  # read-only text ignores digits, Ctrl+K, Ctrl+Z...
            self.unhandled_key.emit(e)
            return
        c = self.textCursor()
        if c.position() == before.position() and c.anchor() == before.anchor():
            return
        if not c.hasSelection():
            self._by_keys = False
            return
        # keys select exactly what they cover, but a cluster Qt would split is kept whole:
        # the moving end goes on in the direction it moved, so Shift+Left still shrinks
        pos, anchor = self.offsets.to_cp(c.position()), self.offsets.to_cp(c.anchor())
        pos = _cluster_edge(self.text, pos, back=c.position() < before.position())
        anchor = _cluster_edge(self.text, anchor, back=pos > anchor)  # outward
        a, p = self.offsets.to_qt(anchor), self.offsets.to_qt(pos)
        if (a, p) != (c.anchor(), c.position()):
            c.setPosition(a)
            c.setPosition(p, QTextCursor.MoveMode.KeepAnchor)
            self.setTextCursor(c)
        self._by_keys = True

    def mousePressEvent(self, e: QMouseEvent) -> None:
        if (
            e.button() == Qt.MouseButton.LeftButton
            and not e.modifiers() & Qt.KeyboardModifier.ShiftModifier
            and self.textCursor().hasSelection()
        ):
            # a press inside the selection would start dragging the selected text away
            # (Qt's text drag and drop); in a reading view a press starts a new selection
            c = self.textCursor()
            c.clearSelection()
            self.setTextCursor(c)
        super().mousePressEvent(e)
        self._by_keys = False
        if e.button() == Qt.MouseButton.LeftButton:
            c = self.textCursor()
            if e.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self._press = self.offsets.to_cp(c.anchor())
                self._pressed_on = None
            else:
                self._press = self.offsets.to_cp(c.position())
                point = e.position().toPoint()
                # pressed right on a gap: the selection starts there, whichever way it goes
                on_gap = abs(self.cursorRect(c).center().x() - point.x()) <= 1
                self._pressed_on = None if on_gap else self.cluster_at_point(point)
            if c.hasSelection():  # Shift+click extends from the anchor
                self._follow_mouse()

    def mouseMoveEvent(self, e: QMouseEvent) -> None:
        super().mouseMoveEvent(e)
        if self._press is not None and e.buttons() & Qt.MouseButton.LeftButton:
            self._follow_mouse()

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:
        super().mouseReleaseEvent(e)
        if self._press is not None and e.button() == Qt.MouseButton.LeftButton:
            self._follow_mouse()
            self._press = None

    def mouseDoubleClickEvent(self, e: QMouseEvent) -> None:
        super().mouseDoubleClickEvent(e)
        if e.button() != Qt.MouseButton.LeftButton:
            return
        # Qt's own idea of a word takes a whole Chinese or Thai clause: take the UAX #29 one,
        # of the letter clicked on (the nearest gap may be the next word's start)
        point = e.position().toPoint()
        on = self.cluster_at_point(point)
        word = word_at(self.text, on[0]) if on is not None else None
        if word is None:
            pos = self.offsets.to_cp(self.cursorForPosition(point).position())
            word = word_at(self.text, pos) or (word_at(self.text, pos - 1) if pos else None)
        if word is not None:
            self._show_selection(*word, forward=True, by_keys=False)
            self._press, self._pressed_on = word[0], word

    def _follow_mouse(self) -> None:
        """Replace the selection Qt made for the mouse by the one that will be coded: from
        the word holding the press point to the word under the mouse."""
        press, here = self._press, self.offsets.to_cp(self.textCursor().position())
        if press is None or here == press:
            return
        forward = here > press
        # the letter pressed on is selected whichever way the mouse goes, also when the
        # press was on its far half (Qt puts the cursor in the gap after it)
        on = self._pressed_on
        if on is not None:
            press = min(press, on[0]) if forward else max(press, on[1])
        rng = self._snapped(min(press, here), max(press, here), words=self.snap_to_words)
        if rng is None:  # only white space so far: show nothing selected
            c = self.textCursor()
            c.clearSelection()
            self.setTextCursor(c)
            return
        c = self.textCursor()
        if (c.selectionStart(), c.selectionEnd()) != self.qt_span(*rng) or (
            (c.position() >= c.anchor()) != forward
        ):
            self._show_selection(*rng, forward=forward, by_keys=False)

    def cluster_at_point(self, point: QPoint) -> tuple[int, int] | None:
        """[a, b) in code points of the grapheme cluster whose glyph is under ``point``;
        None between lines, left or right of a line's text. Qt's cursorForPosition gives
        the nearest gap instead, which on a letter's far half is the gap after it."""
        block = self.cursorForPosition(point).block()
        if not block.isValid():
            return None
        layout = block.layout()
        origin = self.blockBoundingGeometry(block).translated(self.contentOffset()).topLeft()
        x, y = point.x() - origin.x(), point.y() - origin.y()
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            if not line.y() <= y < line.y() + line.height():
                continue
            ls, le = line.textStart(), line.textStart() + line.textLength()
            rect = line.naturalTextRect()
            if le <= ls or not rect.left() <= x < rect.right():
                return None
            pos = line.xToCursor(x, QTextLine.CursorPosition.CursorOnCharacter)
            if not ls <= pos < le:
                return None
            cp = self.offsets.to_cp(block.position() + pos)
            return grapheme_at(self.text, cp) if cp < len(self.text) else None
        return None


def snap(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) to whole words (see desktop.core.segmentation.snap_to_words)."""
    return snap_to_words(text, start, end)


def _cluster_edge(text: str, pos: int, *, back: bool) -> int:
    """``pos``, or the start (``back``) or end of the grapheme cluster it falls inside."""
    if 0 < pos < len(text):
        a, b = grapheme_at(text, pos)
        if a != pos:
            return a if back else b
    return pos
