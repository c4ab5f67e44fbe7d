"""Text of one PDF page in reading order, from pdfminer's layout analysis.

pdfplumber's default `extract_text` sorts words top to bottom across the whole page, so
two columns come out interleaved line by line. With `laparams`, pdfminer groups
characters into lines and lines into text boxes (paragraphs of one column) and orders
the boxes column by column; we take those boxes, and repair two things it gets wrong:
a justified line it split in two (ordered by glyph height, not position) and the
indented first line of a paragraph it put in a box of its own."""

from __future__ import annotations

import re

from pdfminer.layout import LTChar, LTFigure, LTTextBox, LTTextLine

# pdfminer defaults, except all_texts: also analyse text inside form XObjects (figures).
LAPARAMS = {
    "line_overlap": 0.5,
    "char_margin": 2.0,
    "line_margin": 0.5,
    "word_margin": 0.1,
    "boxes_flow": 0.5,
    "detect_vertical": False,
    "all_texts": True,
}

_HYPHENATED = re.compile(r"(\w)[-\u00ad\u2010]\n(\w)")
_SOFT_HYPHEN_BREAK = re.compile(r"\u00ad\n")


def join_hyphenated(text: str) -> str:
    """'infor-\\nmation' -> 'information': a lowercase letter, a hyphen at the end of the
    line, a lowercase letter on the next. Anything else ('Smith-\\nJones', '1990-\\n95')
    keeps its hyphen and line break."""

    def repl(m: re.Match[str]) -> str:
        before, after = m.group(1), m.group(2)
        if before.isalpha() and before.islower() and after.isalpha() and after.islower():
            return before + after
        return m.group(0)

    return _HYPHENATED.sub(repl, _SOFT_HYPHEN_BREAK.sub("", text))


def _text_boxes(layout) -> list[LTTextBox]:
    boxes: list[LTTextBox] = []
    for obj in layout:
        if isinstance(obj, LTTextBox):
            boxes.append(obj)
        elif isinstance(obj, LTFigure):
            boxes.extend(_text_boxes(obj))
    return boxes


def _upright(box: LTTextBox) -> bool:
    chars = [c for line in box for c in line if isinstance(c, LTChar)]
    if not chars:
        return False
    return sum(1 for c in chars if c.upright) * 2 >= len(chars)


def _rows(box: LTTextBox) -> list[list[LTTextLine]]:
    """Lines of a box grouped into visual rows (same height band), top to bottom."""
    rows: list[list[LTTextLine]] = []
    for line in sorted(box, key=lambda ln: -ln.y1):
        for row in rows:
            ref = row[0]
            overlap = min(ref.y1, line.y1) - max(ref.y0, line.y0)
            if overlap > 0.5 * min(ref.height, line.height):
                row.append(line)
                break
        else:
            rows.append([line])
    for row in rows:
        row.sort(key=lambda ln: ln.x0)
    rows.sort(key=lambda row: -max(ln.y1 for ln in row))
    return rows


class _Block:
    __slots__ = ("x0", "x1", "y0", "y1", "first_x0", "last_x0", "lines", "row_height", "rows")

    def __init__(self, box: LTTextBox) -> None:
        rows = _rows(box)
        self.lines = [
            " ".join(ln.get_text().strip() for ln in row if ln.get_text().strip()) for row in rows
        ]
        self.x0, self.x1, self.y0, self.y1 = box.x0, box.x1, box.y0, box.y1
        self.first_x0 = min(ln.x0 for ln in rows[0])
        self.last_x0 = min(ln.x0 for ln in rows[-1])
        self.row_height = max(ln.height for ln in rows[-1])
        self.rows = len(rows)


def _continues(prev: _Block, nxt: _Block) -> bool:
    """Is `nxt` the rest of the paragraph whose indented first line is `prev`'s last?"""
    gap = prev.y0 - nxt.y1
    if not (-0.5 * prev.row_height < gap < 0.5 * prev.row_height):
        return False
    indented = prev.last_x0 > nxt.x0 + 2 and prev.last_x0 - nxt.x0 < 4 * prev.row_height
    same_column = min(prev.x1, nxt.x1) - max(prev.x0, nxt.x0) > 0.5 * (nxt.x1 - nxt.x0)
    return indented and same_column and abs(nxt.first_x0 - nxt.x0) < 2


def _double_spaced(prev: _Block, nxt: _Block, right: float) -> bool:
    """Is `nxt` the next line of a double-spaced paragraph (a transcript, a manuscript)?

    pdfminer makes each line of double-spaced text a box of its own. Join two one-line
    boxes when the second sits one blank line below the first, at the column's left
    edge, and the first ran to the column's right edge (so the sentence goes on)."""
    if prev.rows != 1 or nxt.rows != 1:
        return False
    gap = prev.y0 - nxt.y1
    if not (0 <= gap < 1.6 * prev.row_height):
        return False
    left = min(prev.x0, nxt.x0)
    if nxt.first_x0 > left + 2 or right - left < 10 * prev.row_height:
        return False
    narrower = min(prev.x1 - prev.x0, nxt.x1 - nxt.x0)
    if min(prev.x1, nxt.x1) - max(prev.x0, nxt.x0) < 0.5 * narrower:
        return False  # side by side, not one under the other
    return prev.x1 >= right - 0.12 * (right - left)


def _column_right(block: _Block, blocks: list[_Block]) -> float:
    """The right edge of the column `block` starts in: the widest line starting there."""
    return max(b.x1 for b in blocks if abs(b.x0 - block.x0) < 20)


def page_text(page) -> tuple[str, bool]:
    """(text, has_chars) of a pdfplumber page opened with LAPARAMS."""
    layout = page.layout
    boxes = [b for b in _text_boxes(layout) if _upright(b)]
    has_chars = bool(boxes) or any(True for _ in _chars(layout))
    blocks = [block for block in map(_Block, boxes) if any(block.lines)]
    paragraphs: list[list[str]] = []
    prev: _Block | None = None
    for block in blocks:
        if prev is not None and (
            _continues(prev, block) or _double_spaced(prev, block, _column_right(block, blocks))
        ):
            paragraphs[-1].extend(block.lines)
        else:
            paragraphs.append(list(block.lines))
        prev = block
    text = "\n\n".join("\n".join(line for line in para if line) for para in paragraphs)
    return join_hyphenated(text), has_chars


def _chars(layout):
    for obj in layout:
        if isinstance(obj, LTChar):
            yield obj
        elif hasattr(obj, "__iter__"):
            yield from _chars(obj)
