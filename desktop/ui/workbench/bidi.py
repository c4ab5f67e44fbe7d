"""Right-to-left and mixed-direction text in the viewers: each paragraph aligned to the
side it starts from, and the rectangles the characters of a range fill on each line
(on a line whose runs go both ways, the x of the range's two ends says nothing about
what lies between them)."""

from __future__ import annotations

import re

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QTextBlock, QTextDocument, QTextLayout, QTextLine
from PySide6.QtWidgets import QPlainTextDocumentLayout

from desktop.ui.workbench.offsets import OffsetMap

# letters of the right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, N'Ko, Samaritan,
# Mandaic, their presentation forms, the historic ones past the BMP) and the marks and
# embeddings that open a right-to-left run; Arabic-Indic digits are apart: they make a
# run of their own
_RTL_LETTERS = (
    "\u0590-\u065f\u066a-\u06ef\u06fa-\u08ff\u200f\u202b\u202e\u2067\ufb1d-\ufdff"
    "\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff"
)
_RTL = re.compile(f"[{_RTL_LETTERS}\u0660-\u0669\u06f0-\u06f9]")
# right-to-left letters and neutrals only (no digit, no left-to-right letter): in a
# right-to-left paragraph such a line is one run, its characters in reverse order
_ONE_RTL_RUN = re.compile(
    f"[{_RTL_LETTERS}\\s!-/:-@\\[-`{{-~\u00a0-\u00bf\u2010-\u2027\u2030-\u205e]*"
)
_GLYPHS = (
    QTextLayout.GlyphRunRetrievalFlag.RetrieveGlyphIndexes
    | QTextLayout.GlyphRunRetrievalFlag.RetrieveGlyphPositions
)
_CACHE_LIMIT = 50_000
_RIGHT, _LEFT = Qt.AlignmentFlag.AlignRight, Qt.AlignmentFlag.AlignLeft
_RIGHT_TO_LEFT = Qt.LayoutDirection.RightToLeft


def has_rtl(text: str) -> bool:
    return _RTL.search(text) is not None


class LeadingAlignedLayout(QPlainTextDocumentLayout):
    """The plain-text layout with each paragraph aligned to the side it starts from.

    QPlainTextDocumentLayout gives every paragraph the document's one text option, so a
    right-to-left paragraph is laid out right to left (its direction comes from its first
    strong character) but left-aligned. Qt applies a layout's alignment when the layout is
    drawn, hit-tested or measured, not when its lines are made, so a paragraph that starts
    right to left only needs its own right-aligned option, set as soon as it is laid out:
    every path to a laid-out block (painting, hit tests, cursor moves) asks for its
    bounding rectangle first."""

    def __init__(self, document) -> None:
        super().__init__(document)
        self.any_rtl = False  # the text has right-to-left letters (else nothing to align)

    def blockBoundingRect(self, block: QTextBlock) -> QRectF:
        rect = super().blockBoundingRect(block)
        if self.any_rtl:
            layout = block.layout()
            option = layout.textOption()
            # a block laid out (again) has the document's left-aligned option
            if option.alignment() == _LEFT and block.textDirection() == _RIGHT_TO_LEFT:
                option.setAlignment(_RIGHT)
                layout.setTextOption(option)
        return rect


def leading_aligned(edit) -> None:
    """Give a QPlainTextEdit (a preview, not the viewer) a document whose paragraphs are
    each aligned to the side they start from, and take their direction from their
    first strong letter."""
    document = QTextDocument(edit)
    layout = LeadingAlignedLayout(document)
    layout.any_rtl = True
    document.setDocumentLayout(layout)
    option = document.defaultTextOption()
    option.setTextDirection(Qt.LayoutDirection.LayoutDirectionAuto)
    document.setDefaultTextOption(option)
    edit.setDocument(document)


class BidiText:
    """A document text with right-to-left letters, as the rectangles of its lines need
    it: whether a line is one run, and on the lines that are not, the stretches a range
    fills, taken from the layout's glyphs (placed by the bidi algorithm and the shaper:
    what is drawn). Both are kept per line and range, for the life of this text: asking
    for glyphs from Python is slow, and every scroll and repaint asks again."""

    def __init__(self, text: str, offsets: OffsetMap) -> None:
        self.text = text
        self.offsets = offsets
        self._one_run: dict[tuple[int, int, int], bool] = {}
        self._rtl: dict[int, bool] = {}
        self._stretches: dict[tuple, list[tuple[float, float]]] = {}

    def right_to_left(self, block: QTextBlock) -> bool:
        """The block is a right-to-left paragraph (its first strong letter is)."""
        rtl = self._rtl.get(block.blockNumber())
        if rtl is None:
            rtl = self._rtl[block.blockNumber()] = block.textDirection() == _RIGHT_TO_LEFT
        return rtl

    def stretches(
        self, block: QTextBlock, line: QTextLine, a: int, b: int, rtl: bool
    ) -> list[tuple[float, float]] | None:
        """The x extents (layout coordinates) characters [a, b) of ``line`` fill, merged
        where they touch; None when the line is one run (the x of the two ends tells)."""
        number, ls, le = block.blockNumber(), line.textStart(), line.textStart() + line.textLength()
        key = (number, ls, le)
        one_run = self._one_run.get(key)
        if one_run is None:
            start, to_cp = block.position(), self.offsets.to_cp
            chars = self.text[to_cp(start + ls) : to_cp(start + le)]
            one_run = bool(_ONE_RTL_RUN.fullmatch(chars)) if rtl else not _RTL.search(chars)
            if len(self._one_run) > _CACHE_LIMIT:
                self._one_run.clear()
            self._one_run[key] = one_run
        if one_run:
            return None
        # the same line laid out again at another width or size is another key
        key = (number, ls, le, a, b, line.width(), line.naturalTextWidth())
        found = self._stretches.get(key)
        if found is None:
            found = glyph_stretches(block.layout(), a, b)
            if len(self._stretches) > _CACHE_LIMIT:
                self._stretches.clear()
            self._stretches[key] = found
        return found


def glyph_stretches(layout: QTextLayout, a: int, b: int) -> list[tuple[float, float]]:
    """The x extents the glyphs of characters [a, b) fill, merged where they touch
    (marks have no advance: they sit on their letter)."""
    extents = []
    for run in layout.glyphRuns(a, b - a, _GLYPHS):
        advances = [p.x() for p in run.rawFont().advancesForGlyphIndexes(run.glyphIndexes())]
        xs = [p.x() for p in run.positions()]
        extents.extend((x, x + w) for x, w in zip(xs, advances, strict=False) if w > 0)
    extents.sort()
    merged: list[tuple[float, float]] = []
    for xa, xb in extents:
        if merged and xa <= merged[-1][1] + 0.5:
            if xb > merged[-1][1]:
                merged[-1] = (merged[-1][0], xb)
        else:
            merged.append((xa, xb))
    return merged


def block_span_rects(
    block, top: float, s: int, e: int, x0: float, height: float, bidi: BidiText | None = None
) -> list[QRectF]:
    """Rectangles of the characters [s, e) of one laid-out block (positions inside the
    block), for the lines within [0, height) of the viewport: one per visual line, or on
    a line that mixes directions one per stretch the characters fill (a run of the other
    direction may split them). ``bidi`` is given when the text has right-to-left letters
    (without, every line is one left-to-right run). The lines are found through the
    layout, not by walking every line of a long paragraph."""
    layout = block.layout()
    n = layout.lineCount()
    if n == 0:
        return []
    first_line = layout.lineForTextPosition(s)
    last_line = layout.lineForTextPosition(max(e - 1, s))
    i0 = first_line.lineNumber() if first_line.isValid() else 0
    i1 = last_line.lineNumber() if last_line.isValid() else n - 1
    rtl = bidi is not None and bidi.right_to_left(block)
    out = []
    for i in range(i0, i1 + 1):
        line = layout.lineAt(i)
        y = top + line.y()
        if y > height:
            break
        if y + line.height() < 0:
            continue
        ls = line.textStart()
        le = ls + line.textLength()
        if e <= ls or s >= le:
            continue
        a, b = max(s, ls), min(e, le)
        stretches = bidi.stretches(block, line, a, b, rtl) if bidi is not None else None
        if not stretches:  # one run: the characters lie between the x of the two ends
            xa = line.cursorToX(a)[0]
            xb = line.cursorToX(b)[0]
            if b == le and e > le:  # runs on past the line's end
                ends = line.naturalTextRect()
                xb = ends.left() if rtl else ends.right()
            xa, xb = min(xa, xb), max(xa, xb)
            stretches = [(xa, max(xb, xa + 2.0))]
        out.extend(QRectF(x0 + xa, y, xb - xa, line.height()) for xa, xb in stretches)
    return out
