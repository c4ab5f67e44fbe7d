"""The document viewer: read-only QPlainTextEdit (lays out only what is visible) that
paints coding highlights itself, for the spans in view only: a translucent fill in the
code's colour (overlaps blend), an underline per coding stacked by lane, and a margin of
coding stripes beside the text, as MAXQDA does."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from PySide6.QtCore import QEvent, QPoint, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QTextCursor,
    QTextDocument,
    QTextLine,
)
from PySide6.QtWidgets import QMenu, QPlainTextEdit, QToolTip, QWidget

from desktop.core import folding
from desktop.core.segmentation import grapheme_at, snap_to_graphemes, snap_to_words, word_at
from desktop.ui import theme
from desktop.ui.look import reading_font
from desktop.ui.workbench.bidi import BidiText, LeadingAlignedLayout, block_span_rects, has_rtl
from desktop.ui.workbench.offsets import OffsetMap
from desktop.ui.workbench.spans import Span, SpanIndex

MAX_TEXT_WIDTH = 680  # px: about 75 characters a line, a comfortable measure
MIN_MEASURE = 60  # characters a line the reading column keeps before side panels give way
INITIALS_W = 26  # px: two or three capitals in the margin's small type
LABEL_W = 150  # px of code names beside the stripes, when there is room
STRIPE_W, STRIPE_GAP, MAX_LANES, STRIPE_COLUMNS = 4, 3, 8, 4
UNDERLINE_STEP = 2.5  # px between stacked underlines
FILL_ALPHA = 64


class StripeMargin(QWidget):
    """Left margin: a vertical stripe per coding in view, in its lane; page labels."""

    def __init__(self, viewer: DocumentViewer) -> None:
        super().__init__(viewer)
        self.viewer = viewer
        self.setMouseTracking(True)

    def paintEvent(self, event: QPaintEvent) -> None:
        self.viewer.paint_margin(self, event)

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ToolTip:
            self.viewer.margin_tooltip(e.pos(), e.globalPos())
            return True
        return super().event(e)

    def mousePressEvent(self, e: QMouseEvent) -> None:
        span = self.viewer.stripe_at(e.position().toPoint())
        if span:
            self.viewer.coding_clicked.emit(span.coding_id)


class DocumentViewer(QPlainTextEdit):
    code_as_requested = Signal()
    in_vivo_requested = Signal()
    remove_requested = Signal(int)  # coding id
    memo_requested = Signal(int)
    coding_clicked = Signal(int)
    cursor_page_changed = Signal(int)  # 0: no pages
    unhandled_key = Signal(object)  # a QKeyEvent the text did not use

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        document = QTextDocument(self)
        document.setDocumentLayout(LeadingAlignedLayout(document))
        self.setDocument(document)
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setObjectName("viewer")
        self.setFont(reading_font())
        self.setFrameShape(QPlainTextEdit.Shape.NoFrame)
        self.document().setDocumentMargin(12)
        self.setCenterOnScroll(False)
        self.text = ""
        # the text as the rectangles of right-to-left and mixed lines need it; None: no such
        self.bidi: BidiText | None = None
        self.offsets = OffsetMap("")
        self.index = SpanIndex()
        self.snap_to_words = True
        self._press: int | None = None  # code point where a mouse selection started
        self._pressed_on: tuple[int, int] | None = None  # the cluster the press was on
        self._by_keys = False  # the selection was made with the keyboard: kept exact
        self.tooltip_for = lambda span: ""  # set by the window: code path, coder, memo
        self.labels: dict[int, str] = {}  # code id -> short label for the margin
        self.memo_ids: set[int] = set()  # codings with a memo: marked in the margin
        self.show_coders = False
        self.selected_coding: int | None = None
        self._pages_qt: list[int] = []
        self._find_starts: list[int] = []
        self._find_ends: list[int] = []
        self._find_current = -1
        self._folded: folding.Folded | None = None  # the text folded for find, once
        self._margins_pending = False
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # text wraps
        self.margin = StripeMargin(self)
        self.cursorPositionChanged.connect(self._emit_page)

    # -- content ---------------------------------------------------------------------
    def set_text(self, text: str, pages: list[tuple[int, int]] | None = None) -> None:
        self.text = text
        self._folded = None
        self.offsets = OffsetMap(text)
        self.bidi = BidiText(text, self.offsets) if has_rtl(text) else None
        self.document().documentLayout().any_rtl = self.bidi is not None
        self.index = SpanIndex()
        self.selected_coding = None
        self._pages_qt = [self.offsets.to_qt(a) for a, _ in (pages or [])]
        self.clear_find()
        # each paragraph takes its direction from its first strong character, whatever
        # the direction of the application's own language
        option = self.document().defaultTextOption()
        option.setTextDirection(Qt.LayoutDirection.LayoutDirectionAuto)
        self.document().setDefaultTextOption(option)
        self.setPlainText(text)
        self._layout_margins()

    def set_spans(self, spans: list[Span]) -> None:
        self.index = SpanIndex(spans)
        self._spans_changed()

    def set_span_columns(self, *columns) -> None:
        """The spans as columns (see SpanIndex.set_columns): no object per coding."""
        self.index = SpanIndex()
        self.index.set_columns(*columns)
        self._spans_changed()

    def _spans_changed(self) -> None:
        self._layout_margins()
        self.viewport().update()
        self.margin.update()

    def add_span(self, span: Span) -> None:
        self.index.add(span)
        self.viewport().update()

    def remove_span(self, coding_id: int) -> None:
        if self.index.remove(coding_id) is not None:
            self.viewport().update()

    def qt_span(self, start: int, end: int) -> tuple[int, int]:
        return self.offsets.to_qt(start), self.offsets.to_qt(end)

    # -- selection -------------------------------------------------------------------
    # What is coded is what is shown: a mouse selection is snapped to whole words while it
    # is dragged, a keyboard selection is kept character-exact, and neither ever ends
    # inside a grapheme cluster (a base letter keeps its marks, an emoji sequence stays
    # whole). Boundaries come from desktop.core.segmentation (UAX #29, ICU).
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

    def spans_at_point(self, point: QPoint) -> list[Span]:
        """The codings painted under ``point``: those on the visual line at its height
        whose rectangles hold it. The whole line is asked, not the characters beside the
        cursor position the point falls on: in bidirectional text that position may be a
        run's far end, and on a wrapped line's end it is the next line's start."""
        pos = self.cursorForPosition(point).position()
        block = self.document().findBlock(pos)
        layout = block.layout()
        line = layout.lineForTextPosition(pos - block.position())
        if not line.isValid():
            return []
        top = self.blockBoundingGeometry(block).translated(self.contentOffset()).top()
        k = line.lineNumber()
        for i in range(max(k - 1, 0), min(k + 2, layout.lineCount())):
            line = layout.lineAt(i)
            if top + line.y() <= point.y() < top + line.y() + line.height():
                a = block.position() + line.textStart()
                b = a + max(line.textLength(), 1)
                return [s for s in self.index.overlapping(a, b) if self._point_in_span(point, s)]
        return []

    def _point_in_span(self, point: QPoint, span: Span) -> bool:
        return any(r.contains(point.toPointF()) for r in self._span_rects(span))

    # -- find ------------------------------------------------------------------------
    def find_all(self, needle: str, *, exact: bool = False) -> int:
        """Highlight every match of ``needle``: as readers see the text (case, accents
        composed or not, Arabic harakat and tatweel, digits of any script, ZWNJ; see
        core.folding), or only the same characters with ``exact``."""
        self.clear_find()
        if needle:
            if exact:
                spans = folding.find_all(self.text, needle, exact=True)
            else:
                if self._folded is None:
                    self._folded = folding.fold(self.text)
                spans = self._folded.find(needle)
            to_qt = self.offsets.to_qt
            self._find_starts = [to_qt(a) for a, _ in spans]
            self._find_ends = [to_qt(b) for _, b in spans]
        self.viewport().update()
        return len(self._find_starts)

    def find_step(self, forward: bool = True) -> int:
        """Select the next (or previous) match after the cursor; returns its 1-based number."""
        if not self._find_starts:
            return 0
        pos = self.textCursor().selectionEnd() if forward else self.textCursor().selectionStart()
        if forward:
            i = bisect_left(self._find_starts, pos)
            if (
                self._find_current >= 0
                and i < len(self._find_starts)
                and self._find_starts[i] == pos
            ):
                i += 1
            i %= len(self._find_starts)
        else:
            i = (bisect_left(self._find_starts, pos) - 1) % len(self._find_starts)
        self._find_current = i
        c = QTextCursor(self.document())
        c.setPosition(self._find_starts[i])
        c.setPosition(self._find_ends[i], QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(c)
        self.centerCursor()
        self.viewport().update()
        return i + 1

    def clear_find(self) -> None:
        self._find_starts, self._find_ends, self._find_current = [], [], -1
        self.viewport().update()

    # -- geometry --------------------------------------------------------------------
    def resizeEvent(self, e) -> None:
        super().resizeEvent(e)
        # margins change the viewport's size: do it after this event, so that the text is
        # wrapped again at the new width (set inside the event, the old width sticks)
        if not self._margins_pending:
            self._margins_pending = True
            QTimer.singleShot(0, self, self._layout_margins)  # not after the viewer is gone

    def _stripe_width(self) -> int:
        # a fixed room: changing it would re-wrap the text, and stripes get their columns
        # from what is in view (more than fit share the last one)
        return 16 + STRIPE_COLUMNS * (STRIPE_W + STRIPE_GAP)

    def _layout_margins(self) -> None:
        self._margins_pending = False
        stripes = self._stripe_width()
        spare = max(
            0, self.width() - MAX_TEXT_WIDTH - stripes - self.verticalScrollBar().sizeHint().width()
        )
        # names where there is room, else a narrow strip for their initials (codes are
        # told apart by name at every width, not by colour alone)
        labels = min(LABEL_W, spare * 2 // 3) if spare > 90 else INITIALS_W
        left = stripes + labels
        right = max(12, spare - labels)
        if self.viewportMargins().left() != left or self.viewportMargins().right() != right:
            self.setViewportMargins(left, 0, right, 0)
        cr = self.contentsRect()
        self.margin.setGeometry(QRect(cr.left(), cr.top(), left, cr.height()))

    def visible_blocks(self):
        """(block, top y) of the blocks in view, top to bottom."""
        block = self.firstVisibleBlock()
        offset = self.contentOffset()
        height = self.viewport().height()
        top = self.blockBoundingGeometry(block).translated(offset).top()
        while block.isValid() and top <= height:
            if block.isVisible():
                yield block, top
            top += self.blockBoundingRect(block).height()
            block = block.next()

    def _visible_range(self) -> tuple[int, int, list]:
        blocks = list(self.visible_blocks())
        if not blocks:
            return 0, 0, blocks
        first = blocks[0][0].position()
        last = blocks[-1][0].position() + blocks[-1][0].length()
        return first, last, blocks

    def _rects(self, start: int, end: int, blocks) -> list[QRectF]:
        out = []
        x0 = self.contentOffset().x()
        positions = self._block_positions(blocks)
        first = max(0, bisect_right(positions, start) - 1)
        for block, top in blocks[first:]:
            bpos = block.position()
            if bpos >= end:
                break
            blen = block.length() - 1
            if start > bpos + blen:
                continue
            s, e = max(start, bpos) - bpos, min(end, bpos + blen) - bpos
            out.extend(block_span_rects(block, top, s, e, x0, self.viewport().height(), self.bidi))
        return out

    def _block_positions(self, blocks) -> list[int]:
        key = id(blocks)
        if getattr(self, "_positions_key", None) != key:
            self._positions_key = key
            self._positions = [b.position() for b, _top in blocks]
            self._positions_blocks = blocks  # keeps id(blocks) from being reused
        return self._positions

    def _span_rects(self, span: Span) -> list[QRectF]:
        _a, _b, blocks = self._visible_range()
        return self._rects(span.start, span.end, blocks)

    # -- painting --------------------------------------------------------------------
    def paintEvent(self, e: QPaintEvent) -> None:
        first, last, blocks = self._visible_range()
        visible = self.index.overlapping(first, last) if blocks else []
        geometry: list[tuple[Span, list[QRectF]]] = []
        fills: dict[str, QColor] = {}
        t = theme.current()
        find, find_current = t.colour("find"), t.colour("find_current")
        find.setAlpha(150)
        find_current.setAlpha(200)
        p = QPainter(self.viewport())
        for span in visible:
            rects = self._rects(span.start, span.end, blocks)
            geometry.append((span, rects))
            fill = fills.get(span.color)
            if fill is None:  # as strong as the theme allows with the text >= 4.5:1 on it
                fill = fills[span.color] = theme.fill(span.color)
            for r in rects:
                p.fillRect(r, fill)
        lo, hi = bisect_left(self._find_starts, first - 1000), bisect_right(self._find_starts, last)
        for i in range(lo, hi):
            colour = find_current if i == self._find_current else find
            for r in self._rects(self._find_starts[i], self._find_ends[i], blocks):
                p.fillRect(r, colour)
        p.end()
        super().paintEvent(e)
        p = QPainter(self.viewport())
        descent = self.fontMetrics().descent()
        for span, rects in geometry:
            colour = QColor(span.coder_color if self.show_coders else span.color)
            for r in rects:
                y, shared = self.underline_at(r, span.lane, descent)
                if shared:  # more layers than fit under the letters: one dotted line
                    for x in range(int(r.left()), int(r.right()), 3):
                        p.fillRect(QRectF(x, y, 1.6, 1.6), colour)
                else:
                    p.fillRect(QRectF(r.left(), y, r.width(), 1.6), colour)
            if span.coding_id == self.selected_coding:
                p.setPen(QPen(QColor(span.color).darker(140), 1.6))
                for r in rects:
                    p.drawRoundedRect(r.adjusted(-1, 0, 1, 0), 2, 2)
        p.end()
        self._geometry = geometry
        self.margin.update()

    @staticmethod
    def underline_at(line: QRectF, lane: int, descent: int) -> tuple[float, bool]:
        """(y, shared) of the underline of ``lane`` in a line's rectangle: underlines stack
        upwards from the line's bottom, never above the baseline (they would read as a
        strikethrough); lanes beyond the room under the letters share the top one, drawn
        dotted (the tooltip lists every coding there)."""
        fit = max(1, int((descent - 1.6) // UNDERLINE_STEP) + 1)
        shared = lane >= fit
        return line.bottom() - 1.5 - min(lane, fit - 1) * UNDERLINE_STEP, shared

    def _stripe_x(self, lane: int) -> float:
        return self.margin.width() - 10 - (min(lane, MAX_LANES - 1) + 1) * (STRIPE_W + STRIPE_GAP)

    def stripe_geometry(self) -> list[tuple[Span, QRectF]]:
        """A stripe per coding in view. Columns are given here, by vertical extent: two
        codings on the same line get two columns even when their text does not overlap."""
        extents = []
        for span, rects in getattr(self, "_geometry", []):
            if rects:
                top = min(r.top() for r in rects) + 2
                bottom = max(r.bottom() for r in rects) - 2
                extents.append(
                    (top, -bottom, span.lane, span.coding_id, span, max(bottom - top, 4))
                )
        extents.sort(key=lambda e: e[:4])
        column_ends: list[float] = []
        out = []
        for top, neg_bottom, _lane, _id, span, height in extents:
            col = next((i for i, end in enumerate(column_ends) if end <= top), len(column_ends))
            if col == len(column_ends):
                column_ends.append(-neg_bottom + 3)
            else:
                column_ends[col] = -neg_bottom + 3
            x = self._stripe_x(min(col, STRIPE_COLUMNS - 1))
            out.append((span, QRectF(x, top, STRIPE_W, height)))
        return out

    def paint_margin(self, w: QWidget, e: QPaintEvent) -> None:
        p = QPainter(w)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        label_font = self.font()
        label_font.setPointSizeF(max(7.5, label_font.pointSizeF() * 0.68))
        p.setFont(label_font)
        fm = p.fontMetrics()
        stripes = self.stripe_geometry()
        rows: dict[int, list[Span]] = {}  # stripes starting on the same line share a label
        for span, r in stripes:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(span.color))
            p.drawRoundedRect(r, 2, 2)
            rows.setdefault(round(r.top()), []).append(span)
        for span, r in stripes:  # a coding with a memo: a small note beside its stripe
            if span.coding_id in self.memo_ids:
                p.setBrush(theme.readable(span.color))
                p.drawRect(QRectF(r.left() - 6, r.top(), 4, 5))
        left = min((r.left() for _s, r in stripes), default=0) - 8
        label_bottom = -1e9
        if left > 14:  # names where they fit, their initials where they do not
            for top in sorted(rows):
                if top < label_bottom:
                    continue
                names = [n for n in dict.fromkeys(self.labels.get(s.code_id, "") for s in rows[top])
                         if n]  # fmt: skip
                text = ", ".join(names)
                if fm.horizontalAdvance(text) > left - 8 and left <= 60:
                    text = "·".join(initials(n) for n in names)  # too narrow to shorten
                text = fm.elidedText(text, Qt.TextElideMode.ElideRight, int(left - 8))
                p.setPen(theme.readable(rows[top][0].color))  # >= 4.5:1 on the page
                p.drawText(
                    QRectF(4, top - 1, left - 4, fm.height()), Qt.AlignmentFlag.AlignRight, text
                )
                label_bottom = top + fm.height()
        self._paint_pages(p, fm)
        p.end()

    def _paint_pages(self, p: QPainter, fm) -> None:
        if not self._pages_qt:
            return
        first, last, blocks = self._visible_range()
        lo, hi = bisect_left(self._pages_qt, first), bisect_right(self._pages_qt, last)
        p.setPen(theme.current().colour("muted"))
        for i in range(lo, hi):
            rects = self._rects(self._pages_qt[i], self._pages_qt[i] + 1, blocks)
            if rects:
                p.drawText(
                    QRectF(4, rects[0].top(), 40, fm.height()),
                    Qt.AlignmentFlag.AlignLeft,
                    f"p. {i + 1}",
                )

    def set_memo(self, coding_id: int, has_memo: bool) -> None:
        """Mark (or unmark) a coding's memo in the margin."""
        if has_memo != (coding_id in self.memo_ids):
            (self.memo_ids.add if has_memo else self.memo_ids.discard)(coding_id)
            self.margin.update()

    def stripe_at(self, point: QPoint) -> Span | None:
        for span, r in self.stripe_geometry():
            if r.adjusted(-2, 0, 2, 0).contains(point.toPointF()):
                return span
        return None

    # -- tooltips and menus ----------------------------------------------------------
    def viewportEvent(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ToolTip:
            spans = self.spans_at_point(e.pos())
            if spans:
                QToolTip.showText(
                    e.globalPos(), "<hr>".join(self.tooltip_for(s) for s in spans), self.viewport()
                )
            else:
                QToolTip.hideText()
                e.ignore()
            return True
        return super().viewportEvent(e)

    def margin_tooltip(self, pos: QPoint, global_pos: QPoint) -> None:
        span = self.stripe_at(pos)
        if span:
            QToolTip.showText(global_pos, self.tooltip_for(span), self.margin)
        else:
            QToolTip.hideText()

    def contextMenuEvent(self, e: QContextMenuEvent) -> None:
        menu = self.build_context_menu(e.pos())
        menu.exec(e.globalPos())

    def build_context_menu(self, pos: QPoint) -> QMenu:
        menu = QMenu(self)
        has_sel = self.selected_range() is not None
        a = menu.addAction("Code as…", self.code_as_requested.emit)
        a.setShortcut("Ctrl+K")
        a.setEnabled(has_sel)
        menu.addAction("In-vivo code", self.in_vivo_requested.emit).setEnabled(has_sel)
        spans = self.spans_at_point(pos)
        if spans:
            menu.addSeparator()
            for span in spans:
                label = self.labels.get(span.code_id, "coding")
                menu.addAction(
                    f"Remove coding “{label}”",
                    lambda cid=span.coding_id: self.remove_requested.emit(cid),
                )
                menu.addAction(
                    f"Edit memo of “{label}”…",
                    lambda cid=span.coding_id: self.memo_requested.emit(cid),
                )
        menu.addSeparator()
        menu.addAction("Copy", self.copy).setEnabled(self.textCursor().hasSelection())
        return menu

    def _emit_page(self) -> None:
        if self._pages_qt:
            pos = self.textCursor().position()
            self.cursor_page_changed.emit(max(1, bisect_right(self._pages_qt, pos)))

    def sizeHint(self) -> QSize:
        return QSize(MAX_TEXT_WIDTH + 120, 600)

    def min_reading_width(self) -> int:
        """The narrowest this viewer may get: MIN_MEASURE average characters of its font on
        a line, beside the stripes, the scroll bar and the document's own margins."""
        chars = self.fontMetrics().averageCharWidth() * MIN_MEASURE
        margins = int(self.document().documentMargin() * 2) + self.frameWidth() * 2
        return (
            chars
            + margins
            + self._stripe_width()
            + 12
            + self.verticalScrollBar().sizeHint().width()
        )


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


def initials(name: str) -> str:
    """A code's name shortened for a narrow margin: the initials of its words ("State
    forces" -> "SF"), or its first two letters for a single word."""
    words = [w for w in name.replace("/", " ").split() if w]
    if len(words) > 1:
        return "".join(w[0].upper() for w in words[:3])
    return name[:2]
