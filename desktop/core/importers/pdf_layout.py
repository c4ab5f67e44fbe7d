"""Text of one PDF page in reading order, from pdfminer's layout analysis.

pdfplumber's default `extract_text` sorts words top to bottom across the whole page, so
two columns come out interleaved line by line. With `laparams`, pdfminer groups
characters into lines and lines into text boxes (paragraphs of one column) and orders
the boxes column by column; we take those boxes, and repair two things it gets wrong:
a justified line it split in two (ordered by glyph height, not position) and the
indented first line of a paragraph it put in a box of its own.

Right-to-left text (Arabic, Persian, Hebrew) is drawn by most producers glyph by glyph
in visual order, one text object per direction run, runs in logical order. pdfminer
reads each run as a line of its own, reversed. So before layout analysis the runs of a
line that holds right-to-left letters are put in left-to-right order (`visual_order`),
and each line's text is turned from visual into logical order with ICU's inverse
bidi algorithm (`logical_line`). Arabic presentation forms (shaped glyph codes) become
the letters they show (`fold_presentation_forms`), as ligatures do."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from pdfminer.layout import LTChar, LTContainer, LTFigure, LTTextBox, LTTextLine

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
            logical_line(" ".join(ln.get_text().strip() for ln in row if ln.get_text().strip()))
            for row in rows
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
    return fold_presentation_forms(join_hyphenated(text)), has_chars


def _chars(layout):
    for obj in layout:
        if isinstance(obj, LTChar):
            yield obj
        elif hasattr(obj, "__iter__"):
            yield from _chars(obj)


# --- right-to-left text and Arabic presentation forms ---------------------------------

_RTL_CLASSES = frozenset({"R", "AL"})
_PRESENTATION_FORM = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")


def _has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in _RTL_CLASSES for ch in text)


def _mostly_rtl(text: str) -> bool:
    """Are most of the line's strong (letter) characters right-to-left?"""
    rtl = ltr = 0
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in _RTL_CLASSES:
            rtl += 1
        elif kind == "L":
            ltr += 1
    return rtl > ltr


def logical_line(visual: str) -> str:
    """One line of a PDF, read in visual order (left to right), in logical order.

    ICU's "inverse like direct" mode applies the bidi algorithm to the visual text,
    which undoes it: right-to-left runs are reversed, numbers and Latin words inside
    them keep their left-to-right order. The paragraph direction is that of most of
    the line's letters. A line without right-to-left letters is returned as it is."""
    if not _has_rtl(visual):
        return visual
    import icu

    bidi = icu.Bidi()
    bidi.setReorderingMode(icu.UBiDiReorderingMode.INVERSE_LIKE_DIRECT)
    ustr = icu.UnicodeString(visual)  # setPara keeps a pointer into it
    bidi.setPara(ustr, 1 if _mostly_rtl(visual) else 0)
    return str(bidi.writeReordered(icu.Bidi.KEEP_BASE_COMBINING))


def _fold(m: re.Match[str]) -> str:
    letters = unicodedata.normalize("NFKC", m.group())
    # Isolated forms of vowel marks decompose to a space and the mark; in running text
    # the mark belongs to the letter before it, and a space would split the word.
    if letters[:1] == " " and all(unicodedata.combining(ch) for ch in letters[1:]):
        return letters[1:]
    return letters


def fold_presentation_forms(text: str) -> str:
    """Arabic presentation forms (U+FB50-U+FDFF, U+FE70-U+FEFF), the shaped glyph codes
    older PDF producers store, as the letters they show (NFKC of those blocks only):
    'ﺍﻟﺤﺮﺏ' -> 'الحرب', 'ﻻ' -> 'لا'. The byte order mark U+FEFF is left alone."""
    return _PRESENTATION_FORM.sub(_fold, text)


def _same_line(a: LTChar, b: LTChar) -> bool:
    """pdfminer's test for two characters of one line, without the distance."""
    return a.is_voverlap(b) and min(a.height, b.height) * LAPARAMS["line_overlap"] < a.voverlap(b)


def _adjacent(a: LTChar, b: LTChar) -> bool:
    """pdfminer's test for two consecutive characters of one line (see group_objects)."""
    return _same_line(a, b) and a.hdistance(b) < max(a.width, b.width) * LAPARAMS["char_margin"]


def _runs(chars: list[LTChar]) -> Iterator[list[LTChar]]:
    """Consecutive characters drawn next to each other, as pdfminer would join them."""
    run: list[LTChar] = []
    for ch in chars:
        if run and not _adjacent(run[-1], ch):
            yield run
            run = []
        run.append(ch)
    if run:
        yield run


def visual_order(container: LTContainer) -> None:
    """Reorder, in place and before layout analysis, the characters of every line that
    holds right-to-left letters so that they come left to right, as pdfminer expects.
    A vowel mark follows the letter it is drawn on (logical_line keeps it there). A
    glyph that stands for several letters ('لا') gets them reversed, so that turning
    the line into logical order puts them back. Pages without right-to-left letters
    are left exactly as they were."""
    objs = container._objs
    for obj in objs:
        if isinstance(obj, LTFigure):
            visual_order(obj)
    chars = [obj for obj in objs if isinstance(obj, LTChar)]
    if not any(_has_rtl(ch.get_text()) for ch in chars):
        return
    ordered: list[LTChar] = []
    line: list[LTChar] = []
    for run in _runs(chars):
        if line and not _same_line(line[-1], run[0]):
            ordered.extend(_left_to_right(line))
            line = []
        line.extend(run)
    ordered.extend(_left_to_right(line))
    for ch in ordered:
        text = ch.get_text()
        if len(text) > 1 and _has_rtl(text):
            ch._text = text[::-1]
    others = [obj for obj in objs if not isinstance(obj, LTChar)]
    # Layout analysis separates characters from everything else anyway.
    container._objs = ordered + others


def _is_mark(ch: LTChar) -> bool:
    text = ch.get_text()
    return bool(text) and all(unicodedata.combining(c) for c in text)


def _left_to_right(line: list[LTChar]) -> list[LTChar]:
    """The characters of one line sorted by position, each mark after its letter."""
    if not any(_has_rtl(ch.get_text()) for ch in line):
        return line
    # Right-to-left text is drawn in visual order with each mark just before its
    # letter (the whole shaped run reversed); a mark's position says little, as it is
    # the point its glyph is offset from. A mark before a space or a digit goes with
    # the letter before it.
    units: list[list[LTChar]] = []
    pending: list[LTChar] = []
    for ch in line:
        if _is_mark(ch):
            pending.append(ch)
            continue
        if pending and units and not ch.get_text()[:1].isalpha():
            _attach(units[-1], pending)
            pending = []
        units.append([ch])
        _attach(units[-1], pending)
        pending = []
    if pending:
        if units:
            _attach(units[-1], pending)
        else:
            units.append(pending)
    units.sort(key=lambda unit: unit[0].x0)
    return [c for unit in units for c in unit]


def _attach(unit: list[LTChar], marks: list[LTChar]) -> None:
    """Marks after their letter, spanning it: a mark's own box is a point that may lie
    outside the letter, where pdfminer would see a gap and put a space."""
    base = unit[0]
    for mark in marks:
        mark.set_bbox((base.x0, mark.y0, base.x1, mark.y1))
        unit.append(mark)
