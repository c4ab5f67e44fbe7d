"""The document viewer's left margin, as MAXQDA has it: a stripe per coding in view, in
a column of its own where codings share lines, a small note beside the stripe of a coding
with a memo, the codes' names beside the stripes (their initials where there is no room),
and page labels. Clicking a stripe goes to its coding; hovering it says what it is."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from PySide6.QtCore import QEvent, QPoint, QRectF, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QToolTip, QWidget

from desktop.ui import theme
from desktop.ui.workbench.spans import Span

INITIALS_W = 26  # px: two or three capitals in the margin's small type
LABEL_W = 150  # px of code names beside the stripes, when there is room
STRIPE_W, STRIPE_GAP, MAX_LANES, STRIPE_COLUMNS = 4, 3, 8, 4


class StripeMargin(QWidget):
    """Left margin: a vertical stripe per coding in view, in its lane; page labels. It is
    a child of the viewer, which paints it and answers for it (``CodingMargin``)."""

    def __init__(self, viewer: CodingMargin) -> None:
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


class CodingMargin:
    """Mixed into the DocumentViewer: the margin's geometry, painting and tooltips. Uses
    the viewer's ``margin`` (a StripeMargin), the spans and rectangles of its last paint
    (``_geometry``), the rectangles of a range in view (``_visible_range``, ``_rects``),
    ``labels``, ``memo_ids``, ``tooltip_for`` and the pages' starts (``_pages_qt``)."""

    def _stripe_width(self) -> int:
        # a fixed room: changing it would re-wrap the text, and stripes get their columns
        # from what is in view (more than fit share the last one)
        return 16 + STRIPE_COLUMNS * (STRIPE_W + STRIPE_GAP)

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

    def margin_tooltip(self, pos: QPoint, global_pos: QPoint) -> None:
        span = self.stripe_at(pos)
        if span:
            QToolTip.showText(global_pos, self.tooltip_for(span), self.margin)
        else:
            QToolTip.hideText()


def initials(name: str) -> str:
    """A code's name shortened for a narrow margin: the initials of its words ("State
    forces" -> "SF"), or its first two letters for a single word."""
    words = [w for w in name.replace("/", " ").split() if w]
    if len(words) > 1:
        return "".join(w[0].upper() for w in words[:3])
    return name[:2]
