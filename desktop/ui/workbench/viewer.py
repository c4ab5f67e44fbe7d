"""The document viewer: read-only QPlainTextEdit (lays out only what is visible) that
paints coding highlights itself, for the spans in view only: a translucent fill in the
code's colour (overlaps blend), an underline per coding stacked by lane, and a margin of
coding stripes beside the text (margin.py), as MAXQDA does. It selects text as it will
be coded (selection.py) and highlights the matches of find."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right

from PySide6.QtCore import QEvent, QPoint, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QMenu, QPlainTextEdit, QToolTip, QWidget

from desktop.core import folding
from desktop.ui import theme
from desktop.ui.look import reading_font
from desktop.ui.workbench.bidi import BidiText, LeadingAlignedLayout, block_span_rects, has_rtl
from desktop.ui.workbench.margin import INITIALS_W, LABEL_W, CodingMargin, StripeMargin
from desktop.ui.workbench.offsets import OffsetMap
from desktop.ui.workbench.selection import WordSelection
from desktop.ui.workbench.spans import Span, SpanIndex

MAX_TEXT_WIDTH = 680  # px: about 75 characters a line, a comfortable measure
MIN_MEASURE = 60  # characters a line the reading column keeps before side panels give way
WRAP_SLACK = 4  # characters lost at a line's end to wrapping between words, as a rule
# Running text the measure is counted in. A font's declared average character width
# (xAvgCharWidth) can be far from its text's: Noto Serif declares 9 px where its English
# averages 7.1, which asked for 80 px more than 60 characters need and pushed the window
# past a 1024 px screen.
MEASURE_SAMPLE = (
    "The talks resumed on Monday; both delegations agreed to exchange prisoners, and the "
    "shelling of the town went on until dawn, witnesses said. "
)
UNDERLINE_STEP = 2.5  # px between stacked underlines
FILL_ALPHA = 64


class DocumentViewer(WordSelection, CodingMargin, QPlainTextEdit):
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
        self._press = self._pressed_on = None  # a mouse selection's start (WordSelection)
        self._by_keys = False
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

    # -- what is under a point -------------------------------------------------------
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
        """The narrowest this viewer may get: MIN_MEASURE characters of running text in its
        font on a line, beside the stripes, the scroll bar and the document's own margins."""
        per_char = self.fontMetrics().horizontalAdvance(MEASURE_SAMPLE) / len(MEASURE_SAMPLE)
        # a line breaks between words, so it holds a few characters fewer than fit
        chars = math.ceil(per_char * (MIN_MEASURE + WRAP_SLACK))
        margins = int(self.document().documentMargin() * 2) + self.frameWidth() * 2
        return (
            chars
            + margins
            + self._stripe_width()
            + 12
            + self.verticalScrollBar().sizeHint().width()
        )
