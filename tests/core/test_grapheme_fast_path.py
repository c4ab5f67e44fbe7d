"""Texts where every code point is its own grapheme cluster skip ICU; the clusters must
be exactly ICU's, for every character that can reach the shortcut and its neighbours."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core import segmentation as sg


def icu_spans(text: str) -> np.ndarray:
    b = sg._Units(text).to_cp(sg._boundaries(text, "grapheme")) if text else np.zeros(1, int)
    return np.stack((b[:-1], b[1:]), axis=1)


# below U+0300 (the shortcut's range) plus what joins clusters just above it
PIECES = st.one_of(
    st.characters(max_codepoint=0x2FF, exclude_categories=("Cs",)),
    st.sampled_from(["\r\n", "e\u0301", "\u0300", "\u200d", "👍🏽", "🇫🇷", "क्ष", "한"]),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join))
def test_the_shortcut_gives_icus_clusters(text):
    assert sg.grapheme_spans(text).tolist() == icu_spans(text).tolist()


def test_the_shortcut_is_taken_only_where_it_holds():
    assert sg.one_cluster_per_code_point("Café in Daraa, 12 killed.\n")
    assert not sg.one_cluster_per_code_point("line\r\nnext")
    assert not sg.one_cluster_per_code_point("Cafe\u0301")
    assert not sg.one_cluster_per_code_point("الحرب")
