"""Agreement coefficients against the published worked examples, nltk, and their laws."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.agreement import (
    ReliabilityData,
    cohen_kappa,
    cohen_kappa_from_table,
    fleiss_kappa,
    fleiss_kappa_from_counts,
    krippendorff_alpha,
    percent_agreement,
    reliability,
    scott_pi,
    scott_pi_from_table,
)

N = None

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section E:
# 4 observers x 12 units, values 1-5, with missing values (unit 12 is not pairable).
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]

# Fleiss (1971), Table 1: 30 patients, 6 psychiatrists each, 5 categories
# (1 depression, 2 personality disorder, 3 schizophrenia, 4 neurosis, 5 other),
# one row per patient (the raters differ from patient to patient).
FLEISS_1971 = np.array(
    [
        [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
        [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
        [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
        [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
        [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
        [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
        [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
        [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
    ]
)  # fmt: skip

# Cohen (1960) worked example (reprinted as Table 1 of Cohen 1968): 200 subjects,
# rows judge A, columns judge B. p_o = .70, p_c = .41, kappa = .492.
COHEN_1960 = [[88, 14, 18], [10, 40, 10], [2, 6, 12]]

# Artstein & Poesio (2008), Table 1: 100 utterances, STAT / IREQ; rows coder B, columns A.
ARTSTEIN_POESIO_TABLE_1 = [[20, 20], [10, 50]]


def expand_table(table) -> list[list[int]]:
    """A two-coder contingency table as a 2 x units reliability data matrix."""
    a, b = [], []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            a += [i] * count
            b += [j] * count
    return [a, b]


# --- published worked examples -----------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "printed"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_four_levels(level, printed):
    alpha = krippendorff_alpha(KRIPPENDORFF_2011, level)
    assert round(alpha.value, 3) == printed
    assert alpha.pairable_values == 40  # n.. in Krippendorff's coincidence matrix
    assert alpha.units == 11  # unit 12 has one value only
    assert alpha.coders == 4


def test_krippendorff_2011_nominal_disagreements():
    # D_o = 1 - A_o with A_o = 32/40; D_e from the values' marginals 9, 13, 10, 5, 3
    alpha = krippendorff_alpha(KRIPPENDORFF_2011, "nominal")
    assert alpha.observed == pytest.approx(8 / 40)
    expected = (40**2 - (9**2 + 13**2 + 10**2 + 5**2 + 3**2)) / (40 * 39)
    assert alpha.expected == pytest.approx(expected)


def test_krippendorff_2011_binary_two_observers():
    # section A: binary data, two observers, no missing data: alpha = 0.095
    data = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]
    assert round(krippendorff_alpha(data).value, 3) == 0.095


def test_krippendorff_2011_nominal_two_observers():
    # section B: nominal data, two observers, no missing data: alpha = 0.692
    data = [list("aabbdcccedda"), list("babbbccceddd")]
    assert round(krippendorff_alpha(data).value, 3) == 0.692


def test_cohen_1960():
    kappa = cohen_kappa_from_table(COHEN_1960)
    assert kappa.observed == pytest.approx(0.70)
    assert kappa.expected == pytest.approx(0.41)
    assert round(kappa.value, 3) == 0.492
    assert kappa.units == 200


def test_cohen_chance_agreement_is_a_sum_of_products():
    # sum over categories of p_A(k) * p_B(k) = .6*.5 + .3*.3 + .1*.2 = .41;
    # a product of the marginals (a peer's mistake) would give .6*.5*.3*.3*.1*.2.
    assert cohen_kappa_from_table(COHEN_1960).expected == pytest.approx(0.41)


def test_cohen_1960_from_reliability_data_matches_table():
    from_matrix = cohen_kappa(expand_table(COHEN_1960))
    assert from_matrix.value == pytest.approx(cohen_kappa_from_table(COHEN_1960).value)
    assert from_matrix.units == 200


def test_fleiss_1971():
    kappa = fleiss_kappa(FLEISS_1971.T)  # rows = raters
    assert round(kappa.value, 3) == 0.430
    assert kappa.value == pytest.approx(0.4302445, abs=5e-8)  # irr::kappam.fleiss
    assert kappa.units == 30
    counts = ReliabilityData.from_matrix(FLEISS_1971.T).unit_counts()
    assert counts.sum(axis=0).tolist() == [26, 26, 30, 55, 43]  # Fleiss' column totals


def test_fleiss_kappa_counts_form_wikipedia_example():
    # The 10 subjects x 14 raters x 5 categories example of the Fleiss' kappa article
    # (Wikipedia): P-bar = 0.378, P_e = 0.213, kappa = 0.210.
    table = [
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ]  # fmt: skip
    kappa = fleiss_kappa_from_counts(table)
    assert round(kappa.observed, 3) == 0.378
    assert round(kappa.expected, 3) == 0.213
    assert round(kappa.value, 3) == 0.210


def test_artstein_poesio_2008_kappa_and_pi_differ():
    # Table 1 of Artstein & Poesio (2008): A_o = 0.7; the coders' marginals differ
    # (A: 30/70, B: 40/60), so Cohen's kappa (A_e = .3*.4 + .7*.6 = .54) and Scott's pi
    # (A_e = .35^2 + .65^2 = .545) differ: kappa = .16/.46, pi = .155/.455.
    kappa = cohen_kappa_from_table(ARTSTEIN_POESIO_TABLE_1)
    pi = scott_pi_from_table(ARTSTEIN_POESIO_TABLE_1)
    assert kappa.observed == pi.observed == pytest.approx(0.7)
    assert kappa.expected == pytest.approx(0.54)
    assert pi.expected == pytest.approx(0.545)
    assert round(kappa.value, 3) == 0.348
    assert round(pi.value, 3) == 0.341
    matrix = expand_table(ARTSTEIN_POESIO_TABLE_1)
    assert scott_pi(matrix).value == pytest.approx(pi.value)
    assert cohen_kappa(matrix).value == pytest.approx(kappa.value)


# --- definitions, missing values and undefined values ---------------------------------------


def test_reliability_summary_of_krippendorff_example():
    result = reliability(KRIPPENDORFF_2011, "interval")
    assert result.units == 12
    assert result.values == 41
    assert result.pairable_units == 11
    assert result.pairable_values == 40
    assert result.percent_agreement.value == pytest.approx(32 / 40)
    # four coders: no pi or Cohen's kappa; unequal values per unit: no Fleiss' kappa
    for c in (result.scott_pi, result.cohen_kappa, result.fleiss_kappa):
        assert c.value is None and c.note
    assert round(result.krippendorff_alpha.value, 3) == 0.849
    expected = {
        "percent_agreement": pytest.approx(0.8),
        "scott_pi": None,
        "cohen_kappa": None,
        "fleiss_kappa": None,
        "krippendorff_alpha": pytest.approx(0.8491071),
        "units": 12,
        "coders": 4,
        "pairable_values": 40,
    }
    summary = result.to_dict()
    assert {k: summary[k] for k in expected} == expected


def test_two_coders_with_a_missing_value_have_no_kappa_but_alpha():
    data = [[1, 2, 2, 1, N], [1, 2, 1, 1, 2]]
    assert cohen_kappa(data).value is None
    assert "missing" in cohen_kappa(data).note
    assert scott_pi(data).value is None
    assert krippendorff_alpha(data).value is not None


def test_units_nobody_coded_are_left_out():
    with_empty = [[1, 2, 2, 1, N], [1, 2, 1, 1, N]]
    without = [[1, 2, 2, 1], [1, 2, 1, 1]]
    for coefficient in (cohen_kappa, scott_pi, fleiss_kappa, krippendorff_alpha):
        assert coefficient(with_empty).value == pytest.approx(coefficient(without).value)


def test_fleiss_kappa_needs_equal_numbers_of_values_not_the_same_coders():
    # each unit has two values, from different coders each time: Fleiss applies
    data = [[1, N, 2, N], [1, 2, N, 2], [N, 2, 2, 1]]
    assert fleiss_kappa(data).value is not None
    data[0][1] = 2  # now unit 2 has three values
    assert fleiss_kappa(data).value is None


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_no_variation_is_undefined_not_one(level):
    data = [[3, 3, 3], [3, 3, 3]]
    result = reliability(data, level)
    assert result.percent_agreement.value == 1.0
    for c in (result.scott_pi, result.cohen_kappa, result.fleiss_kappa, result.krippendorff_alpha):
        assert c.value is None, c
        assert "variation" in c.note


def test_nothing_pairable_is_undefined():
    result = reliability([[1, N], [N, 2]])
    assert result.pairable_values == 0
    assert all(c.value is None for c in result.coefficients)


def test_empty_data():
    result = reliability([[], []])
    assert result.units == 0
    assert all(c.value is None for c in result.coefficients)


def test_numeric_levels_need_numbers():
    with pytest.raises(ValueError, match="coder 2, unit 1: 'x' is not a number"):
        ReliabilityData.from_matrix([[1, 2], ["x", 2]], level="interval")
    with pytest.raises(ValueError, match="ratio level needs values >= 0"):
        krippendorff_alpha([[-1, 2], [1, 2]], "ratio")
    with pytest.raises(ValueError, match="unknown level"):
        reliability([[1]], "cardinal")


def test_numeric_strings_are_numbers_at_numeric_levels():
    a = krippendorff_alpha([["1", "2.0", " 3"], ["1.0", "2", "4"]], "interval")
    b = krippendorff_alpha([[1, 2, 3], [1, 2, 4]], "interval")
    assert a.value == pytest.approx(b.value)


def test_string_categories_at_nominal_level():
    data = [["yes", "no", "yes", ""], ["yes", "no", "no", "maybe"]]
    assert krippendorff_alpha(data).value == pytest.approx(
        krippendorff_alpha([[0, 1, 0, N], [0, 1, 1, 2]]).value
    )


# --- cross-checks with nltk (same definitions only) -----------------------------------------

matrices = st.integers(2, 5).flatmap(
    lambda coders: st.integers(2, 25).flatmap(
        lambda units: st.lists(
            st.lists(st.integers(0, 3), min_size=units, max_size=units),
            min_size=coders,
            max_size=coders,
        )
    )
)


def nltk_task(matrix):
    from nltk.metrics.agreement import AnnotationTask

    return AnnotationTask(
        [
            (str(c), str(u), v)
            for c, row in enumerate(matrix)
            for u, v in enumerate(row)
            if v is not None
        ]
    )


def same(ours, theirs):
    """nltk returns 1.0 or raises ZeroDivisionError where we return None."""
    if ours is None:
        return True
    return ours == pytest.approx(theirs, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(matrices)
def test_alpha_and_multi_coder_pi_match_nltk(matrix):
    task = nltk_task(matrix)
    alpha = krippendorff_alpha(matrix).value
    if alpha is not None:
        assert same(alpha, task.alpha())
    # nltk's multi-coder pi (pooled chance agreement, mean pairwise A_o) is Fleiss' kappa
    # on complete data
    fleiss = fleiss_kappa(matrix).value
    if fleiss is not None:
        assert same(fleiss, task.pi())
        assert percent_agreement(matrix).value == pytest.approx(task.avg_Ao())


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 30).flatmap(lambda n: st.lists(st.lists(st.integers(0, 2), min_size=n, max_size=n), min_size=2, max_size=2)))  # fmt: skip
def test_two_coder_kappa_and_pi_match_nltk(matrix):
    task = nltk_task(matrix)
    kappa, pi = cohen_kappa(matrix).value, scott_pi(matrix).value
    if kappa is not None:
        assert same(kappa, task.kappa())
    if pi is not None:
        assert same(pi, task.pi())
        assert kappa >= pi - 1e-12  # kappa's chance agreement never exceeds pi's


def test_alpha_with_missing_values_matches_nltk():
    rng = np.random.default_rng(20260)
    for _ in range(20):
        matrix = rng.integers(0, 4, size=(4, 30)).astype(object)
        matrix[rng.random(matrix.shape) < 0.3] = None
        ours = krippendorff_alpha(matrix.tolist()).value
        assert ours == pytest.approx(nltk_task(matrix.tolist()).alpha())


# --- laws ---------------------------------------------------------------------------------

missing_matrices = st.integers(2, 4).flatmap(
    lambda coders: st.integers(3, 20).flatmap(
        lambda units: st.lists(
            st.lists(st.one_of(st.none(), st.integers(0, 6)), min_size=units, max_size=units),
            min_size=coders,
            max_size=coders,
        )
    )
)


@settings(max_examples=60, deadline=None)
@given(missing_matrices)
def test_alpha_invariances(matrix):
    def mapped(f):
        return [[None if v is None else f(v) for v in row] for row in matrix]

    for level, transform in [
        ("ordinal", lambda v: v**3 + 7),  # any increasing map
        ("interval", lambda v: 2.5 * v - 4),  # any affine map
        ("ratio", lambda v: 3 * v),  # any scaling
        ("nominal", lambda v: f"c{v}"),  # any renaming
    ]:
        a = krippendorff_alpha(matrix, level).value
        b = krippendorff_alpha(mapped(transform), level).value
        assert (a is None and b is None) or a == pytest.approx(b, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(missing_matrices, st.data())
def test_weighted_columns_equal_repeated_columns(matrix, draw):
    data = ReliabilityData.from_matrix(matrix, level="interval")
    weights = np.asarray(
        draw.draw(
            st.lists(st.integers(1, 4), min_size=data.codes.shape[1], max_size=data.codes.shape[1])
        )
    )
    weighted = ReliabilityData(data.codes, data.categories, weights, data.coders, True)
    repeated = ReliabilityData.from_matrix(
        np.repeat(np.asarray(matrix, dtype=float), weights, axis=1), level="interval"
    )
    for level in ("nominal", "ordinal", "interval", "ratio"):
        a = reliability(weighted, level)
        b = reliability(repeated, level)
        assert a.units == b.units and a.pairable_values == b.pairable_values
        for x, y in zip(a.coefficients, b.coefficients, strict=True):
            assert (x.value is None) == (y.value is None)
            if x.value is not None:
                assert x.value == pytest.approx(y.value, abs=1e-9)


def test_percent_agreement_is_fleiss_p_bar_on_complete_data():
    kappa = fleiss_kappa(FLEISS_1971.T)
    assert percent_agreement(FLEISS_1971.T).value == pytest.approx(kappa.observed)
