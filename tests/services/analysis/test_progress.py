"""Analysis queries report progress and stop when the user cancels."""

from __future__ import annotations

import pytest

from desktop.services.analysis import matrix, retrieval, words
from desktop.services.analysis.progress import Cancelled


def test_queries_report_progress_up_to_the_end(corpus):
    seen: list[float] = []
    r = retrieval.retrieve(corpus.project, retrieval.RetrievalQuery(code="Casualties/Killed"),
                           progress=seen.append)  # fmt: skip
    assert r.total == 2 and seen and seen == sorted(seen)
    seen.clear()
    words.word_frequencies(corpus.project, progress=seen.append)
    assert seen and all(0 <= x <= 1 for x in seen)


@pytest.mark.parametrize(
    "run",
    [
        lambda p, c: retrieval.retrieve(
            p, retrieval.RetrievalQuery(code="Casualties/Killed"), cancelled=c
        ),
        lambda p, c: matrix.code_matrix(p, ["Casualties/Killed"], cancelled=c),
        lambda p, c: matrix.cooccurrence_matrix(
            p, ["Casualties/Killed", "Claims"], subcodes=True, cancelled=c
        ),
        lambda p, c: words.word_frequencies(p, cancelled=c),
    ],
)
def test_a_cancelled_query_stops(corpus, run):
    with pytest.raises(Cancelled):
        run(corpus.project, lambda: True)
