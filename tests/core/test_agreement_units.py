"""Unitizing coded spans and agreement over a project's documents."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.agreement import (
    corpus_agreement,
    reliability,
    sentence_spans,
    train_sentence_tokenizer,
    unitize,
    word_spans,
)
from desktop.core.agreement.units import (
    coding_patterns,
    coverage,
    distinct_columns,
    exclusive_values,
    merge_intervals,
    pattern_matrix,
    to_unit_intervals,
)

TEXT = "Dr. Smith arrived at 9 a.m. on Monday. He left early! Did anyone see him? No."


def test_word_units_are_words_and_punctuation():
    spans = word_spans("Don't stop—now, ok?")
    words = [("Don't stop—now, ok?")[s:e] for s, e in spans]
    assert words == ["Don't", "stop", "—", "now", ",", "ok", "?"]


def test_sentence_units_need_no_download():
    tokenizer = train_sentence_tokenizer([TEXT * 3])
    spans = sentence_spans(TEXT, tokenizer)
    sentences = [TEXT[s:e] for s, e in spans]
    assert sentences[-3:] == ["He left early!", "Did anyone see him?", "No."]
    assert all(e <= len(TEXT) for _, e in spans)


def test_a_coding_codes_every_unit_it_overlaps_by_one_character():
    units = np.array([[0, 5], [6, 10], [11, 15]])
    first, stop = to_unit_intervals(np.array([4, 5, 10, 9]), np.array([5, 6, 11, 12]), 15, units)
    # [4,5) overlaps unit 0; [5,6) and [10,11) are white space; [9,12) overlaps units 1, 2
    assert list(zip(first.tolist(), stop.tolist(), strict=True)) == [(0, 1), (1, 3)]


def test_codings_outside_the_text_are_refused():
    with pytest.raises(ValueError, match="length 10"):
        to_unit_intervals(np.array([3]), np.array([11]), 10, None)
    with pytest.raises(ValueError):
        to_unit_intervals(np.array([3]), np.array([3]), 10, None)


def test_unitize_characters_and_words():
    text = "one two three"
    codings = {"ann": [("X", 0, 5), ("Y", 8, 9)], "bob": [("X", 4, 7)]}
    chars = unitize(len(text), None, codings)
    assert chars["X"].tolist() == [
        [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0],
    ]
    assert chars["Y"][1].sum() == 0
    words = unitize(len(text), word_spans(text), codings)
    assert words["X"].tolist() == [[1, 1, 0], [0, 1, 0]]
    assert words["Y"].tolist() == [[0, 0, 1], [0, 0, 0]]


intervals = st.lists(
    st.tuples(st.integers(0, 59), st.integers(1, 20)).map(lambda t: (t[0], min(60, t[0] + t[1]))),
    max_size=8,
)


@settings(max_examples=80, deadline=None)
@given(st.lists(intervals, min_size=2, max_size=4))
def test_pattern_sweep_equals_bincount_of_dense_matrices(by_coder):
    n = 60
    arrays = [
        (np.array([a for a, _ in iv], dtype=np.int64), np.array([b for _, b in iv], dtype=np.int64))
        for iv in by_coder
    ]
    dense = np.stack([coverage(n, a, b) for a, b in arrays]).astype(np.int64)
    keys = (dense << np.arange(len(arrays))[:, None]).sum(axis=0)
    expected = np.bincount(keys, minlength=2 ** len(arrays))
    patterns, counts = coding_patterns(n, arrays)
    got = np.zeros_like(expected)
    got[patterns] = counts
    assert got.tolist() == expected.tolist()
    assert (pattern_matrix(patterns, len(arrays)) <= 1).all()


@settings(max_examples=50, deadline=None)
@given(intervals)
def test_merged_intervals_cover_the_same_units(iv):
    a = np.array([x for x, _ in iv], dtype=np.int64)
    b = np.array([y for _, y in iv], dtype=np.int64)
    ma, mb = merge_intervals(a, b)
    assert coverage(60, a, b).tolist() == coverage(60, ma, mb).tolist()
    assert (ma[1:] > mb[:-1]).all()  # disjoint and not touching


@settings(max_examples=50, deadline=None)
@given(st.lists(intervals, min_size=1, max_size=3))
def test_exclusive_values_are_bit_masks_of_the_codes_applied(by_code):
    arrays = [
        (np.array([a for a, _ in iv], dtype=np.int64), np.array([b for _, b in iv], dtype=np.int64))
        for iv in by_code
    ]
    values = exclusive_values(60, arrays)
    dense = sum(coverage(60, a, b).astype(np.int64) << k for k, (a, b) in enumerate(arrays))
    assert values.tolist() == np.asarray(dense).tolist()


def test_distinct_columns_with_counts():
    matrix = np.array([[0, 1, 0, 1, 5], [2, 2, 2, 2, 0]])
    columns, counts = distinct_columns(matrix)
    found = {tuple(col): int(c) for col, c in zip(columns.T.tolist(), counts, strict=True)}
    assert found == {(0, 2): 2, (1, 2): 2, (5, 0): 1}


# --- agreement over documents ------------------------------------------------------------------

DOCS = {
    "d1": "The cat sat on the mat. The dog ran away! Birds fly high.",
    "d2": "Hello world. Another text is here.",
}
CODINGS = {
    "ann": [("d1", "A", 0, 23), ("d1", "B", 24, 41), ("d2", "A", 0, 5), ("d1", "A", 50, 52)],
    "bob": [("d1", "A", 4, 23), ("d1", "B", 24, 35), ("d2", "B", 0, 5), ("d9", "A", 0, 1)],
    "cy": [("d1", "A", 0, 12), ("d2", "A", 2, 9), ("d1", "Z", 0, 3)],
}


def dense_reliability(unit, code, documents=DOCS, codings=CODINGS):
    """The slow way: unitize every document and concatenate the 0/1 matrices."""
    from desktop.core.agreement import unit_spans

    tokenizer = train_sentence_tokenizer(documents.values()) if unit == "sentence" else None
    parts = []
    for key, text in documents.items():
        per_coder = {
            c: [(k, s, e) for d, k, s, e in spans if d == key] for c, spans in codings.items()
        }
        parts.append(unitize(len(text), unit_spans(text, unit, tokenizer), per_coder, [code])[code])
    return reliability(np.concatenate(parts, axis=1))


@pytest.mark.parametrize("unit", ["char", "word", "sentence"])
def test_pooled_rows_equal_the_dense_computation(unit):
    report = corpus_agreement(DOCS, CODINGS, ["A", "B"], unit=unit)
    assert report.unit == unit
    assert report.coders == ("ann", "bob", "cy")
    for code in ("A", "B"):
        row = report.find(code)
        dense = dense_reliability(unit, code)
        assert row.units == dense.units
        for measure in ("percent_agreement", "fleiss_kappa", "krippendorff_alpha"):
            got, want = row.value(measure), getattr(dense, measure).value
            assert (got is None and want is None) or got == pytest.approx(want)


def test_rows_per_document_and_pooled_with_counts():
    report = corpus_agreement(DOCS, CODINGS, ["A", "B"], unit="char")
    assert [(r.code, r.document) for r in report.rows] == [
        ("A", None), ("B", None), ("A", "d1"), ("B", "d1"), ("A", "d2"), ("B", "d2"),
    ]  # fmt: skip
    pooled_a = report.find("A")
    assert pooled_a.units == len(DOCS["d1"]) + len(DOCS["d2"])
    assert pooled_a.codings == {"ann": 3, "bob": 1, "cy": 2}  # d9 and code Z ignored
    assert pooled_a.coded_units == {"ann": 23 + 2 + 5, "bob": 19, "cy": 12 + 7}
    assert report.find("A", "d2").codings == {"ann": 1, "bob": 0, "cy": 1}
    assert pooled_a.result.cohen_kappa.value is None  # three coders


def test_two_coders_get_cohens_kappa():
    two = {c: CODINGS[c] for c in ("ann", "bob")}
    report = corpus_agreement(DOCS, two, ["A"], unit="word")
    row = report.find("A")
    dense = dense_reliability("word", "A", codings=two)
    assert row.value("cohen_kappa") == pytest.approx(dense.cohen_kappa.value)
    assert row.value("scott_pi") == pytest.approx(dense.scott_pi.value)


def test_a_code_nobody_used_is_undefined_not_perfect():
    report = corpus_agreement(DOCS, CODINGS, ["unused"], unit="char")
    row = report.find("unused")
    assert row.value("percent_agreement") == 1.0
    assert row.value("krippendorff_alpha") is None
    assert row.value("fleiss_kappa") is None


def test_exclusive_set_values_missing_if_none():
    docs = {"d": "aaaa bbbb cccc dddd"}
    codings = {
        "ann": [("d", "pos", 0, 4), ("d", "neg", 5, 9), ("d", "pos", 10, 14)],
        "bob": [("d", "pos", 0, 4), ("d", "pos", 5, 9), ("d", "neg", 15, 19)],
    }
    report = corpus_agreement(docs, codings, [], unit="word", exclusive=["pos", "neg"])
    row = report.find("pos | neg")
    assert row.kind == "exclusive set"
    # word values: ann pos neg pos - ; bob pos pos - neg: two pairable units, one agreement
    assert row.result.pairable_values == 4
    assert row.value("percent_agreement") == pytest.approx(0.5)
    assert row.value("cohen_kappa") is None  # missing values
    expected = reliability([["pos", "neg", "pos", None], ["pos", "pos", None, "neg"]])
    assert row.value("krippendorff_alpha") == pytest.approx(expected.krippendorff_alpha.value)

    with_none = corpus_agreement(
        docs, codings, [], unit="word", exclusive=["pos", "neg"], none_as_value=True
    ).find("pos | neg")
    expected = reliability([["pos", "neg", "pos", "-"], ["pos", "pos", "-", "neg"]])
    assert with_none.value("cohen_kappa") == pytest.approx(expected.cohen_kappa.value)
    assert with_none.value("krippendorff_alpha") == pytest.approx(expected.krippendorff_alpha.value)


def test_exclusive_set_conflicts_are_counted_and_disagree():
    docs = {"d": "aaaa bbbb"}
    codings = {
        "ann": [("d", "pos", 0, 9), ("d", "neg", 5, 9)],
        "bob": [("d", "pos", 0, 9)],
    }
    row = corpus_agreement(docs, codings, [], unit="word", exclusive=["pos", "neg"]).find(
        "pos | neg"
    )
    assert row.conflicts == 1
    assert row.value("percent_agreement") == pytest.approx(0.5)


def test_report_renders_as_json_csv_and_html():
    report = corpus_agreement(DOCS, CODINGS, ["A", "B"], unit="word", exclusive=["A", "B"])
    data = json.loads(report.to_json())
    assert data["unit"] == "word" and data["coders"] == ["ann", "bob", "cy"]
    assert data["rows"][0]["code"] == "A" and data["rows"][0]["scope"] == "pooled"
    assert data["rows"][0]["notes"]["cohen_kappa"].startswith("needs exactly 2 coders")
    rows = list(csv.DictReader(io.StringIO(report.to_csv())))
    assert len(rows) == len(report.rows)
    assert rows[0]["codings:ann"] == "3" and rows[0]["cohen_kappa"] == ""
    html = report.to_html()
    assert html.count("<tr>") == len(report.rows) + 1
    assert "n/a" in html and "Krippendorff&#x27;s alpha" in html


def test_code_and_document_names():
    report = corpus_agreement(
        DOCS, CODINGS, ["A"], code_names={"A": "Actors/Armed"}, document_names={"d1": "One"}
    )
    assert report.find("Actors/Armed", "One").units == len(DOCS["d1"])
    assert report.documents == ("One", "d2")


def test_needs_two_coders_and_a_known_unit():
    with pytest.raises(ValueError, match="two coders"):
        corpus_agreement(DOCS, {"ann": CODINGS["ann"]}, ["A"])
    with pytest.raises(ValueError, match="unknown unit"):
        corpus_agreement(DOCS, CODINGS, ["A"], unit="paragraph")


def test_empty_documents_and_no_documents_are_na_rows():
    for docs in ({}, {"d": ""}):
        report = corpus_agreement(docs, {"a": [], "b": []}, ["X"], exclusive=["X", "Y"])
        for row in report.rows:
            assert row.units == 0
            assert all(row.value(m) is None for m in ("cohen_kappa", "krippendorff_alpha"))


random_corpus = st.integers(2, 3).flatmap(
    lambda n_coders: st.tuples(
        st.lists(st.text(alphabet="ab .", min_size=1, max_size=40), min_size=1, max_size=3),
        st.just(n_coders),
        st.data(),
    )
)


@settings(max_examples=40, deadline=None)
@given(random_corpus, st.sampled_from(["char", "word"]))
def test_random_corpora_match_the_dense_computation(corpus, unit):
    texts, n_coders, data = corpus
    docs = {f"d{j}": t for j, t in enumerate(texts)}
    codings = {}
    for i in range(n_coders):
        spans = []
        for key, text in docs.items():
            n = data.draw(st.integers(0, 4))
            for _ in range(n):
                s = data.draw(st.integers(0, len(text) - 1))
                e = data.draw(st.integers(s + 1, len(text)))
                spans.append((key, data.draw(st.sampled_from("XY")), s, e))
        codings[f"c{i}"] = spans
    report = corpus_agreement(docs, codings, ["X", "Y"], unit=unit, exclusive=["X", "Y"])

    from desktop.core.agreement import unit_spans

    matrices = {"X": [], "Y": []}
    for key, text in docs.items():
        per_coder = {c: [(k, s, e) for d, k, s, e in sp if d == key] for c, sp in codings.items()}
        for code, m in unitize(len(text), unit_spans(text, unit), per_coder, ["X", "Y"]).items():
            matrices[code].append(m)
    for code in ("X", "Y"):
        dense = reliability(np.concatenate(matrices[code], axis=1))
        row = report.find(code)
        for measure in ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha"):
            got, want = row.value(measure), getattr(dense, measure).value
            assert (got is None) == (want is None)
            if got is not None:
                assert got == pytest.approx(want, abs=1e-9)
    # the exclusive set: a unit's value is the code(s) a coder gave it, missing if none
    x, y = (np.concatenate(matrices[c], axis=1) for c in ("X", "Y"))
    labels = np.array([None, "X", "Y", "X + Y"], dtype=object)
    values = labels[x + 2 * y].tolist()
    dense = reliability(values)
    row = report.find("X | Y")
    assert row.conflicts == int(((x == 1) & (y == 1)).any(axis=0).sum())
    for measure in ("percent_agreement", "fleiss_kappa", "krippendorff_alpha"):
        got, want = row.value(measure), getattr(dense, measure).value
        assert (got is None) == (want is None)
        if got is not None:
            assert got == pytest.approx(want, abs=1e-9)


def test_progress_per_document_and_units_coded_by_anyone():
    calls = []
    report = corpus_agreement(
        DOCS, CODINGS, ["A"], exclusive=["A", "B"], progress=lambda d, t: calls.append((d, t))
    )
    assert calls == [(1, 2), (2, 2)]
    # A in d1: ann [0,23) + [50,52), bob [4,23), cy [0,12); in d2: ann [0,5), cy [2,9)
    assert report.find("A").coded_by_any == 23 + 2 + 9
    assert report.find("A | B", "d1").coded_by_any == 23 + 17 + 2  # char 23 is a gap


def test_sentences_end_at_paragraph_breaks_and_line_breaks():
    text = "Headline without a stop\n\nRebels said no. The army said yes.\n \nNobody spoke."
    sentences = [text[s:e] for s, e in sentence_spans(text)]
    assert sentences == [
        "Headline without a stop",
        "Rebels said no.",
        "The army said yes.",
        "Nobody spoke.",
    ]
