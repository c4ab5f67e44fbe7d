"""Sentences, paragraphs, context, search-query parsing and KWIC."""

from __future__ import annotations

import pytest

from desktop.core.analysis import kwic
from desktop.core.analysis.search_query import QueryError, compile_regex, parse
from desktop.core.analysis.segments import context_span, extend, paragraphs, sentences

TEXT = "He said \u201cstop.\u201d Then left! Why?\n\nA new line \U0001f525 here.\nLast"


def test_sentences_and_paragraphs_are_code_point_spans():
    got = [TEXT[a:b] for a, b in sentences(TEXT)]
    assert got == [
        "He said \u201cstop.\u201d",
        "Then left!",
        "Why?",
        "A new line \U0001f525 here.",
        "Last",
    ]
    assert [TEXT[a:b] for a, b in paragraphs(TEXT)] == [
        "He said \u201cstop.\u201d Then left! Why?",
        "A new line \U0001f525 here.",
        "Last",
    ]


def test_extend_and_context():
    s = TEXT.index("ew li")
    assert TEXT[slice(*extend(TEXT, s, s + 5, "word"))] == "new line"
    assert TEXT[slice(*extend(TEXT, s, s + 5, "sentence"))] == "A new line \U0001f525 here."
    a, b = context_span(TEXT, s, s + 5, 1)
    assert TEXT[a:b] == "A new line \U0001f525 here"  # the cut words completed, then one word
    assert context_span(TEXT, 0, 2, 3)[0] == 0  # at the start of the text


def test_query_to_fts_and_regex():
    q = parse('negotiat* "peace talks" -x NOT (army OR police)')
    assert q.fts == '"negotiat"* AND "peace talks" AND "x" NOT ( "army" OR "police" )'
    text = "Negotiators held peace, talks; the army watched."
    assert [text[a:b] for a, b in kwic.spans(text, q.regex)] == ["Negotiators", "peace, talks"]


@pytest.mark.parametrize("bad", ["", "OR", "a AND", "(a", "a)", '"a', "NOT a"])
def test_malformed_queries(bad):
    with pytest.raises(QueryError):
        parse(bad)


def test_regex_errors_and_kwic():
    with pytest.raises(QueryError, match="invalid regular expression"):
        compile_regex("(")
    [h] = kwic.hits("one\ntwo three", compile_regex("two"), width=3)
    assert (h.left, h.match, h.right, h.start) == ("ne ", "two", " th", 4)


def test_touching_many_is_span_index_touching_for_every_passage():
    import numpy as np

    from desktop.core.analysis.segments import SpanIndex, segment_array, touching_many

    rng = np.random.default_rng(4)
    texts = {1: "One two. Three four five.\n\nSix.  Seven eight.\n", 2: "", 5: "Alone here."}
    spans = {d: segment_array(t, "sentence") for d, t in texts.items()}
    doc = rng.choice([1, 2, 3, 5], 300)  # 3: a document without segments given
    start = rng.integers(0, 48, 300)
    end = start + rng.integers(0, 12, 300)  # empty passages too
    first, last = touching_many(doc, start, end, spans)
    for k in range(300):
        d = int(doc[k])
        want = SpanIndex([tuple(x) for x in spans[d].tolist()]).touching(int(start[k]), int(end[k])) \
            if d in spans else (0, 0)  # fmt: skip
        assert (first[k], last[k]) == want, (d, start[k], end[k])
