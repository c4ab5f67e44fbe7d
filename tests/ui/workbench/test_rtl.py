"""Right-to-left paragraphs as written, in the coding viewer and in Review: laid out
right-to-left and right-aligned, and every coding, find hit, stripe and hover on the
glyphs it covers. What Qt itself paints for a selection of the same characters is the
reference: the rectangles the viewers compute are compared with it pixel by pixel."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QColor, QImage, QPainter, QTextCursor, QTextLayout  # noqa: E402

from desktop.ui.review.viewer import ReviewViewer  # noqa: E402
from desktop.ui.workbench.spans import Span  # noqa: E402
from desktop.ui.workbench.viewer import DocumentViewer  # noqa: E402

ENGLISH = "The spokesman said the ceasefire would begin at dawn."
ARABIC = "أعلن المتحدث الرسمي أن وقف إطلاق النار سيبدأ غدا في المدينة."
HEBREW = "הממשלה הודיעה על הפסקת אש בעיר מחר בבוקר."
# digits, English and an emoji (two UTF-16 units: Qt positions differ from indices after it)
MIXED = "قال إن وقف إطلاق النار بدأ 120 ceasefire في الساعة 6 🕊️"
# long enough to wrap: a coding across the wrap has a rectangle on each line
LONG = " ".join(["وقالت الأمم المتحدة إن القصف استمر طوال الليل في الأحياء الشرقية"] * 4)
TEXT = "\n".join([ENGLISH, ARABIC, HEBREW, MIXED, LONG])
PROBE = QColor(0, 255, 0)


def qt(index: int) -> int:
    """The Qt (UTF-16) position of a character of TEXT."""
    return len(TEXT[:index].encode("utf-16-le")) // 2


def _span(text: str, needle: str, coding_id: int) -> Span:
    start = TEXT.index(needle, TEXT.index(text))
    return Span(qt(start), qt(start + len(needle)), coding_id, coding_id, 1, "#3b82f6", "#e11d48")


def qt_selection(viewer, start: int, end: int) -> list[tuple[float, float, list[int]]]:
    """What Qt paints for a selection of [start, end): per visual line it is on, the
    line's middle y and the viewport x columns that are painted (drawn by the block's
    own layout with a selection format, exactly as the text edit draws a selection)."""
    block = viewer.document().findBlock(start)
    layout = block.layout()
    image = QImage(viewer.viewport().size(), QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    selection = QTextLayout.FormatRange()
    selection.start, selection.length = start - block.position(), end - start
    selection.format.setBackground(PROBE)
    selection.format.setForeground(PROBE)
    top_left = viewer.blockBoundingGeometry(block).translated(viewer.contentOffset()).topLeft()
    p = QPainter(image)
    layout.draw(p, top_left, [selection])
    p.end()
    out = []
    for i in range(layout.lineCount()):
        line = layout.lineAt(i)
        ls, le = line.textStart(), line.textStart() + line.textLength()
        if le <= selection.start or ls >= selection.start + selection.length:
            continue
        y = top_left.y() + line.y() + line.height() / 2
        columns = [x for x in range(image.width()) if image.pixelColor(x, int(y)) == PROBE]
        out.append((y, columns))
    return out


def covered(rects, y: float, width: int) -> list[int]:
    return [x for x in range(width) if any(r.contains(QPointF(x + 0.5, y)) for r in rects)]


def assert_same_columns(ours: list[int], qts: list[int]) -> None:
    assert qts, "Qt paints nothing there"
    # anti-aliased edges may differ by a pixel; a misplaced rectangle differs by a word
    assert len(set(ours) ^ set(qts)) <= 4, (min(ours, default=None), max(ours, default=None),
                                             min(qts), max(qts))  # fmt: skip


def rects_of(viewer, start: int, end: int):
    _first, _last, blocks = viewer._visible_range()
    return viewer._rects(start, end, blocks)


@pytest.fixture(params=[(1024, 700), (1600, 1000)], ids=["1024x700", "1600x1000"])
def size(request):
    return request.param


@pytest.fixture(params=[DocumentViewer, ReviewViewer])
def viewer(request, qtbot, size):
    v = request.param()
    qtbot.addWidget(v)
    v.resize(*size)
    v.show()
    qtbot.waitExposed(v)
    v.set_text(TEXT)
    qtbot.wait(10)  # the margins are laid out after the first resize
    return v


def code(viewer, spans: list[Span]) -> None:
    if isinstance(viewer, ReviewViewer):
        viewer.set_review(spans, [("Maya", "#e11d48")], [])
    else:
        viewer.set_spans(spans)
    viewer.viewport().repaint()


def _block_start(text: str) -> int:
    return qt(TEXT.index(text))


def test_rtl_paragraphs_are_right_aligned_and_ltr_ones_left_aligned(viewer):
    width = viewer.viewport().width()

    def first_letter_x(text: str) -> int:
        c = QTextCursor(viewer.document())
        c.setPosition(_block_start(text))
        return viewer.cursorRect(c).center().x()

    for rtl in (ARABIC, HEBREW, MIXED, LONG):
        block = viewer.document().findBlock(_block_start(rtl))
        assert block.layout().textOption().alignment() & Qt.AlignmentFlag.AlignRight
        assert first_letter_x(rtl) > width - 30, rtl  # starts at the right edge
    assert first_letter_x(ENGLISH) < 30


def test_a_coding_in_an_rtl_word_covers_exactly_its_glyphs(viewer):
    spans = [_span(ARABIC, "الرسمي", 1), _span(HEBREW, "הפסקת", 2)]
    code(viewer, spans)
    width = viewer.viewport().width()
    for span in spans:
        rects = rects_of(viewer, span.start, span.end)
        [(y, qts)] = qt_selection(viewer, span.start, span.end)
        assert_same_columns(covered(rects, y, width), qts)
        assert len(qts) > 20  # a word, not a sliver


def test_mixed_line_codings_sit_on_their_own_words(viewer):
    ceasefire = _span(MIXED, "إطلاق النار", 1)
    stop = _span(MIXED, "وقف", 2)
    across = _span(MIXED, "بدأ 120 ceasefire", 3)  # RTL, digits and LTR in one coding
    code(viewer, [ceasefire, across])
    width = viewer.viewport().width()
    for span in (ceasefire, stop, across):
        for y, qts in qt_selection(viewer, span.start, span.end):
            assert_same_columns(covered(rects_of(viewer, span.start, span.end), y, width), qts)
    cf = covered(rects_of(viewer, ceasefire.start, ceasefire.end), y, width)
    st = covered(rects_of(viewer, stop.start, stop.end), y, width)
    assert not set(cf) & set(st)


def test_a_coding_across_the_wrap_of_an_rtl_paragraph(viewer):
    block = viewer.document().findBlock(_block_start(LONG))
    assert block.layout().lineCount() >= 2
    first_line = block.layout().lineAt(0)
    end_of_line = block.position() + first_line.textStart() + first_line.textLength()
    span = Span(end_of_line - 12, end_of_line + 12, 7, 7, 1, "#3b82f6", "#e11d48")
    code(viewer, [span])
    width = viewer.viewport().width()
    lines = qt_selection(viewer, span.start, span.end)
    assert len(lines) == 2
    for y, qts in lines:
        ours = covered(rects_of(viewer, span.start, span.end), y, width)
        # Qt's own selection also paints the space the line broke at; ours may stop at
        # the glyphs: compare the glyphs
        assert set(ours) <= set(qts)
        assert len(set(qts) - set(ours)) <= 12


def test_hover_and_right_click_find_the_coding_under_the_pointer(viewer):
    ceasefire = _span(MIXED, "إطلاق النار", 1)
    official = _span(ARABIC, "الرسمي", 2)
    code(viewer, [ceasefire, official])
    for span in (ceasefire, official):
        [(y, qts)] = qt_selection(viewer, span.start, span.end)
        centre = QPoint((min(qts) + max(qts)) // 2, int(y))
        assert [s.coding_id for s in viewer.spans_at_point(centre)] == [span.coding_id]
    stop = _span(MIXED, "وقف", 3)  # not coded, right beside the coding
    [(y, qts)] = qt_selection(viewer, stop.start, stop.end)
    assert viewer.spans_at_point(QPoint((min(qts) + max(qts)) // 2, int(y))) == []
    if isinstance(viewer, DocumentViewer) and not isinstance(viewer, ReviewViewer):
        viewer.labels = {1: "Ceasefire", 2: "Official"}
        [(y, qts)] = qt_selection(viewer, ceasefire.start, ceasefire.end)
        menu = viewer.build_context_menu(QPoint((min(qts) + max(qts)) // 2, int(y)))
        texts = [a.text() for a in menu.actions()]
        assert "Remove coding “Ceasefire”" in texts
        assert not any("Official" in t for t in texts)


def test_the_margin_stripe_is_beside_the_coded_line(viewer):
    span = _span(HEBREW, "הפסקת", 1)
    code(viewer, [span])
    [(y, _qts)] = qt_selection(viewer, span.start, span.end)
    [(_s, stripe)] = viewer.stripe_geometry()
    assert stripe.top() <= y <= stripe.bottom()
    assert stripe.right() <= viewer.margin.width()


def test_find_hits_are_painted_on_the_found_rtl_word(viewer):
    assert viewer.find_all("النار") == 2
    width = viewer.viewport().width()
    for a, b in zip(viewer._find_starts, viewer._find_ends, strict=True):
        [(y, qts)] = qt_selection(viewer, a, b)
        assert_same_columns(covered(rects_of(viewer, a, b), y, width), qts)


def test_shift_left_extends_forward_in_rtl_and_backward_in_ltr(viewer, qtbot):
    def shift_left_from(pos: int) -> tuple[int, int]:
        c = QTextCursor(viewer.document())
        c.setPosition(pos)
        viewer.setTextCursor(c)
        x_before = viewer.cursorRect().center().x()
        qtbot.keyClick(viewer, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
        return viewer.textCursor().position() - pos, viewer.cursorRect().center().x() - x_before

    moved, dx = shift_left_from(qt(TEXT.index("الرسمي")) + 2)
    assert moved == 1 and dx < 0  # one letter further on in the text, which is to the left
    moved, dx = shift_left_from(qt(TEXT.index("spokesman")) + 2)
    assert moved == -1 and dx < 0


def test_every_point_of_a_coding_across_directions_finds_it(viewer):
    across = _span(MIXED, "بدأ 120 ceasefire", 3)  # two stretches of the line, apart
    code(viewer, [across])
    [(y, qts)] = qt_selection(viewer, across.start, across.end)
    columns = set(qts)
    inner = [x for x in qts if x - 1 in columns and x + 1 in columns]
    missed = [x for x in inner if viewer.spans_at_point(QPoint(x, int(y))) != [across]]
    assert not missed
