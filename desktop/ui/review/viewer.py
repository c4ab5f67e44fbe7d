"""The document as the reviewer sees it: the workbench viewer with one margin column per
coder (and one for the consensus), each coder's codings underlined in their colour on
their own line, and the disagreements tinted in the text, the current one outlined."""

from __future__ import annotations

import html
from bisect import bisect_left
from dataclasses import dataclass

from PySide6.QtCore import QPoint, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import QApplication, QPlainTextEdit, QWidget

from desktop.ui import theme
from desktop.ui.workbench.bidi import block_span_rects
from desktop.ui.workbench.spans import Span
from desktop.ui.workbench.viewer import DocumentViewer

COLUMN_W, COLUMN_STRIPE = 13, 7


class CoderLanes:
    """The spans of the review, each keeping the lane it comes with (its coder's column),
    with the reading side of the workbench's span index: ``overlapping``, ``at``, ``get``,
    ``spans``, ``lanes``."""

    def __init__(self, spans: list[Span] | None = None) -> None:
        self._spans = sorted(spans or [], key=lambda s: (s.start, s.end, s.coding_id))
        self._starts = [s.start for s in self._spans]
        self._longest = max((s.end - s.start for s in self._spans), default=0)
        self.lanes = 1 + max((s.lane for s in self._spans), default=-1)

    @property
    def spans(self) -> list[Span]:
        return list(self._spans)

    def __len__(self) -> int:
        return len(self._spans)

    def overlapping(self, a: int, b: int) -> list[Span]:
        """Spans with start < b and end > a, in start order."""
        lo = bisect_left(self._starts, a - self._longest)
        hi = bisect_left(self._starts, b)
        return [s for s in self._spans[lo:hi] if s.end > a]

    def at(self, pos: int) -> list[Span]:
        return [s for s in self.overlapping(pos, pos + 1) if s.start <= pos < s.end]

    def get(self, coding_id: int) -> Span | None:
        return next((s for s in self._spans if s.coding_id == coding_id), None)


@dataclass(frozen=True)
class Region:
    """A disagreement in Qt positions: its extent, where the coders differ, its code's colour."""

    start: int
    end: int
    differing: tuple[tuple[int, int], ...]
    color: str


class ReviewViewer(DocumentViewer):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewViewer")
        self.show_coders = True
        self.index = CoderLanes()
        self.lane_names: list[tuple[str, str]] = []  # (name, colour) per column
        self.regions: list[Region] = []
        self.current_region: int | None = None

    # -- content ---------------------------------------------------------------------
    def set_text(self, text: str, pages=None) -> None:
        super().set_text(text, pages)
        self.index = CoderLanes()

    def set_review(
        self, spans: list[Span], lanes: list[tuple[str, str]], regions: list[Region]
    ) -> None:
        """Spans with ``lane`` = the column of their coder; ``lanes``: (name, colour)."""
        self.lane_names = list(lanes)
        self.regions = list(regions)
        self.index = CoderLanes(spans)
        self.index.lanes = max(len(lanes), self.index.lanes)
        self._layout_margins()
        self.viewport().update()
        self.margin.update()

    def show_codings(self, rows, chosen, consensus, codes, passages) -> str:
        """Show the codings ``rows`` (code points) of the ``chosen`` coders (id, name,
        colour) and of the ``consensus`` coder (or None) in a column each, and the
        disagreements ``passages`` tinted in the colour of their code (``codes``: id ->
        code info). Returns the legend of the columns as rich text."""
        lanes = {cid: i for i, (cid, _n, _c) in enumerate(chosen)}
        lane_names = [(name, colour) for _cid, name, colour in chosen]
        colors = {cid: colour for cid, _n, colour in chosen}
        if consensus is not None:
            lanes[consensus.id] = len(lanes)
            lane_names.append((consensus.name, consensus.color))
            colors[consensus.id] = consensus.color
        t = theme.current()
        to_qt = self.offsets.to_qt
        spans = [
            Span(to_qt(c.start), to_qt(c.end), c.id, c.code_id, c.coder_id,
                 codes[c.code_id].color if c.code_id in codes else t.missing_code,
                 colors.get(c.coder_id, t.missing_coder), lanes[c.coder_id])
            for c in rows
        ]  # fmt: skip
        regions = [
            Region(to_qt(d.start), to_qt(d.end),
                   tuple((to_qt(a), to_qt(b)) for a, b in d.differing),
                   codes[d.code_id].color if d.code_id in codes else t.region)
            for d in passages
        ]  # fmt: skip
        self.set_review(spans, lane_names, regions)
        esc = html.escape
        return (
            "  ".join(
                f"<span style='color:{colour}'>▌</span>{esc(name, quote=False)}"
                for name, colour in lane_names
            )
            + f"  <span style='color:{t.region}'>▌</span>disagreement"
        )

    def set_current(self, i: int | None) -> None:
        self.current_region = i
        if i is not None and 0 <= i < len(self.regions):
            r = self.regions[i]
            c = self.textCursor()
            c.clearSelection()
            c.setPosition(r.start)
            self.setTextCursor(c)
            self.centerCursor()
        self.viewport().update()

    # -- geometry ----------------------------------------------------------------------
    def _layout_margins(self) -> None:
        before = self.viewportMargins()
        super()._layout_margins()
        if self.viewportMargins() != before:
            # QPlainTextEdit lays the text out again only when it is itself resized
            QApplication.sendEvent(self, QResizeEvent(self.size(), self.size()))

    def _stripe_width(self) -> int:
        return 22 + max(self.index.lanes, 1) * COLUMN_W

    def _stripe_x(self, lane: int) -> float:
        n = max(self.index.lanes, 1)
        return self.margin.width() - 10 - (n - lane) * COLUMN_W

    def stripe_geometry(self) -> list[tuple[Span, QRectF]]:
        out = []
        for span, rects in getattr(self, "_geometry", []):
            if rects:
                top = min(r.top() for r in rects) + 1
                bottom = max(r.bottom() for r in rects) - 1
                x = self._stripe_x(span.lane)
                out.append((span, QRectF(x, top, COLUMN_STRIPE, max(bottom - top, 4))))
        return out

    def _visible_chars(self) -> tuple[int, int]:
        """Qt positions of the first and last characters in view (a block may be a whole
        document without paragraph breaks: its block range says little)."""
        vp = self.viewport()
        a = self.cursorForPosition(QPoint(0, 0)).position()
        b = self.cursorForPosition(QPoint(vp.width(), vp.height())).position()
        return a, b + 1

    def _rects(self, start: int, end: int, blocks) -> list[QRectF]:
        """As the workbench viewer's, but only over the lines [start, end) is on and that
        are in view: found through the layout, not by walking every line of the block."""
        out = []
        x0 = self.contentOffset().x()
        height = self.viewport().height()
        for block, top in blocks:
            bpos = block.position()
            if bpos >= end:
                break
            blen = block.length() - 1
            if start > bpos + blen:
                continue
            s, e = max(start, bpos) - bpos, min(end, bpos + blen) - bpos
            out.extend(block_span_rects(block, top, s, e, x0, height, self.bidi))
        return out

    # -- painting ------------------------------------------------------------------------
    def paintEvent(self, e: QPaintEvent) -> None:
        _first, _last, blocks = self._visible_range()
        first, last = self._visible_chars() if blocks else (0, 0)
        p = QPainter(self.viewport())
        region_rects: list[tuple[int, list[QRectF]]] = []
        for i, region in enumerate(self.regions):
            if not blocks or region.end < first or region.start > last:
                continue
            fill = QColor(region.color)
            fill.setAlpha(36)
            for r in self._rects(region.start, region.end, blocks):
                p.fillRect(r, fill)
            strong = QColor(region.color)
            strong.setAlpha(110 if i == self.current_region else 70)
            for a, b in region.differing:
                for r in self._rects(a, b, blocks):
                    p.fillRect(r, strong)
            region_rects.append((i, self._rects(region.start, region.end, blocks)))
        p.end()
        QPlainTextEdit.paintEvent(self, e)
        visible = self.index.overlapping(first, last) if blocks else []
        geometry = []
        p = QPainter(self.viewport())
        # one thin underline per coder, stacked inside the descenders (never through letters)
        lanes = max(self.index.lanes, 1)
        step = max(1.1, min(2.2, (self.fontMetrics().descent() + 1.5) / lanes))
        for span in visible:
            rects = self._rects(span.start, span.end, blocks)
            geometry.append((span, rects))
            colour = QColor(span.coder_color)
            for r in rects:
                y = r.bottom() - step - (lanes - 1 - span.lane) * step
                p.fillRect(QRectF(r.left(), y, r.width(), min(step, 1.6)), colour)
        for i, rects in region_rects:
            if i == self.current_region:
                p.setRenderHint(QPainter.RenderHint.Antialiasing)
                p.setPen(QPen(theme.current().colour("region").darker(115), 1.6))
                p.setBrush(Qt.BrushStyle.NoBrush)
                for r in rects:
                    p.drawRoundedRect(r.adjusted(-2, -1, 2, 1), 3, 3)
        p.end()
        self._geometry = geometry
        self._region_rects = region_rects
        self.margin.update()

    def paint_margin(self, w: QWidget, e: QPaintEvent) -> None:
        p = QPainter(w)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        n = max(self.index.lanes, 1)
        track = theme.current().colour("ink")
        track.setAlpha(14)
        for lane in range(n):
            p.fillRect(QRectF(self._stripe_x(lane), 0, COLUMN_STRIPE, w.height()), track)
        p.setPen(Qt.PenStyle.NoPen)
        for span, r in self.stripe_geometry():
            p.setBrush(QColor(span.coder_color))
            p.drawRoundedRect(r, 2, 2)
        x = self._stripe_x(0) - 7
        for i, rects in getattr(self, "_region_rects", []):
            if rects:
                top = min(r.top() for r in rects)
                bottom = max(r.bottom() for r in rects)
                width = 3.5 if i == self.current_region else 2
                region = theme.current().colour("region")
                p.setBrush(region if i == self.current_region else region.lighter(130))
                p.drawRoundedRect(QRectF(x, top + 1, width, max(bottom - top - 2, 4)), 1, 1)
        font = self.font()
        font.setPointSizeF(max(7.5, font.pointSizeF() * 0.7))
        font.setBold(True)
        p.setFont(font)
        for lane, (name, colour) in enumerate(self.lane_names[:n]):
            cx = self._stripe_x(lane) + COLUMN_STRIPE / 2
            p.setBrush(theme.current().colour("base"))
            p.setPen(theme.readable(colour))
            p.drawRoundedRect(QRectF(cx - 6, 3, 12, 14), 3, 3)
            p.drawText(QRectF(cx - 6, 3, 12, 14), Qt.AlignmentFlag.AlignCenter, name[:1].upper())
        font.setBold(False)
        p.setFont(font)
        self._paint_pages(p, p.fontMetrics())
        p.end()
