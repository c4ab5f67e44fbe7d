"""The code point <-> UTF-16 conversion and the span index, without Qt widgets."""

from __future__ import annotations

import random

from desktop.ui.workbench.offsets import OffsetMap
from desktop.ui.workbench.selection import snap
from desktop.ui.workbench.spans import Span, SpanIndex


def utf16(text: str, cp: int) -> int:
    return len(text[:cp].encode("utf-16-le")) // 2


def test_offsets_round_trip_with_emoji_and_combining_marks():
    text = "Cafe\u0301 😀 talks 👩‍👩‍👧 in Dar\u02bca 𝒳 end"
    m = OffsetMap(text)
    assert m.qt_length == len(text.encode("utf-16-le")) // 2
    for cp in range(len(text) + 1):
        q = utf16(text, cp)
        assert m.to_qt(cp) == q
        assert m.to_cp(q) == cp


def test_offset_inside_a_surrogate_pair_falls_back_to_the_character_start():
    text = "a😀b"
    m = OffsetMap(text)
    assert m.to_cp(2) == 1  # between the two halves of the emoji
    assert m.trivial is False and OffsetMap("plain").trivial


def test_offsets_on_random_text_agree_with_utf16_encoding():
    rnd = random.Random(7)
    alphabet = ["a", " ", "\n", "é", "\u0301", "😀", "𝔸", "中"]
    text = "".join(rnd.choice(alphabet) for _ in range(2000))
    m = OffsetMap(text)
    for cp in range(0, len(text) + 1, 7):
        assert m.to_cp(m.to_qt(cp)) == cp
        assert m.to_qt(cp) == utf16(text, cp)


def _span(a, b, cid):
    return Span(a, b, cid, 1, 1, "#ff0000", "#0000ff")


def test_span_index_finds_exactly_the_overlapping_spans():
    rnd = random.Random(3)
    spans = []
    for i in range(3000):
        a = rnd.randrange(0, 100_000)
        length = rnd.choice([5, 40, 300, 5000, 60_000])
        spans.append(_span(a, a + length, i))
    index = SpanIndex(spans)
    for a in range(0, 100_000, 9973):
        b = a + 1500
        expected = {s.coding_id for s in spans if s.start < b and s.end > a}
        assert {s.coding_id for s in index.overlapping(a, b)} == expected


def test_overlapping_spans_get_different_lanes():
    index = SpanIndex([_span(0, 10, 1), _span(5, 15, 2), _span(12, 20, 3), _span(30, 40, 4)])
    lanes = {s.coding_id: s.lane for s in index.spans}
    assert lanes[1] != lanes[2] and lanes[2] != lanes[3]
    assert lanes[4] == 0 and index.lanes == 2
    assert [s.coding_id for s in index.at(6)] == [1, 2]


def test_snap_widens_a_selection_to_whole_words():
    text = "rebels said talks failed"
    assert snap(text, 2, 9) == (0, 11)  # "bels sa" -> "rebels said"
    assert snap(text, 7, 11) == (7, 11)
    assert snap(text, 0, len(text)) == (0, len(text))


def test_adding_and_removing_spans_one_by_one_matches_a_rebuild():
    rnd = random.Random(11)
    index = SpanIndex()
    kept = {}
    for i in range(400):
        a = rnd.randrange(0, 20_000)
        s = _span(a, a + rnd.choice([3, 50, 900, 6000]), i)
        index.add(s)
        kept[i] = s
        if i % 3 == 0:
            gone = rnd.choice(list(kept))
            assert index.remove(gone).coding_id == gone
            del kept[gone]
    assert sorted(s.coding_id for s in index.spans) == sorted(kept)
    for a in range(0, 20_000, 997):
        expected = {c for c, s in kept.items() if s.start < a + 700 and s.end > a}
        got = index.overlapping(a, a + 700)
        assert {s.coding_id for s in got} == expected
        # overlapping spans never share a lane
        for x in got:
            for y in got:
                if x is not y and x.start < y.end and y.start < x.end:
                    assert x.lane != y.lane
    assert index.remove(99_999) is None


def test_lanes_are_given_lazily_and_stay_valid_through_edits():
    rnd = random.Random(5)
    spans = []
    for i in range(2000):
        a = rnd.randrange(0, 200_000)
        spans.append(_span(a, a + rnd.choice([4, 60, 700, 5000]), i))
    index = SpanIndex(spans)
    index.overlapping(0, 1000)
    assert len(index._lane) < 200  # only the beginning has lanes so far
    kept = {s.coding_id: (s.start, s.end) for s in spans}
    for k in range(0, 2000, 7):  # remove some beyond and before the lazily reached point
        index.remove(k)
        del kept[k]
    for k in range(5000, 5050):
        a = rnd.randrange(0, 200_000)
        index.add(_span(a, a + 40, k))
        kept[k] = (a, a + 40)
    for a in range(0, 200_000, 9973):
        got = index.overlapping(a, a + 2000)
        expected = {c for c, (s, e) in kept.items() if s < a + 2000 and e > a}
        assert {s.coding_id for s in got} == expected
        for x in got:
            for y in got:
                if x is not y and x.start < y.end and y.start < x.end:
                    assert x.lane != y.lane
    assert index.lanes >= 2
