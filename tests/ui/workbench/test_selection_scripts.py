"""Selecting text in every script with the real viewer: a mouse drag snaps to whole words
while it is dragged, Shift+arrows select exactly (never half a grapheme cluster), and the
coding stored is the text visibly selected, in left-to-right and right-to-left paragraphs
and in a right-to-left line that carries English words and digits."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from desktop.core.segmentation import grapheme_spans
from desktop.services.documents import documents
from desktop.services.project.project import Project
from tests.ui.helpers import quotes

PARAGRAPHS = {
    "english": "The rebels said talks failed on Wednesday.",
    "nfd": unicodedata.normalize("NFD", "Le café était fermé."),
    "russian": "Стороны призвали к прекращению огня.",
    "arabic": "قال المتحدث الرسميُّ إن المحادثات فشلت.",
    "persian": "گزارش‌های رسمی از آتش‌بس در شهر خبر می‌دهند.",
    "hebrew": "הצבא אמר שההפסקה נכשלה אתמול.",
    "mixed": "قال إن وقف إطلاق النار بدأ 120 ceasefire في الساعة 6",
    "chinese": "联合国秘书长呼吁立即停火。",
    "japanese": "日本の首相は停戦を呼びかけた。",
    "thai": "เป็นเวลาสามวันที่มีการสู้รบ",
    "hindi": "युद्ध विराम की घोषणा हुई।",
}
TEXT = "\n\n".join(PARAGRAPHS.values()) + "\n"


@pytest.fixture
def scripts_window(make_window, tmp_path: Path):
    path = tmp_path / "scripts.tessera"
    p = Project.create(path, template="conflict-news", name="Scripts")
    documents.add_document(p, name="scripts.txt", text=TEXT, kind="txt")
    p.close()
    w = make_window(path)
    assert w.viewer.text == TEXT
    return w


def point_at(viewer, cp: int):
    """The viewport point of the gap before code point ``cp`` (Qt counts UTF-16)."""
    c = QTextCursor(viewer.document())
    c.setPosition(len(TEXT[:cp].encode("utf-16-le")) // 2)
    return viewer.cursorRect(c).center()


def visible(viewer) -> str:
    return viewer.textCursor().selectedText()


def drag(qtbot, viewer, start: int, end: int) -> str:
    """Press at ``start``, move to ``end``: the selection shown before the button is let
    go, then let go."""
    vp = viewer.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=point_at(viewer, start))
    qtbot.mouseMove(vp, point_at(viewer, (start + end) // 2))
    qtbot.mouseMove(vp, point_at(viewer, end))
    shown = visible(viewer)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=point_at(viewer, end))
    return shown


def code_selection(qtbot, window) -> str:
    """Apply the first code the way a coder does (key 1) and read the coding back."""
    before = len(quotes(window))
    qtbot.keyClick(window.viewer, Qt.Key.Key_1)
    got = quotes(window)
    assert len(got) == before + 1
    return got[-1]


MOUSE_CASES = [
    ("english", "bels sa", "rebels said"),
    ("nfd", "af", unicodedata.normalize("NFD", "café")),
    ("russian", "екр", "прекращению"),
    ("arabic", "رس", "الرسميُّ"),
    ("arabic", "تحدث الر", "المتحدث الرسميُّ"),
    ("persian", "تش", "آتش‌بس"),  # the zero-width non-joiner stays inside the word
    ("persian", "‌بس در", "آتش‌بس در"),
    ("hebrew", "מר ש", "אמר שההפסקה"),
    ("mixed", "easefir", "ceasefire"),  # an English word in a right-to-left line
    ("mixed", "نار بدأ 12", "النار بدأ 120"),  # across the change of direction
    ("chinese", "书长", "秘书长"),
    ("japanese", "首", "首相"),
    ("japanese", "戦を呼", "停戦を呼"),
    ("thai", "สา", "สาม"),
    ("hindi", "युद्", "युद्ध"),
]


@pytest.mark.parametrize("script,part,expected", MOUSE_CASES)
@pytest.mark.parametrize("backwards", [False, True])
def test_a_mouse_drag_shows_and_stores_whole_words(
    scripts_window, qtbot, script, part, expected, backwards
):
    viewer = scripts_window.viewer
    para = TEXT.index(PARAGRAPHS[script])
    start = TEXT.index(part, para)
    end = start + len(part)
    shown = drag(qtbot, viewer, *((end, start) if backwards else (start, end)))
    assert shown == expected  # already while dragging
    assert visible(viewer) == expected
    assert code_selection(qtbot, scripts_window) == expected


def test_dragging_the_other_way_keeps_the_word_pressed_in(scripts_window, qtbot):
    viewer = scripts_window.viewer
    para = TEXT.index(PARAGRAPHS["english"])
    press = TEXT.index("ai", para)  # inside "said"
    shown = drag(qtbot, viewer, press, TEXT.index("ebels", para))
    assert shown == "rebels said"
    assert code_selection(qtbot, scripts_window) == "rebels said"


def place_cursor(viewer, cp: int) -> None:
    c = QTextCursor(viewer.document())
    c.setPosition(len(TEXT[:cp].encode("utf-16-le")) // 2)
    viewer.setTextCursor(c)


def whole_clusters(text: str) -> bool:
    bounds = {b for span in grapheme_spans(TEXT).tolist() for b in span}
    start = TEXT.index(text)
    return start in bounds and start + len(text) in bounds


KEY_CASES = [
    ("english", "rebels", Qt.Key.Key_Right, 3),
    ("nfd", unicodedata.normalize("NFD", "café"), Qt.Key.Key_Right, 4),
    ("russian", "прекращению", Qt.Key.Key_Right, 3),
    ("arabic", "الرسميُّ", Qt.Key.Key_Left, 6),  # right-to-left: Left goes forward
    ("arabic", "الرسميُّ", Qt.Key.Key_Left, 3),
    ("persian", "آتش‌بس", Qt.Key.Key_Left, 3),
    ("persian", "آتش‌بس", Qt.Key.Key_Left, 4),
    ("hebrew", "שההפסקה", Qt.Key.Key_Left, 3),
    ("mixed", "ceasefire", Qt.Key.Key_Left, 4),  # the paragraph's direction decides
    ("chinese", "秘书长", Qt.Key.Key_Right, 1),
    ("japanese", "首相", Qt.Key.Key_Right, 1),
    ("thai", "สาม", Qt.Key.Key_Right, 2),
    ("hindi", "युद्ध", Qt.Key.Key_Right, 2),
]


@pytest.mark.parametrize("script,word,key,presses", KEY_CASES)
def test_shift_arrows_select_exactly_and_store_what_is_shown(
    scripts_window, qtbot, script, word, key, presses
):
    viewer = scripts_window.viewer
    start = TEXT.index(word, TEXT.index(PARAGRAPHS[script]))
    place_cursor(viewer, start)
    for _ in range(presses):
        qtbot.keyClick(viewer, key, Qt.KeyboardModifier.ShiftModifier)
    shown = visible(viewer)
    assert shown and word.startswith(shown)  # moving forward from the word's start
    assert whole_clusters(shown)
    if presses < len(grapheme_spans(word)):
        assert shown != word  # not widened to the word: keys are exact
    assert code_selection(qtbot, scripts_window) == shown == visible(viewer)


def test_shift_right_never_splits_an_accent_or_an_emoji(make_window, tmp_path, qtbot):
    text = unicodedata.normalize("NFD", "é") + "👩\u200d👩\u200d👧 fin\n"
    path = tmp_path / "emoji.tessera"
    p = Project.create(path, template="conflict-news", name="Emoji")
    documents.add_document(p, name="emoji.txt", text=text, kind="txt")
    p.close()
    window = make_window(path)
    viewer = window.viewer
    c = QTextCursor(viewer.document())
    c.setPosition(0)
    viewer.setTextCursor(c)
    qtbot.keyClick(viewer, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert visible(viewer) == text[:2]
    qtbot.keyClick(viewer, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert visible(viewer) == text[:7]
    qtbot.keyClick(window.viewer, Qt.Key.Key_1)
    assert quotes(window) == [text[:7]]


BACK_CASES = [
    ("english", "rebels", Qt.Key.Key_Left, 2),
    ("russian", "прекращению", Qt.Key.Key_Left, 3),
    ("arabic", "الرسميُّ", Qt.Key.Key_Right, 2),  # right-to-left: Right goes back
    ("persian", "آتش‌بس", Qt.Key.Key_Right, 3),
    ("hebrew", "שההפסקה", Qt.Key.Key_Right, 2),
    ("chinese", "秘书长", Qt.Key.Key_Left, 1),
    ("japanese", "首相", Qt.Key.Key_Left, 1),
    ("thai", "สาม", Qt.Key.Key_Left, 1),
    ("hindi", "युद्ध", Qt.Key.Key_Left, 1),
]


@pytest.mark.parametrize("script,word,key,presses", BACK_CASES)
def test_shift_arrows_back_from_a_word_end_select_its_last_clusters(
    scripts_window, qtbot, script, word, key, presses
):
    viewer = scripts_window.viewer
    start = TEXT.index(word, TEXT.index(PARAGRAPHS[script]))
    place_cursor(viewer, start + len(word))
    for _ in range(presses):
        qtbot.keyClick(viewer, key, Qt.KeyboardModifier.ShiftModifier)
    shown = visible(viewer)
    clusters = [word[a:b] for a, b in grapheme_spans(word).tolist()]
    assert shown == "".join(clusters[-presses:])
    assert code_selection(qtbot, scripts_window) == shown == visible(viewer)


DOUBLE_CLICK_CASES = [
    ("chinese", "秘", "秘书"),
    ("japanese", "相", "首相"),
    ("thai", "า", "สาม"),
    ("persian", "ب", "آتش‌بس"),
    ("arabic", "س", "الرسميُّ"),
    ("mixed", "f", "ceasefire"),
]


@pytest.mark.parametrize("script,letter,expected", DOUBLE_CLICK_CASES)
def test_a_double_click_selects_one_word_and_stores_it(
    scripts_window, qtbot, script, letter, expected
):
    viewer = scripts_window.viewer
    para = TEXT.index(PARAGRAPHS[script])
    at = TEXT.index(letter, TEXT.index(expected, para))
    vp = viewer.viewport()
    rect = viewer.cursorRect(_cursor_at(viewer, at))
    after = viewer.cursorRect(_cursor_at(viewer, at + 1))
    point = (rect.center() + after.center()) / 2  # inside the letter's glyph
    qtbot.mouseDClick(vp, Qt.MouseButton.LeftButton, pos=point)
    assert visible(viewer) == expected
    assert code_selection(qtbot, scripts_window) == expected


def _cursor_at(viewer, cp: int) -> QTextCursor:
    c = QTextCursor(viewer.document())
    c.setPosition(len(TEXT[:cp].encode("utf-16-le")) // 2)
    return c


def inside(viewer, cp: int, fraction: float):
    """A point on the glyph of character ``cp``, ``fraction`` of the way from its logical
    start to its end (for a right-to-left letter, from its right edge to its left)."""
    a = viewer.cursorRect(_cursor_at(viewer, cp)).center()
    b = viewer.cursorRect(_cursor_at(viewer, cp + 1)).center()
    return a + (b - a) * fraction


FAR_HALF_CASES = [
    ("english", "said", "talks", "said talks"),
    ("chinese", "秘书", "呼吁", "秘书长呼吁"),
    ("japanese", "首相", "停戦", "首相は停戦"),
    ("arabic", "المتحدث", "الرسميُّ", "المتحدث الرسميُّ"),
    ("hebrew", "אמר", "שההפסקה", "אמר שההפסקה"),
]


@pytest.mark.parametrize("script,first,last,expected", FAR_HALF_CASES)
def test_pressing_on_the_far_half_of_a_words_last_letter_keeps_that_word(
    scripts_window, qtbot, script, first, last, expected
):
    viewer = scripts_window.viewer
    para = TEXT.index(PARAGRAPHS[script])
    press_on = TEXT.index(first, para) + len(first) - 1  # its last letter
    end = TEXT.index(last, para) + len(last)
    vp = viewer.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=inside(viewer, press_on, 0.8))
    qtbot.mouseMove(vp, point_at(viewer, end - 1))
    qtbot.mouseMove(vp, point_at(viewer, end))
    assert visible(viewer) == expected
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=point_at(viewer, end))
    assert code_selection(qtbot, scripts_window) == expected


def test_every_letter_of_an_english_word_in_an_arabic_line_has_its_caret_in_order(
    scripts_window, qtbot
):
    """'fi' is drawn as one ligature glyph by many fonts; inside a left-to-right word of
    a right-to-left line Qt then put the caret of the letters after it at the wrong edge
    of the word, and a click or drag there landed in the wrong word. The reading pane
    draws no ligatures, so each letter has its own caret position, in reading order."""
    viewer = scripts_window.viewer
    para = TEXT.index(PARAGRAPHS["mixed"])
    word = TEXT.index("ceasefire", para)
    xs = [point_at(viewer, cp).x() for cp in range(word + 1, word + len("ceasefire"))]
    assert xs == sorted(xs) and len(set(xs)) == len(xs), xs
    for cp in range(word + 1, word + len("ceasefire")):
        # a click on a letter's caret position puts the caret there
        c = viewer.cursorForPosition(point_at(viewer, cp))
        assert c.position() == len(TEXT[:cp].encode("utf-16-le")) // 2
